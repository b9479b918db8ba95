/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "tuf-time.h"

/* Which version a node should install, from a checked manifest (decision 0009). */
typedef struct UpdatePolicy {
        const char *variant;
        const char *current; /* the running version */
        const char *lock;    /* NULL or "latest": the newest; else only this version */
        const char *skip;    /* NULL, or a version never to offer: one this node came back from */
        bool ignore_waves;
        unsigned seed; /* the node's fleet seed, [0, MANIFEST_SEEDS) */
        TufTime now;
} UpdatePolicy;

/* The newest version entry of the variant that is newer than the current one, allowed by the lock, not
 * the one to skip and, unless ignore_waves, whose wave for the node's seed has started. Returns 1 with *ret
 * (borrowed from manifest), 0 if none (up to date), -EINVAL with a message for a bad current version or
 * lock. */
int update_select(json_object *manifest, const UpdatePolicy *p, json_object **ret, char **ret_error);

/* The entry of variant/version, or NULL. */
json_object *update_manifest_find(json_object *manifest, const char *variant, const char *version);
