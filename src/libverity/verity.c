/* SPDX-License-Identifier: MIT */
#include <endian.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "iobuf.h"
#include "macro.h"
#include "verity.h"

/* Blocks hashed per read: large reads keep the hashing, not the syscalls, the cost. */
#define CHUNK_BLOCKS 256

typedef struct VeritySuperblock {
        uint8_t signature[8]; /* "verity\0\0" */
        uint32_t version;     /* 1 */
        uint32_t hash_type;   /* 1: salt first (format 1) */
        uint8_t uuid[16];
        uint8_t algorithm[32];
        uint32_t data_block_size;
        uint32_t hash_block_size;
        uint64_t data_blocks;
        uint16_t salt_size;
        uint8_t pad1[6];
        uint8_t salt[256];
        uint8_t pad2[168];
} __attribute__((packed)) VeritySuperblock;

_Static_assert(sizeof(VeritySuperblock) == 512, "verity superblock is 512 bytes");

void verity_params_init(VerityParams *p) {
        *p = (VerityParams){ .data_block_size = 4096, .hash_block_size = 4096, .superblock = true };
}

static bool power_of_two_in(uint32_t v, uint32_t lo, uint32_t hi) {
        return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

int verity_params_validate(const VerityParams *p) {
        if (!power_of_two_in(p->data_block_size, 512, 1 << 20) ||
            !power_of_two_in(p->hash_block_size, 512, 1 << 20))
                return -EINVAL;
        if (p->data_blocks == 0 || p->salt_size > VERITY_MAX_SALT)
                return -EINVAL;
        if (p->data_blocks > UINT64_MAX / p->data_block_size)
                return -EINVAL;
        return 0;
}

/* Level i (0 = hashes of data blocks) holds ceil(data_blocks / per_block^(i+1)) hash blocks. As in
 * veritysetup there are as many levels as it takes for one block to cover every data block, and zero
 * levels for a single data block (the root hash is then that block's hash). */
typedef struct Layout {
        unsigned levels;
        uint64_t level_start[VERITY_MAX_LEVELS]; /* in hash blocks, from the start of the hash device */
        uint64_t level_blocks[VERITY_MAX_LEVELS];
        uint64_t total_blocks;
} Layout;

static int layout_compute(const VerityParams *p, Layout *l) {
        unsigned bits = 0;
        uint64_t per_block = p->hash_block_size / VERITY_DIGEST_SIZE, pos;

        while ((1ULL << bits) < per_block)
                bits++;
        *l = (Layout){};
        while (bits * l->levels < 64 && ((p->data_blocks - 1) >> (bits * l->levels)))
                l->levels++;
        if (l->levels > VERITY_MAX_LEVELS)
                return -EINVAL;
        pos = p->superblock ? 1 : 0;
        for (int i = (int) l->levels - 1; i >= 0; i--) {
                unsigned shift = (unsigned) (i + 1) * bits;
                uint64_t n = shift >= 64 ? 1 : (p->data_blocks + (1ULL << shift) - 1) >> shift;

                l->level_start[i] = pos;
                l->level_blocks[i] = n;
                pos += n;
        }
        l->total_blocks = pos;
        return 0;
}

int verity_hash_size(const VerityParams *p, uint64_t *ret_bytes) {
        Layout l;
        int r = verity_params_validate(p);

        if (r < 0)
                return r;
        r = layout_compute(p, &l);
        if (r < 0)
                return r;
        *ret_bytes = l.total_blocks * p->hash_block_size;
        return 0;
}

/* The salt goes first (format 1): hash it once and copy that state for every block. */
static int hash_block(EVP_MD_CTX *salted, EVP_MD_CTX *work, const uint8_t *data, size_t n, uint8_t *out) {
        if (!EVP_MD_CTX_copy_ex(work, salted) || !EVP_DigestUpdate(work, data, n) ||
            !EVP_DigestFinal_ex(work, out, NULL))
                return -EIO;
        return 0;
}

/* Hashes `count` blocks of `in_size` bytes read from in_fd at in_offset into hash blocks written to out_fd
 * at out_offset, one digest per entry, each output block zero-padded. */
static int hash_level(int in_fd, uint64_t in_offset, uint64_t count, uint32_t in_size, int out_fd,
                      uint64_t out_offset, uint32_t out_size, EVP_MD_CTX *salted, EVP_MD_CTX *work) {
        size_t per_block = out_size / VERITY_DIGEST_SIZE;
        _cleanup_(iobuf_done) IoBuf buf = {};
        _cleanup_free_ uint8_t *out = calloc(1, out_size);
        size_t used = 0;
        uint8_t *in;
        int r;

        if (iobuf_get(&buf, (size_t) in_size * CHUNK_BLOCKS) < 0 || !out)
                return -ENOMEM;
        in = buf.data;
        for (uint64_t done = 0; done < count;) {
                size_t n = (size_t) MIN((uint64_t) CHUNK_BLOCKS, count - done);

                r = pread_full(in_fd, in, n * in_size, (off_t) (in_offset + done * in_size));
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n; i++) {
                        r = hash_block(salted, work, in + i * in_size, in_size,
                                       out + used * VERITY_DIGEST_SIZE);
                        if (r < 0)
                                return r;
                        if (++used == per_block) {
                                r = pwrite_full(out_fd, out, out_size, (off_t) out_offset);
                                if (r < 0)
                                        return r;
                                out_offset += out_size;
                                memset(out, 0, out_size);
                                used = 0;
                        }
                }
                done += n;
        }
        if (used > 0)
                return pwrite_full(out_fd, out, out_size, (off_t) out_offset);
        return 0;
}

