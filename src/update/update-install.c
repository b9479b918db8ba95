/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fileio.h"
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

/* The root image, decompressed into its partition; the writer builds the verity tree of what it writes into
 * tree_fd, and hashes the whole stream too unless the tree covers every byte. */
static int write_root(UpdateRepo *repo, const UpdateImage *img, UpdatePartition *part, const UpdateVerity *v,
                      int tree_fd, UpdateWriter **ret_w, UpdateWritten *ret, char **ret_error) {
        _cleanup_(update_writer_freep) UpdateWriter *w = NULL;
        UpdateCompression c;
        UpdateWritten got;
        uint64_t length;
        uint8_t sha[32];
        char hex[65];
        int r;

        r = root_expectation(img, &c, &length, sha, ret_error);
        if (r < 0)
                return r;
        UpdateWriterOptions o = { .tree = &v->params,
                                  .tree_fd = tree_fd,
                                  .no_sha256 = update_verity_covers(img, length),
                                  .read_back_early = true };
        r = update_writer_new(part->fd, part->offset, length, c, &o, &w);
        if (r < 0)
                return tuf_error(ret_error, r, "%s: cannot start decompressing: %s", img->root->path,
                                 strerror(-r));
        r = update_repo_fetch(repo, img->root, update_writer_sink, w, ret_error);
        if (r >= 0)
                r = update_writer_finish(w, &got);
        if (r == -EFBIG)
                return tuf_error(ret_error, r, "%s: decompresses to more than the %" PRIu64 " bytes listed",
                                 img->root->path, length);
        if (r == -ENODATA)
                return tuf_error(ret_error, r, "%s: compressed data ends early", img->root->path);
        if (r < 0)
                return tuf_error(ret_error, r, "%s: %s", img->root->path, strerror(-r));
        if (got.length != length || !got.has_root_hash ||
            (got.has_sha256 && memcmp(got.sha256, sha, 32) != 0)) {
                if (got.has_sha256)
                        hex_encode(got.sha256, 32, hex);
                return tuf_error(ret_error, -EBADMSG,
                                 "%s: decompressed to %" PRIu64 " bytes with sha256 %s, not what was signed",
                                 img->root->path, got.length, got.has_sha256 ? hex : "(not computed)");
        }
        *ret_w = TAKE_PTR(w);
        *ret = got;
        return 0;
}

static int write_verity(UpdateRepo *repo, const UpdateImage *img, UpdatePartition *part,
                        UpdateWriter **ret_w, char **ret_error) {
        _cleanup_(update_writer_freep) UpdateWriter *w = NULL;
        UpdateWritten got;
        int r;

        /* The target's own sha256 is checked by TUF as it downloads: the writer needs no second one. */
        r = update_writer_new(part->fd, part->offset, img->verity->length, UPDATE_COMPRESSION_NONE,
                              &(UpdateWriterOptions){ .no_sha256 = true }, &w);
        if (r < 0)
                return r;
        r = update_repo_fetch(repo, img->verity, update_writer_sink, w, ret_error);
        if (r >= 0)
                r = update_writer_finish(w, &got);
        if (r < 0)
                return tuf_error(ret_error, r, "%s: %s", img->verity->path, strerror(-r));
        *ret_w = TAKE_PTR(w);
        return 0;
}

/* The verity target's download and write, on a thread of its own beside the root's stream: it is small, and
 * after the root it would be one more wait for the repository and the device with the CPU idle. */
typedef struct VerityJob {
        UpdateRepo *repo;
        const UpdateImage *img;
        UpdatePartition *part;
        UpdateWriter *w;
        char *error;
        int r;
} VerityJob;

static void *verity_job_main(void *userdata) {
        VerityJob *j = userdata;

        j->r = write_verity(j->repo, j->img, j->part, &j->w, &j->error);
        return NULL;
}

static int check_read_back(UpdateWriter *w, UpdateReadBack which, const UpdatePartition *part,
                           char **ret_error) {
        uint64_t at = 0;
        int r;

        r = update_writer_read_back(w, which, &at);
        if (r == -EIO)
                return tuf_error(ret_error, r,
                                 "%s: what was written reads back differently (in the MiB at byte %" PRIu64
                                 ")",
                                 part->name, at);
        if (r < 0)
                return tuf_error(ret_error, r, "%s: cannot read back: %s", part->name, strerror(-r));
        return 0;
}

struct UpdateInstall {
        const UpdateImage *img;
        UpdatePartition *root, *verity;
        UpdateWriter *root_w, *verity_w;
        int tree_fd;
        UpdateVerity v;
        UpdateWritten written;
};

UpdateInstall *update_install_free(UpdateInstall *in) {
        if (!in)
                return NULL;
        update_writer_free(in->root_w);
        update_writer_free(in->verity_w);
        safe_close(in->tree_fd);
        free(in);
        return NULL;
}

