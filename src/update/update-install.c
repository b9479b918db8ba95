/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hexutil.h"
#include "tuf-error.h"
#include "update-install.h"
#include "update-stream.h"
#include "update-verity.h"

static int target_path(json_object *entry, const char *kind, const char **ret, char **ret_error) {
        json_object *targets;
        const char *path;

        if (!json_object_object_get_ex(entry, "targets", &targets) ||
            !(path = update_json_string(targets, kind)))
                return tuf_error(ret_error, -ENOENT, "manifest: %s %s has no '%s' target",
                                 update_json_string(entry, "variant"), update_json_string(entry, "version"),
                                 kind);
        *ret = path;
        return 0;
}

int update_image_resolve(UpdateRepo *repo, json_object *entry, char set, UpdateImage *ret,
                         char **ret_error) {
        UpdateImage img = { .variant = update_json_string(entry, "variant"),
                            .version = update_json_string(entry, "version") };
        const char *root, *verity, *uki, *uki_set;
        char uki_kind[8];
        json_object *uki_custom;
        int r;

        (void) snprintf_ok(uki_kind, "uki-%c", set);
        if ((r = target_path(entry, "root", &root, ret_error)) < 0 ||
            (r = target_path(entry, "verity", &verity, ret_error)) < 0 ||
            (r = target_path(entry, uki_kind, &uki, ret_error)) < 0)
                return r;
        if ((r = update_repo_target(repo, root, "root", img.variant, img.version, &img.root,
                                    &img.root_custom, ret_error)) < 0 ||
            (r = update_repo_target(repo, verity, "verity", img.variant, img.version, &img.verity,
                                    &img.verity_custom, ret_error)) < 0 ||
            (r = update_repo_target(repo, uki, "uki", img.variant, img.version, &img.uki, &uki_custom,
                                    ret_error)) < 0)
                return r;
        /* Each UKI names its own set's partitions on its signed command line: the other set's would boot
         * the partitions we did not write. */
        uki_set = update_json_string(uki_custom, "set");
        if (!uki_set || uki_set[0] != set || uki_set[1])
                return tuf_error(ret_error, -EBADMSG, "%s: a UKI for set '%s', not '%c'", uki,
                                 uki_set ?: "?", set);
        *ret = img;
        return 0;
}

/* What the root partition must hold: the uncompressed length and sha256. */
static int root_expectation(const UpdateImage *img, UpdateCompression *ret_c, uint64_t *ret_length,
                            uint8_t ret_sha256[32], char **ret_error) {
        const char *compression = update_json_string(img->root_custom, "compression");
        const char *sha = update_json_string(img->root_custom, "uncompressed_sha256");
        int64_t length = update_json_int(img->root_custom, "uncompressed_length");
        size_t n = 0;

        if (update_compression_parse(compression, ret_c) < 0)
                return tuf_error(ret_error, -EOPNOTSUPP, "%s: compression '%s' is not supported here",
                                 img->root->path, compression);
        if (*ret_c == UPDATE_COMPRESSION_NONE) {
                /* Stored as is: the target's own length and hash are the image's. */
                if (!img->root->hashes.present[TUF_HASH_SHA256])
                        return tuf_error(ret_error, -EBADMSG, "%s: no sha256", img->root->path);
                memcpy(ret_sha256, img->root->hashes.digest[TUF_HASH_SHA256], 32);
                *ret_length = img->root->length;
                return 0;
        }
        if (length < 0 || !sha || hex_decode(sha, ret_sha256, 32, &n) < 0 || n != 32)
                return tuf_error(ret_error, -EBADMSG,
                                 "%s: custom metadata lacks uncompressed_length or uncompressed_sha256",
                                 img->root->path);
        *ret_length = (uint64_t) length;
        return 0;
}

static int write_root(UpdateRepo *repo, const UpdateImage *img, UpdatePartition *part, char **ret_error) {
        _cleanup_(update_writer_freep) UpdateWriter *w = NULL;
        UpdateCompression c;
        uint64_t length, got;
        uint8_t sha[32], got_sha[32];
        char hex[65];
        int r;

        r = root_expectation(img, &c, &length, sha, ret_error);
        if (r < 0)
                return r;
        if (length > part->size)
                return tuf_error(ret_error, -ENOSPC,
                                 "%s decompresses to %" PRIu64
                                 " bytes, but partition %s holds only %" PRIu64,
                                 img->root->path, length, part->name, part->size);
        r = update_writer_new(part->fd, part->offset, length, c, &w);
        if (r < 0)
                return tuf_error(ret_error, r, "%s: cannot start decompressing: %s", img->root->path,
                                 strerror(-r));
        r = update_repo_fetch(repo, img->root, update_writer_sink, w, ret_error);
        if (r == -EFBIG)
                return tuf_error(ret_error, r, "%s: decompresses to more than the %" PRIu64 " bytes listed",
                                 img->root->path, length);
        if (r < 0)
                return tuf_error(ret_error, r, "%s: %s", img->root->path, strerror(-r));
        r = update_writer_finish(w, &got, got_sha);
        if (r == -EBADMSG)
                return tuf_error(ret_error, r, "%s: compressed data ends early", img->root->path);
        if (r < 0)
                return tuf_error(ret_error, r, "%s: %s", img->root->path, strerror(-r));
        hex_encode(got_sha, 32, hex);
        if (got != length || memcmp(got_sha, sha, 32) != 0)
                return tuf_error(ret_error, -EBADMSG,
                                 "%s: decompressed to %" PRIu64 " bytes with sha256 %s, not what was signed",
                                 img->root->path, got, hex);
        return 0;
}

