/* SPDX-License-Identifier: MIT */
#pragma once

#include "repo-target.h"
#include "repo.h"

typedef struct AddOptions {
        const char *image_dir; /* build/images/<variant>: root.erofs, verity.img, verity.env, uki-*.efi */
        const char *variant;   /* default: the image directory's name */
        const char *version;
        const char *waves; /* start offsets in hours, "0,6,24,48" */
        Compression compression;
        TufTime released;
} AddOptions;

/* Stores one image version's targets and stages them with a new manifest entry (published by sign). */
int repo_add_image(Repo *r, const AddOptions *o);

/* The verity.env that mkverity writes: key=value lines. Parsed into a JSON object of the known keys
 * (root_hash and salt as strings, the rest as integers); root_hash is required. Errors name the file. */
int verity_env_parse(const char *path, json_object **ret);
