/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "repo-key.h"
#include "repo-target.h"
#include "tuf-metadata.h"
#include "tuf-time.h"

/* The parsed command line. Each verb takes the options its help lists; the parser refuses the others. */
typedef struct Args {
        const char *dir, *repo, *keys, *new_keys;
        const char *version, *image_dir, *variant, *waves, *out;
        RepoKeyType key_type;
        Compression compression;
        bool compression_set;
        bool consistent;
        TufRoleType role;
        bool role_set;
        int64_t days;
        bool days_set;
        int64_t expires[_TUF_ROLE_TYPE_MAX]; /* INT64_MIN: not given */
        TufTime now;
        TufTime released;
        bool released_set;
} Args;

int verb_keys_create(const Args *a);
int verb_init(const Args *a);
int verb_add(const Args *a);
int verb_sign(const Args *a);
int verb_rotate_root(const Args *a);
int verb_expire(const Args *a);
int verb_bundle(const Args *a);

/* The root "signed" object for keys[role] (one key and threshold 1 per role). */
json_object *root_signed_new(RepoKey *const keys[static _TUF_ROLE_TYPE_MAX], uint64_t version,
                             const char *expires, bool consistent);
