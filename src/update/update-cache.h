/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "tuf.h"

/* The agent's cache of trusted TUF metadata (section 5.2 of the specification), so that rollback and
 * freeze protection hold across checks and not only within one: every root the client rotated through
 * after the shipped one ("<N>.root.json"), and the last trusted "timestamp.json", "snapshot.json" and
 * "targets.json", each as fetched. On the data partition, beside the state file. */
#define UPDATE_METADATA_CACHE "/var/lib/bulkhead/tuf"

typedef struct UpdateCache {
        const char *dir;       /* borrowed; NULL: no cache */
        uint64_t shipped_root; /* the version of the root the chain starts from */
        uint64_t loaded_root;  /* the newest root taken from the cache */
} UpdateCache;

/* Hands the cache in dir to c, before its refresh: the roots following c's trusted root, in order, then
 * timestamp, snapshot and targets. A missing directory or file is an empty cache; a file that cannot be
 * read, parsed or verified is ignored with a warning (the update goes on from what did load: the shipped
 * root at worst). Returns 0 or -ENOMEM. */
int update_cache_load(UpdateCache *cache, const char *dir, TufClient *c);

/* After a successful refresh of c: writes each root of the chain after the shipped one and each top-level
 * role, unless the file already holds those bytes, atomically (temp file, fsync, rename, fsync of the
 * directory), creating dir if needed. Returns 0 or a negative errno with a message in *ret_error. */
int update_cache_save(const UpdateCache *cache, const TufClient *c, char **ret_error);
