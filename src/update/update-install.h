/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

#include "tuf.h"
#include "update-partition.h"
#include "update-repo.h"

/* The targets of one image version, resolved through TUF and cross-checked against their signed custom
 * metadata (decision 0009): what the agent writes where. */
typedef struct UpdateImage {
        const char *variant, *version;
        const TufTarget *root, *verity, *uki;
        json_object *root_custom, *verity_custom; /* borrowed from the repository */
} UpdateImage;

/* Resolves the manifest entry's root, verity and uki-<set> targets. */
int update_image_resolve(UpdateRepo *repo, json_object *entry, char set, UpdateImage *ret, char **ret_error);

/* Streams the root image (decompressed) and the verity tree into the two partitions, checking the
 * root's sha256 and length against uncompressed_sha256 and uncompressed_length as it passes, fsyncs them,
 * then reads both back and checks them: the dm-verity tree and root hash recomputed from the written
 * root against verity.img and verity_root_hash, the verity partition's sha256 against the target, and
 * the root's sha256 where the tree does not cover all of it (decision 0010). Partitions too small are
 * refused before anything is downloaded. */
int update_install_partitions(UpdateRepo *repo, const UpdateImage *img, UpdatePartition *root,
                              UpdatePartition *verity, char **ret_error);
