/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* dm-verity hash tree, format 1 (salt hashed before the block), sha256, the on-disk layout veritysetup
 * writes: an optional 512-byte superblock in hash block 0, then the tree with its top level first. */

#define VERITY_DIGEST_SIZE 32
#define VERITY_MAX_SALT    256
#define VERITY_MAX_LEVELS  63

typedef struct VerityParams {
        uint64_t data_blocks;
        uint32_t data_block_size; /* 512..1 MiB, power of two; we use 4096 */
        uint32_t hash_block_size;
        uint8_t salt[VERITY_MAX_SALT];
        size_t salt_size;
        bool superblock; /* write veritysetup's superblock in hash block 0 (tree starts at block 1) */
        uint8_t uuid[16];
} VerityParams;

/* Fills in defaults: 4096-byte blocks, a superblock, no salt. */
void verity_params_init(VerityParams *p);

/* Checks sizes and limits. Returns 0 or -EINVAL. */
int verity_params_validate(const VerityParams *p);

/* Bytes the hash device needs for these parameters (superblock included). */
int verity_hash_size(const VerityParams *p, uint64_t *ret_bytes);

/* Reads p->data_blocks blocks from data_fd (from offset 0), writes the superblock and tree to hash_fd (from
 * offset 0) and returns the root hash. Streams: memory does not grow with the data size.
 * Returns 0 or a negative errno (-EIO on a short data device). */
int verity_format(int data_fd, int hash_fd, const VerityParams *p,
                  uint8_t ret_root_hash[VERITY_DIGEST_SIZE]);

/* The same for data that starts at data_offset of data_fd: a partition read through its whole disk. */
int verity_format_at(int data_fd, uint64_t data_offset, int hash_fd, const VerityParams *p,
                     uint8_t ret_root_hash[VERITY_DIGEST_SIZE]);

/* The same tree built from the data as it streams past, for a writer that hashes what it writes instead of
 * reading it back. */
typedef struct VerityBuilder VerityBuilder;

/* A builder of the tree of p into hash_fd (borrowed; the layout of verity_format). -EINVAL for bad params.
 */
int verity_builder_new(const VerityParams *p, int hash_fd, VerityBuilder **ret);
VerityBuilder *verity_builder_free(VerityBuilder *b);
DEFINE_TRIVIAL_CLEANUP_FUNC(VerityBuilder *, verity_builder_free);

/* Takes the next size bytes of data, in any split. Bytes past the p->data_blocks blocks are not part of
 * the tree and are ignored. */
int verity_builder_feed(VerityBuilder *b, const void *data, size_t size);

/* Once every data block was fed: writes the superblock and the upper levels and returns the root hash.
 * -ENODATA if fewer than p->data_blocks blocks were fed. */
int verity_builder_finish(VerityBuilder *b, uint8_t ret_root_hash[VERITY_DIGEST_SIZE]);
