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

/* An installation between its write and its verification. */
typedef struct UpdateInstall UpdateInstall;

/* Streams the root image (decompressed) and the verity tree into the two partitions, the root's tree
 * built from what is written (checked against the signed values at the end of the stream). Partitions too
 * small and a tree that cannot be the root's are refused before anything is downloaded. */
int update_install_write(UpdateRepo *repo, const UpdateImage *img, UpdatePartition *root,
                         UpdatePartition *verity, UpdateInstall **ret, char **ret_error);

/* fsyncs both partitions, reads both back from the device and checks them, and the tree (decision 0010).
 * Touches neither the repository nor the ESP: a UKI may download meanwhile. */
int update_install_verify(UpdateInstall *in, char **ret_error);

UpdateInstall *update_install_free(UpdateInstall *in);
DEFINE_TRIVIAL_CLEANUP_FUNC(UpdateInstall *, update_install_free);
