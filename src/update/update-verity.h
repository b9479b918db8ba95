/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "update-install.h"

/* Recomputes the dm-verity tree of the root image written at root (root_length bytes), with the salt and
 * block counts of the verity target's custom metadata, and checks its root hash against the signed
 * verity_root_hash and the tree against what the verity partition holds. This is the check the kernel
 * would make block by block at boot, made once now so that a bad image never gets a UKI. */
int update_verity_check(const UpdateImage *img, UpdatePartition *root, uint64_t root_length,
                        UpdatePartition *verity, char **ret_error);

/* Whether the verity target's data blocks (custom metadata) span exactly the root_length bytes written:
 * then the recomputed tree checks every byte of the root. */
bool update_verity_covers(const UpdateImage *img, uint64_t root_length);
