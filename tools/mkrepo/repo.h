/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "log.h"
#include "repo-key.h"
#include "tuf.h"
#include "tuf-metadata.h"
#include "tuf-time.h"

/* A TUF repository on disk as bulkhead-repo keeps it (docs/decisions/0009-update-repository.md):
 *   config.json             expiry periods and defaults of this repository (not published)
 *   metadata/               N.root.json (every version) and root.json; targets.json, snapshot.json (or
 *                           N.targets.json, N.snapshot.json with consistent snapshots); timestamp.json
 *   targets/                the target files (HASH.name with consistent snapshots)
 *   staging/                targets.json (the next targets "signed" object) and manifest.json, written by
 *                           add and published by sign */

#define REPO_METADATA_MAX (16 * 1024 * 1024)

typedef struct Repo {
        char *dir, *metadata_dir, *targets_dir, *staging_dir, *config_path;
        json_object *config;
        json_object *doc[_TUF_ROLE_TYPE_MAX]; /* the published documents, NULL before init */
        uint64_t version[_TUF_ROLE_TYPE_MAX];
        bool consistent;
        TufTime now;
} Repo;

/* The private keys of a directory, DIR/<role>.pem, loaded when first needed. */
typedef struct KeyDir {
        const char *dir;
        RepoKey *keys[_TUF_ROLE_TYPE_MAX];
        struct KeyDir *fallback; /* where to look for a role this directory has no key of (may be NULL) */
} KeyDir;

/* DIR/<role>.pem as a new string. */
char *keydir_path(const char *dir, TufRoleType role);
/* The key of role from kd, loaded on first use (errors logged with the file). */
int keydir_get(KeyDir *kd, TufRoleType role, RepoKey **ret);
/* Whether DIR/<role>.pem exists. */
bool keydir_has(const KeyDir *kd, TufRoleType role);
void keydir_done(KeyDir *kd);

/* Paths of a repository directory, nothing read. */
int repo_new(const char *dir, TufTime now, Repo **ret);
/* repo_new() plus loading config.json and the published metadata: the newest N.root.json, then
 * timestamp.json and the snapshot and targets it leads to. */
int repo_open(const char *dir, TufTime now, Repo **ret);
Repo *repo_free(Repo *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(Repo *, repo_free);

/* The configured expiry period of role in days (config.json, else 365/90/7/1 for root/targets/snapshot/
 * timestamp). */
int64_t repo_expiry_days(const Repo *r, TufRoleType role);

/* The "signed" object of a document (borrowed). */
json_object *repo_signed(json_object *doc);

/* A new document {"signed": signed_, "signatures": []} (takes signed_). */
json_object *repo_document(json_object *signed_);

/* Replaces doc's signatures with one by each key over the canonical form of "signed". */
int repo_sign(json_object *doc, RepoKey *const *keys, size_t n_keys);

/* The key of role in kd, checked against what the current root lists for it, so that a stale or wrong key
 * directory is refused here rather than by every client. */
int repo_role_key(const Repo *r, KeyDir *kd, TufRoleType role, RepoKey **ret);

/* Writes doc as the file(s) of role at version (N.root.json and root.json; the versioned or plain name of
 * targets and snapshot; timestamp.json) and makes it the published document. The written bytes are
 * returned for the hashes of the referring role (may be NULL). */
int repo_save(Repo *r, TufRoleType role, json_object *doc, char **ret_data, size_t *ret_size);

/* Publishes new versions of the roles in mask (bits 1 << TufRoleType: targets implies snapshot, snapshot
 * implies timestamp), each expiring after days[role] days, or the configured period where days[role] is
 * INT64_MIN; signed with the keys of kd. Then checks that the repository verifies. */
int repo_publish(Repo *r, KeyDir *kd, unsigned mask, const int64_t days[static _TUF_ROLE_TYPE_MAX]);

/* Runs the client workflow (libtuf) from 1.root.json over the repository: the self-check after every
 * change. Metadata expired on purpose is checked at the instant before it expires, and said so. */
int repo_self_check(const Repo *r);

/* The earliest "expires" of the published documents: after it, clients refuse the repository (freeze). */
TufTime repo_earliest_expiry(const Repo *r);

/* A client over fetcher refreshed from the repository's 1.root.json, at r->now or, when published metadata
 * has expired (on purpose, with expire --days -N), the instant before it expires, with a warning. A
 * failure to read 1.root.json is logged; the client's refusals are returned with *ret_error. */
int repo_client(const Repo *r, TufFetcher *fetcher, TufClient **ret, char **ret_error);

/* Writes a bundle of the published repository to out (docs/decisions/0013-update-bundles.md): a ustar
 * archive of every N.root.json and the current timestamp, snapshot and targets metadata, then the targets,
 * or with version (and variant) only that version's targets, the manifest and the migration lists.
 * Written to a temporary file, fsynced, checked with the client reading the archive, then renamed. */
int repo_write_bundle(const Repo *r, const char *out, const char *version, const char *variant);

/* Stable names of staged files. */
char *repo_staged_path(const Repo *r, const char *name);

#define ROLE_BIT(t) (1u << (t))

#define log_oom() log_error_errno(-ENOMEM, "out of memory")