static int write_verity(UpdateRepo *repo, const UpdateImage *img, UpdatePartition *part, char **ret_error) {
        _cleanup_(update_writer_freep) UpdateWriter *w = NULL;
        uint64_t got;
        uint8_t sha[32];
        int r;

        if (img->verity->length > part->size)
                return tuf_error(ret_error, -ENOSPC,
                                 "%s is %" PRIu64 " bytes, but partition %s holds only %" PRIu64,
                                 img->verity->path, img->verity->length, part->name, part->size);
        r = update_writer_new(part->fd, part->offset, img->verity->length, UPDATE_COMPRESSION_NONE, &w);
        if (r < 0)
                return r;
        r = update_repo_fetch(repo, img->verity, update_writer_sink, w, ret_error);
        if (r >= 0)
                r = update_writer_finish(w, &got, sha);
        if (r < 0)
                return tuf_error(ret_error, r, "%s: %s", img->verity->path, strerror(-r));
        return 0;
}

static int check_root_read_back(UpdatePartition *root, uint64_t length, const uint8_t want[32],
                                char **ret_error) {
        uint8_t got[32];
        int r;

        r = update_range_sha256(root->fd, root->offset, length, got);
        if (r < 0)
                return tuf_error(ret_error, r, "%s: cannot read back: %s", root->name, strerror(-r));
        if (memcmp(want, got, 32) != 0)
                return tuf_error(ret_error, -EIO, "%s: what was written reads back differently", root->name);
        return 0;
}

static int check_verity_read_back(const UpdateImage *img, UpdatePartition *verity, char **ret_error) {
        uint8_t got[32];
        int r;

        if (!img->verity->hashes.present[TUF_HASH_SHA256])
                return 0;
        r = update_range_sha256(verity->fd, verity->offset, img->verity->length, got);
        if (r < 0)
                return tuf_error(ret_error, r, "%s: cannot read back: %s", verity->name, strerror(-r));
        if (memcmp(img->verity->hashes.digest[TUF_HASH_SHA256], got, 32) != 0)
                return tuf_error(ret_error, -EIO, "%s: what was written reads back differently",
                                 verity->name);
        return 0;
}

/* After fsync, what the partitions hold, read back: a write the device dropped or a mix-up of partitions
 * shows here, before anything could boot it. When the verity tree covers every byte of the root, the
 * tree recomputed from the partition checks each byte read back against the signed root hash, so the
 * root is read back once, for the tree. Its sha256 is then read back only when a check fails, to report
 * the failure as the checks in their listed order would (decision 0010). */
static int verify_written(const UpdateImage *img, UpdatePartition *root, UpdatePartition *verity,
                          char **ret_error) {
        _cleanup_free_ char *why = NULL;
        UpdateCompression c;
        uint64_t length;
        uint8_t want[32];
        int r, q;

        r = root_expectation(img, &c, &length, want, ret_error);
        if (r < 0)
                return r;
        if (!update_verity_covers(img, length)) {
                if ((r = check_root_read_back(root, length, want, ret_error)) < 0 ||
                    (r = check_verity_read_back(img, verity, ret_error)) < 0)
                        return r;
                return update_verity_check(img, root, length, verity, ret_error);
        }
        r = update_verity_check(img, root, length, verity, &why);
        if (r < 0 && (q = check_root_read_back(root, length, want, ret_error)) < 0)
                return q;
        if ((q = check_verity_read_back(img, verity, ret_error)) < 0)
                return q;
        return r < 0 ? tuf_error(ret_error, r, "%s", why ?: strerror(-r)) : 0;
}

int update_install_partitions(UpdateRepo *repo, const UpdateImage *img, UpdatePartition *root,
                              UpdatePartition *verity, char **ret_error) {
        int r;

        /* Both sizes are checked before the first byte is written. */
        if (img->verity->length > verity->size)
                return tuf_error(ret_error, -ENOSPC,
                                 "%s is %" PRIu64 " bytes, but partition %s holds only %" PRIu64,
                                 img->verity->path, img->verity->length, verity->name, verity->size);
        if ((r = write_root(repo, img, root, ret_error)) < 0 ||
            (r = write_verity(repo, img, verity, ret_error)) < 0)
                return r;
        if (fsync(root->fd) < 0 || fsync(verity->fd) < 0)
                return tuf_error(ret_error, negative_errno(), "cannot flush the partitions: %s",
                                 strerror(errno));
        return verify_written(img, root, verity, ret_error);
}