static int write_superblock(int hash_fd, const VerityParams *p) {
        _cleanup_free_ uint8_t *block = calloc(1, p->hash_block_size);
        VeritySuperblock sb = {
                .signature = "verity",
                .version = htole32(1),
                .hash_type = htole32(1),
                .algorithm = "sha256",
                .data_block_size = htole32(p->data_block_size),
                .hash_block_size = htole32(p->hash_block_size),
                .data_blocks = htole64(p->data_blocks),
                .salt_size = htole16((uint16_t) p->salt_size),
        };

        if (!block)
                return -ENOMEM;
        memcpy(sb.uuid, p->uuid, sizeof(sb.uuid));
        memcpy(sb.salt, p->salt, p->salt_size);
        memcpy(block, &sb, sizeof(sb));
        return pwrite_full(hash_fd, block, p->hash_block_size, 0);
}

struct VerityBuilder {
        VerityParams p;
        Layout l;
        int hash_fd;
        EVP_MD_CTX *salted, *work;
        uint64_t blocks;  /* data blocks hashed so far */
        uint8_t *partial; /* a data block split across feeds, gathered */
        size_t partial_size;
        uint8_t *out; /* the level-0 hash block being filled */
        size_t used;  /* digests in out */
        uint64_t out_offset;
};

VerityBuilder *verity_builder_free(VerityBuilder *b) {
        if (!b)
                return NULL;
        EVP_MD_CTX_free(b->salted);
        EVP_MD_CTX_free(b->work);
        free(b->partial);
        free(b->out);
        free(b);
        return NULL;
}

int verity_builder_new(const VerityParams *p, int hash_fd, VerityBuilder **ret) {
        _cleanup_(verity_builder_freep) VerityBuilder *b = NULL;
        int r;

        r = verity_params_validate(p);
        if (r < 0)
                return r;
        b = calloc(1, sizeof(VerityBuilder));
        if (!b)
                return -ENOMEM;
        b->p = *p;
        b->hash_fd = hash_fd;
        r = layout_compute(p, &b->l);
        if (r < 0)
                return r;
        b->out_offset = b->l.level_start[0] * p->hash_block_size;
        b->salted = EVP_MD_CTX_new();
        b->work = EVP_MD_CTX_new();
        /* With no levels, out keeps the single data block's digest: the root hash. */
        b->out = calloc(1, MAX(p->hash_block_size, (uint32_t) VERITY_DIGEST_SIZE));
        if (!b->salted || !b->work || !b->out || !EVP_DigestInit_ex(b->salted, EVP_sha256(), NULL) ||
            !EVP_DigestUpdate(b->salted, p->salt, p->salt_size))
                return -ENOMEM;
        *ret = TAKE_PTR(b);
        return 0;
}

/* One whole data block: its digest goes into the level-0 block being filled, which is written once full. */
static int builder_block(VerityBuilder *b, const uint8_t *data) {
        int r;

        r = hash_block(b->salted, b->work, data, b->p.data_block_size,
                       b->out + b->used * VERITY_DIGEST_SIZE);
        if (r < 0)
                return r;
        b->blocks++;
        if (b->l.levels == 0 || ++b->used < b->p.hash_block_size / VERITY_DIGEST_SIZE)
                return 0;
        r = pwrite_full(b->hash_fd, b->out, b->p.hash_block_size, (off_t) b->out_offset);
        if (r < 0)
                return r;
        b->out_offset += b->p.hash_block_size;
        memset(b->out, 0, b->p.hash_block_size);
        b->used = 0;
        return 0;
}

