/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "update-install.h"
#include "verity.h"

/* The dm-verity tree the root image must have: parameters from the verity target's signed custom metadata.
 * The writer builds the tree from the bytes it writes (update-stream.h), and the check below holds it
 * against the signed root hash and the verity partition: the check the kernel makes block by block at
 * boot, made once before the UKI appears, so that a bad image never gets one. */
typedef struct UpdateVerity {
        VerityParams params;
        int64_t hash_start; /* the tree's first hash block in verity.img; < 0: no layout to compare with */
} UpdateVerity;

/* Before anything is written: the root and verity targets must name the same root hash, and the verity
 * target's salt and block counts must describe a tree of at most the root_length bytes to be written. */
int update_verity_params(const UpdateImage *img, uint64_t root_length, UpdateVerity *ret, char **ret_error);

/* After the write: the root hash of the tree the writer built (into tree_fd) against the signed
 * verity_root_hash, and the tree against what the verity partition holds. root names the partition in
 * messages. */
int update_verity_check(const UpdateImage *img, const UpdateVerity *v, int tree_fd,
                        const uint8_t root_hash[VERITY_DIGEST_SIZE], const UpdatePartition *root,
                        UpdatePartition *verity, char **ret_error);

/* Whether the verity target's data blocks (custom metadata) span exactly the root_length bytes written:
 * then the tree checks every byte of the root. */
bool update_verity_covers(const UpdateImage *img, uint64_t root_length);
