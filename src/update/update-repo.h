/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

#include "macro.h"
#include "tuf.h"

/* The repository as the agent sees it: the TUF client refreshed from the trusted root, the signed
 * manifest, and each target with its custom metadata. Everything here comes through libtuf's checks;
 * functions return a negative errno with a message in *ret_error (free() it). */

typedef struct UpdateRepo UpdateRepo;

/* Opens repo (a directory or an http(s):// or file:// URL holding metadata/ and targets/) and runs the
 * TUF workflow from the root in root_path, and from the trusted metadata cached in cache_dir (NULL: none;
 * see update-cache.h), which a successful refresh updates. now may be NULL (the clock). */
int update_repo_open(const char *root_path, const char *cache_dir, const char *repo, const TufTime *now,
                     UpdateRepo **ret, char **ret_error);
/* The same from a bundle (docs/decisions/0013-update-bundles.md): a ustar archive of a repository, a regular
 * file or a block device, read in place. A bundle may carry only some versions: the manifest then lists
 * only those whose targets the bundle holds, so that nothing offers a version it cannot install. The same
 * cache: a bundle older than what the node has seen is refused as a rollback. */
int update_repo_open_bundle(const char *root_path, const char *cache_dir, const char *bundle,
                            const TufTime *now, UpdateRepo **ret, char **ret_error);
UpdateRepo *update_repo_free(UpdateRepo *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(UpdateRepo *, update_repo_free);

/* The manifest target, downloaded, verified and checked (decision 0009); borrowed from r. */
int update_repo_manifest(UpdateRepo *r, json_object **ret, char **ret_error);

/* The target at path with its custom metadata (borrowed; an empty object when it has none), which must
 * say it is of kind for variant and version. */
int update_repo_target(UpdateRepo *r, const char *path, const char *kind, const char *variant,
                       const char *version, const TufTarget **ret, json_object **ret_custom,
                       char **ret_error);

/* Downloads t into sink; the bytes are verified (length and hashes) when this returns 0. */
int update_repo_fetch(UpdateRepo *r, const TufTarget *t, TufSink sink, void *userdata, char **ret_error);

/* Downloads a small target (a manifest, a migration) into memory, NUL-terminated, verified. */
int update_repo_fetch_small(UpdateRepo *r, const TufTarget *t, char **ret, size_t *ret_size,
                            char **ret_error);

/* A string or integer member of a custom object: NULL / -1 when absent or of another type. */
const char *update_json_string(json_object *o, const char *key);
int64_t update_json_int(json_object *o, const char *key);