int verity_builder_feed(VerityBuilder *b, const void *data, size_t size) {
        const uint8_t *d = data;
        size_t dbs = b->p.data_block_size;
        int r;

        while (size > 0 && b->blocks < b->p.data_blocks) {
                /* Whole blocks are hashed where they are; only a block split across feeds is copied. */
                if (b->partial_size == 0 && size >= dbs) {
                        r = builder_block(b, d);
                        if (r < 0)
                                return r;
                        d += dbs;
                        size -= dbs;
                        continue;
                }
                if (!b->partial && !(b->partial = malloc(dbs)))
                        return -ENOMEM;
                size_t n = MIN(dbs - b->partial_size, size);
                memcpy(b->partial + b->partial_size, d, n);
                b->partial_size += n;
                d += n;
                size -= n;
                if (b->partial_size == dbs) {
                        b->partial_size = 0;
                        r = builder_block(b, b->partial);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int verity_builder_finish(VerityBuilder *b, uint8_t ret_root_hash[VERITY_DIGEST_SIZE]) {
        const VerityParams *p = &b->p;
        const Layout *l = &b->l;
        _cleanup_free_ uint8_t *top = NULL;
        int r;

        if (b->blocks < p->data_blocks)
                return -ENODATA;
        if (l->levels == 0) {
                /* A single data block: the root hash is its digest. */
                memcpy(ret_root_hash, b->out, VERITY_DIGEST_SIZE);
                return p->superblock ? write_superblock(b->hash_fd, p) : 0;
        }
        if (b->used > 0) {
                r = pwrite_full(b->hash_fd, b->out, p->hash_block_size, (off_t) b->out_offset);
                if (r < 0)
                        return r;
        }
        if (p->superblock) {
                r = write_superblock(b->hash_fd, p);
                if (r < 0)
                        return r;
        }
        for (unsigned i = 1; i < l->levels; i++) {
                r = hash_level(b->hash_fd, l->level_start[i - 1] * p->hash_block_size,
                               l->level_blocks[i - 1], p->hash_block_size, b->hash_fd,
                               l->level_start[i] * p->hash_block_size, p->hash_block_size, b->salted,
                               b->work);
                if (r < 0)
                        return r;
        }
        /* The root hash covers the single block of the top level. */
        top = malloc(p->hash_block_size);
        if (!top)
                return -ENOMEM;
        r = pread_full(b->hash_fd, top, p->hash_block_size,
                       (off_t) (l->level_start[l->levels - 1] * p->hash_block_size));
        if (r < 0)
                return r;
        return hash_block(b->salted, b->work, top, p->hash_block_size, ret_root_hash);
}

int verity_format(int data_fd, int hash_fd, const VerityParams *p,
                  uint8_t ret_root_hash[VERITY_DIGEST_SIZE]) {
        return verity_format_at(data_fd, 0, hash_fd, p, ret_root_hash);
}

int verity_format_at(int data_fd, uint64_t data_offset, int hash_fd, const VerityParams *p,
                     uint8_t ret_root_hash[VERITY_DIGEST_SIZE]) {
        _cleanup_(verity_builder_freep) VerityBuilder *b = NULL;
        _cleanup_(iobuf_done) IoBuf buf = {};
        uint8_t *in;
        int r;

        r = verity_builder_new(p, hash_fd, &b);
        if (r < 0)
                return r;
        if (iobuf_get(&buf, (size_t) p->data_block_size * CHUNK_BLOCKS) < 0)
                return -ENOMEM;
        in = buf.data;
        for (uint64_t done = 0; done < p->data_blocks;) {
                size_t n = (size_t) MIN((uint64_t) CHUNK_BLOCKS, p->data_blocks - done) * p->data_block_size;

                r = pread_full(data_fd, in, n, (off_t) (data_offset + done * p->data_block_size));
                if (r < 0)
                        return r;
                r = verity_builder_feed(b, in, n);
                if (r < 0)
                        return r;
                done += n / p->data_block_size;
        }
        return verity_builder_finish(b, ret_root_hash);
}
