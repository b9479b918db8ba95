/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "tuf-fetch.h"
#include "tuf-metadata.h"
#include "tuf-time.h"

/* A TUF 1.0 client: the detailed client workflow of the specification (section 5). From a trusted root it
 * follows root rotations, then loads timestamp, snapshot and targets, each checked for signatures by a
 * threshold of distinct keys, rollback, freeze and mix-and-match; then resolves targets through
 * delegations and checks their length and hashes.
 *
 * Every function that can refuse returns a negative errno and a message naming the file and the reason
 * in *ret_error (free() it; ret_error may be NULL):
 *   -EPERM     signatures below threshold, or a root rotation not signed by both roots
 *   -ESTALE    expired metadata (freeze)
 *   -EBADMSG   malformed metadata, a hash or length mismatch, a version that does not match what the
 *              referring metadata lists (mix and match), or a version that went back (rollback)
 *   -EFBIG     a file longer than declared or allowed (endless data)
 *   -ENOENT    a file the repository does not have, or a target no trusted role lists
 *   other      download failures, -ENOMEM */

/* Download bounds (bytes) and search bounds. */
typedef struct TufOptions {
        uint64_t root_max_size;      /* each N.root.json: 512 KiB */
        uint64_t timestamp_max_size; /* 16 KiB */
        uint64_t snapshot_max_size;  /* when timestamp does not give its length: 2 MiB */
        uint64_t targets_max_size;   /* targets and delegated roles without a listed length: 5 MiB */
        unsigned max_root_rotations; /* new roots fetched per update: 32 */
        unsigned max_delegations;    /* roles visited per target search: 32 */
} TufOptions;

void tuf_options_init(TufOptions *o);

typedef struct TufClient TufClient;

/* Starts from root (the trusted root.json, as bytes), which must be signed by a threshold of its own root
 * keys; it may be expired. fetcher is borrowed and must outlive the client. opts may be NULL. */
int tuf_client_new(const void *root, size_t root_size, TufFetcher *fetcher, const TufOptions *opts,
                   TufClient **ret, char **ret_error);
TufClient *tuf_client_free(TufClient *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(TufClient *, tuf_client_free);

/* The fixed update start time that expiry is compared with (default: the time of tuf_client_new()). */
void tuf_client_set_now(TufClient *c, TufTime now);

/* Hands the client metadata it trusted in an earlier update (a caller's cache, section 5.2), before
 * tuf_client_refresh(); expired metadata is accepted, since only its version is used.
 *   TUF_ROLE_ROOT: the next root after the trusted one (version N+1, signed by a threshold of the keys of
 *     both), as a rotation fetched from the repository must be; call it once per cached root, oldest
 *     first, and before any other role.
 *   TUF_ROLE_TIMESTAMP, _SNAPSHOT, _TARGETS: must be signed by the trusted root's keys for the role; their
 *     versions become floors the repository cannot roll back under (timestamp and snapshot version,
 *     snapshot's listed versions, targets version). They are checked again against the root once it is
 *     updated, and timestamp and snapshot are dropped if the root rotated their keys (the last step of the
 *     root update in section 5.3): that is how a client recovers from a fast-forward attack.
 * Returns -EBADMSG if data does not parse as that role (or a root breaks the chain), -EPERM if it is not
 * signed as required, -EINVAL after a refresh, for another type, or for a root after another role. A
 * refused file changes nothing: the caller may ignore it and go on. */
int tuf_client_set_trusted(TufClient *c, TufRoleType type, const void *data, size_t size, char **ret_error);

/* Runs sections 5.3 to 5.6.6: root rotation, timestamp, snapshot and top-level targets. */
int tuf_client_refresh(TufClient *c, char **ret_error);

/* The trusted metadata of a top-level role after tuf_client_refresh(), for callers that persist it for
 * the next update (its raw member holds the bytes as fetched). Returns NULL before a refresh. */
const TufMetadata *tuf_client_trusted(const TufClient *c, TufRoleType type);

/* The version of the root the client trusts now: the initial one, then the newest it took. */
uint64_t tuf_client_root_version(const TufClient *c);

/* The root of that version the client trusted on its way to the current one (the initial root, roots given
 * to tuf_client_set_trusted(), rotations), or NULL. A caller that persists roots keeps the whole chain, so
 * that the next update can check each link from the root it ships with. */
const TufMetadata *tuf_client_trusted_root(const TufClient *c, uint64_t version);

/* Section 5.6.7: the target at path, by a pre-order depth-first search of the delegations (bounded by
 * max_delegations). ret_role (may be NULL) receives the name of the role that listed it.
 * Returns 0, -ENOENT if no trusted role lists it, or why a role on the way could not be loaded. */
int tuf_client_find_target(TufClient *c, const char *path, const TufTarget **ret, const char **ret_role,
                           char **ret_error);

/* Section 5.7: downloads target t (from tuf_client_find_target()) into sink, at most t->length bytes,
 * and checks its length and every listed hash. The sink sees the data before it is verified: it must not
 * use it until this returns 0. ret_sha256 (may be NULL) receives the data's sha256. */
int tuf_client_fetch_target(TufClient *c, const TufTarget *t, TufSink sink, void *userdata,
                            uint8_t ret_sha256[32], char **ret_error);

/* The name under which tuf_client_fetch_target() asks the fetcher for t: its path, or with consistent
 * snapshots "<dir>/<hash>.<name>". Returns 0 or -ENOMEM. */
int tuf_client_target_filename(const TufClient *c, const TufTarget *t, char **ret);

/* Every target path the trusted roles list, each resolved as tuf_client_find_target() would, in path order.
 * A path that a role lists but that does not resolve (outside the paths delegated to that role, or
 * shadowed by a terminating delegation) is refused with -EPERM: a repository that verifies is one in
 * which every listing is authorized. *ret is an array of *ret_n borrowed pointers; free() the array. */
int tuf_client_list_targets(TufClient *c, const TufTarget ***ret, size_t *ret_n, char **ret_error);
