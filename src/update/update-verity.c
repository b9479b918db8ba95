/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <string.h>

#include "fileio.h"
#include "hexutil.h"
#include "iobuf.h"
#include "tuf-error.h"
#include "update-verity.h"

static int params_from_custom(const UpdateImage *img, uint64_t root_length, VerityParams *p,
                              int64_t *ret_hash_start, char **ret_error) {
        json_object *c = img->verity_custom;
        const char *salt = update_json_string(c, "salt") ?: "";
        int64_t blocks = update_json_int(c, "data_blocks"), dbs = update_json_int(c, "data_block_size"),
                hbs = update_json_int(c, "hash_block_size");

        verity_params_init(p);
        if (blocks <= 0 || dbs <= 0 || dbs > UINT32_MAX || hbs <= 0 || hbs > UINT32_MAX)
                return tuf_error(ret_error, -EBADMSG, "%s: custom metadata lacks the verity block counts",
                                 img->verity->path);
        p->data_blocks = (uint64_t) blocks;
        p->data_block_size = (uint32_t) dbs;
        p->hash_block_size = (uint32_t) hbs;
        if (hex_decode(salt, p->salt, sizeof(p->salt), &p->salt_size) < 0)
                return tuf_error(ret_error, -EBADMSG, "%s: salt is not hex of at most %d bytes",
                                 img->verity->path, VERITY_MAX_SALT);
        if (verity_params_validate(p) < 0)
                return tuf_error(ret_error, -EBADMSG, "%s: verity parameters out of range",
                                 img->verity->path);
        /* The tree covers data blocks only of what we wrote; past it the partition holds old bytes. */
        if (p->data_blocks > root_length / p->data_block_size)
                return tuf_error(ret_error, -EBADMSG,
                                 "%s: %" PRIu64 " data blocks of %u bytes do not fit the %" PRIu64
                                 "-byte root image",
                                 img->verity->path, p->data_blocks, p->data_block_size, root_length);
        *ret_hash_start = update_json_int(c, "hash_start_block");
        /* veritysetup's layout: the superblock is hash block 0 and the tree starts at block 1. */
        p->superblock = *ret_hash_start == 1;
        return 0;
}

bool update_verity_covers(const UpdateImage *img, uint64_t root_length) {
        int64_t blocks = update_json_int(img->verity_custom, "data_blocks"),
                size = update_json_int(img->verity_custom, "data_block_size");

        return blocks > 0 && size > 0 && (uint64_t) blocks <= UINT64_MAX / (uint64_t) size &&
               (uint64_t) blocks * (uint64_t) size == root_length;
}

/* The tree we computed against the one written, past the superblock (its UUID is random per build), in
 * pieces of COMPARE_CHUNK: a tree is 1/128 of its root, a few MiB. */
#define COMPARE_CHUNK (256 * 1024)

static int compare_tree(int computed_fd, UpdatePartition *verity, uint64_t from, uint64_t to,
                        char **ret_error) {
        _cleanup_(iobuf_done) IoBuf buf = {};
        uint8_t *a, *b;
        int r;

        if (iobuf_get(&buf, 2 * COMPARE_CHUNK) < 0)
                return -ENOMEM;
        a = buf.data;
        b = a + COMPARE_CHUNK;
        for (uint64_t off = from; off < to;) {
                size_t n = (size_t) MIN((uint64_t) COMPARE_CHUNK, to - off);

                if ((r = pread_full(computed_fd, a, n, (off_t) off)) < 0 ||
                    (r = pread_full(verity->fd, b, n, (off_t) (verity->offset + off))) < 0)
                        return tuf_error(ret_error, r, "%s: cannot read the hash tree: %s", verity->name,
                                         strerror(-r));
                if (memcmp(a, b, n) != 0) {
                        size_t i = 0;

                        while (a[i] == b[i])
                                i++;
                        return tuf_error(
                                ret_error, -EBADMSG,
                                "%s: the hash tree differs from the one computed from the root image "
                                "at byte %" PRIu64,
                                verity->name, off + i);
                }
                off += n;
        }
        return 0;
}

int update_verity_params(const UpdateImage *img, uint64_t root_length, UpdateVerity *ret, char **ret_error) {
        const char *want_hex = update_json_string(img->root_custom, "verity_root_hash");
        const char *tree_hex = update_json_string(img->verity_custom, "root_hash");
        UpdateVerity v;
        int r;

        if (!want_hex || !tree_hex || !streq(want_hex, tree_hex))
                return tuf_error(ret_error, -EBADMSG, "%s names verity root hash %s, but %s was made for %s",
                                 img->root->path, want_hex ?: "none", img->verity->path, tree_hex ?: "none");
        r = params_from_custom(img, root_length, &v.params, &v.hash_start, ret_error);
        if (r < 0)
                return r;
        *ret = v;
        return 0;
}

int update_verity_check(const UpdateImage *img, const UpdateVerity *v, int tree_fd,
                        const uint8_t root_hash[VERITY_DIGEST_SIZE], const UpdatePartition *root,
                        UpdatePartition *verity, char **ret_error) {
        const char *want_hex = update_json_string(img->root_custom, "verity_root_hash");
        char got_hex[2 * VERITY_DIGEST_SIZE + 1];
        uint64_t hash_size;

        hex_encode(root_hash, VERITY_DIGEST_SIZE, got_hex);
        if (!want_hex || !streq(got_hex, want_hex))
                return tuf_error(ret_error, -EBADMSG, "%s: verity root hash %s, but the signed one is %s",
                                 root->name, got_hex, want_hex ?: "none");
        if (v->hash_start < 0 || verity_hash_size(&v->params, &hash_size) < 0)
                return 0; /* no layout to compare with; the kernel checks the tree against the root hash */
        if (hash_size > img->verity->length)
                return tuf_error(ret_error, -EBADMSG, "%s: %" PRIu64 " bytes, the tree needs %" PRIu64,
                                 img->verity->path, img->verity->length, hash_size);
        return compare_tree(tree_fd, verity, (uint64_t) v->hash_start * v->params.hash_block_size, hash_size,
                            ret_error);
}
