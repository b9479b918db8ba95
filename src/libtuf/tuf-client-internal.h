/* SPDX-License-Identifier: MIT */
#pragma once

#include "tuf.h"

/* A delegated role found to be signed as a delegation requires. */
typedef struct TufVerified {
        const TufMetadata *role;
        const TufDelegation *by;
} TufVerified;

struct TufClient {
        TufOptions opts;
        TufFetcher *fetcher;
        TufTime now;

        /* Trusted metadata. Before tuf_client_refresh(), timestamp and snapshot may hold what the caller
         * trusted last time (unverified until the root is final). */
        TufMetadata *root, *timestamp, *snapshot, *targets;
        /* The roots trusted before the current one, oldest first (the initial one, the caller's cached
         * successors, the repository's rotations), for callers that persist the chain. */
        TufMetadata **old_roots;
        size_t n_old_roots;
        bool keys_rotated; /* a root rotation changed the timestamp or snapshot keys */
        bool trusted_set;  /* the caller handed over a previously trusted timestamp, snapshot or targets */
        bool refreshed;

        /* Delegated targets roles loaded so far, by name; owned. */
        TufMetadata **delegated;
        size_t n_delegated;
        TufVerified *verified;
        size_t n_verified;
};

/* tuf-client-download.c */

/* Downloads metadata file name (as the repository names it) into memory, at most max_size bytes.
 * file names it in messages, bound_by says what set the bound ("declared by timestamp.json"). */
int tuf_download_metadata(TufClient *c, const char *name, const char *file, uint64_t max_size,
                          const char *bound_by, void **ret, size_t *ret_size, char **ret_error);

/* Fetches, checks against the referring meta entry (length, hashes) and parses a metadata file.
 * mf may be NULL (timestamp, root). */
int tuf_load_metadata(TufClient *c, TufRoleType type, const char *name, const char *file, uint64_t max_size,
                      const TufMetaFile *mf, const char *listed_by, TufMetadata **ret, char **ret_error);

/* The file name of a role's metadata in the repository: "<version>.<role>.json" with consistent
 * snapshots, "<role>.json" otherwise, with the role name percent-encoded so it stays one path component. */
int tuf_metadata_filename(const char *role, bool consistent, uint64_t version, char **ret);

/* -ESTALE with "<file>: expired at <time> (freeze)" if m expired at or before c->now. */
int tuf_check_expiry(const TufClient *c, const TufMetadata *m, char **ret_error);

/* tuf-client-root.c */
int tuf_update_root(TufClient *c, char **ret_error);
/* Checks that m may follow the trusted root old as version next (section 5.3.4 to 5.3.6). */
int tuf_check_next_root(const TufMetadata *old, const TufMetadata *m, uint64_t next, char **ret_error);
/* Makes m (owned) the trusted root; the previous one joins c->old_roots. */
int tuf_push_root(TufClient *c, TufMetadata *m);

/* tuf-client-update.c */
int tuf_update_timestamp(TufClient *c, char **ret_error);
int tuf_update_snapshot(TufClient *c, char **ret_error);
int tuf_update_targets(TufClient *c, char **ret_error);

/* tuf-delegation.c */
bool tuf_delegation_matches(const TufDelegation *d, const char *path);