int update_install_write(UpdateRepo *repo, const UpdateImage *img, UpdatePartition *root,
                         UpdatePartition *verity, UpdateInstall **ret, char **ret_error) {
        _cleanup_(update_install_freep) UpdateInstall *in = NULL;
        UpdateCompression c;
        uint64_t length;
        uint8_t sha[32];
        int r;

        /* Everything that can be checked before the first byte is written is: both sizes, and the tree's
         * parameters. */
        r = root_expectation(img, &c, &length, sha, ret_error);
        if (r < 0)
                return r;
        if (length > root->size)
                return tuf_error(ret_error, -ENOSPC,
                                 "%s decompresses to %" PRIu64
                                 " bytes, but partition %s holds only %" PRIu64,
                                 img->root->path, length, root->name, root->size);
        if (img->verity->length > verity->size)
                return tuf_error(ret_error, -ENOSPC,
                                 "%s is %" PRIu64 " bytes, but partition %s holds only %" PRIu64,
                                 img->verity->path, img->verity->length, verity->name, verity->size);
        in = calloc(1, sizeof(UpdateInstall));
        if (!in)
                return -ENOMEM;
        *in = (UpdateInstall){ .img = img, .root = root, .verity = verity, .tree_fd = -EBADF };
        r = update_verity_params(img, length, &in->v, ret_error);
        if (r < 0)
                return r;
        /* A tree of a few MiB per GiB of root: memory, not a file that could be left behind. */
        in->tree_fd = memfd_create("verity-tree", MFD_CLOEXEC);
        if (in->tree_fd < 0)
                return tuf_error(ret_error, negative_errno(), "memfd_create: %s", strerror(errno));
        VerityJob job = { .repo = repo, .img = img, .part = verity };
        pthread_t t;
        bool started = pthread_create(&t, NULL, verity_job_main, &job) == 0;

        r = write_root(repo, img, root, &in->v, in->tree_fd, &in->root_w, &in->written, ret_error);
        if (started)
                (void) pthread_join(t, NULL);
        else if (r >= 0)
                verity_job_main(&job); /* no thread: after the root */
        in->verity_w = job.w;
        /* The root's error first: it names the larger and earlier part of the image. */
        if (r >= 0 && job.r < 0)
                r = tuf_error(ret_error, job.r, "%s", job.error ?: strerror(-job.r));
        free(job.error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(in);
        return 0;
}

typedef struct FlushJob {
        int root_fd, verity_fd;
        int r;
} FlushJob;

static void *flush_main(void *userdata) {
        FlushJob *j = userdata;

        j->r = fsync(j->root_fd) < 0 || fsync(j->verity_fd) < 0 ? negative_errno() : 0;
        return NULL;
}

/* What the partitions hold, read back from the device: a write the device dropped or a mix-up of
 * partitions shows here, before anything could boot it. Every byte of both is checked against what was
 * written there, whose tree (and sha256, where the tree does not cover all of it) was checked against the
 * signed values as it was written; the tree also against the verity partition (decision 0010). What was
 * written directly is read back while the partitions are flushed (a direct read returns what the device
 * holds, flushed or not; the root's was read back while it was written, and only its result is taken
 * here), what went through the page cache after the flush. The checks report in the
 * order "flush, root read-back, verity read-back, tree", so that a dropped write reads "what was written
 * reads back differently" and not a verity mismatch. */
int update_install_verify(UpdateInstall *in, char **ret_error) {
        FlushJob flush = { .root_fd = in->root->fd, .verity_fd = in->verity->fd };
        _cleanup_free_ char *why = NULL;
        bool started;
        pthread_t t;
        int r;

        started = pthread_create(&t, NULL, flush_main, &flush) == 0;
        if (!started)
                flush_main(&flush); /* no thread: one after the other */
        r = check_read_back(in->root_w, UPDATE_READ_BACK_DIRECT, in->root, &why);
        if (r >= 0)
                r = check_read_back(in->verity_w, UPDATE_READ_BACK_DIRECT, in->verity, &why);
        if (started)
                (void) pthread_join(t, NULL);
        if (flush.r < 0)
                return tuf_error(ret_error, flush.r, "cannot flush the partitions: %s", strerror(-flush.r));
        if (r < 0)
                return tuf_error(ret_error, r, "%s", why ?: strerror(-r));
        if ((r = check_read_back(in->root_w, UPDATE_READ_BACK_BUFFERED, in->root, ret_error)) < 0 ||
            (r = check_read_back(in->verity_w, UPDATE_READ_BACK_BUFFERED, in->verity, ret_error)) < 0)
                return r;
        return update_verity_check(in->img, &in->v, in->tree_fd, in->written.root_hash, in->root, in->verity,
                                   ret_error);
}
