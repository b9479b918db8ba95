/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "tuf-client-internal.h"
#include "tuf-error.h"

void tuf_options_init(TufOptions *o) {
        *o = (TufOptions){
                .root_max_size = 512 * 1024,
                .timestamp_max_size = 16 * 1024,
                .snapshot_max_size = 2 * 1024 * 1024,
                .targets_max_size = 5 * 1024 * 1024,
                .max_root_rotations = 32,
                .max_delegations = 32,
        };
}

int tuf_client_new(const void *root, size_t root_size, TufFetcher *fetcher, const TufOptions *opts,
                   TufClient **ret, char **ret_error) {
        _cleanup_(tuf_client_freep) TufClient *c = NULL;
        int r;

        c = calloc(1, sizeof(TufClient));
        if (!c)
                return -ENOMEM;
        if (opts)
                c->opts = *opts;
        else
                tuf_options_init(&c->opts);
        c->fetcher = fetcher;
        c->now = tuf_time_now();
        r = tuf_metadata_parse(root, root_size, TUF_ROLE_ROOT, "root.json", &c->root, ret_error);
        if (r < 0)
                return r;
        /* The trusted root came over a trusted channel, but it must still be what its own keys signed. */
        r = tuf_metadata_verify(c->root, &c->root->keys, &c->root->roles[TUF_ROLE_ROOT], "root", ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

TufClient *tuf_client_free(TufClient *c) {
        if (!c)
                return NULL;
        tuf_metadata_free(c->root);
        for (size_t i = 0; i < c->n_old_roots; i++)
                tuf_metadata_free(c->old_roots[i]);
        free(c->old_roots);
        tuf_metadata_free(c->timestamp);
        tuf_metadata_free(c->snapshot);
        tuf_metadata_free(c->targets);
        for (size_t i = 0; i < c->n_delegated; i++)
                tuf_metadata_free(c->delegated[i]);
        free(c->delegated);
        free(c->verified);
        free(c);
        return NULL;
}

void tuf_client_set_now(TufClient *c, TufTime now) {
        c->now = now;
}

/* A cached root must be the next one in the chain from the trusted root, as a rotation fetched from the
 * repository would be: the cache is not trusted more than the repository. */
static int set_trusted_root(TufClient *c, const void *data, size_t size, char **ret_error) {
        _cleanup_(tuf_metadata_freep) TufMetadata *m = NULL;
        _cleanup_free_ char *file = NULL;
        uint64_t next = c->root->version + 1;
        int r;

        /* The other roles are checked against the newest root when they are handed over. */
        if (c->trusted_set)
                return -EINVAL;
        if (asprintf(&file, "trusted %" PRIu64 ".root.json", next) < 0)
                return -ENOMEM;
        r = tuf_metadata_parse(data, size, TUF_ROLE_ROOT, file, &m, ret_error);
        if (r < 0)
                return r;
        r = tuf_check_next_root(c->root, m, next, ret_error);
        if (r < 0)
                return r;
        return tuf_push_root(c, TAKE_PTR(m));
}

int tuf_client_set_trusted(TufClient *c, TufRoleType type, const void *data, size_t size, char **ret_error) {
        TufMetadata **slot = type == TUF_ROLE_TIMESTAMP  ? &c->timestamp
                             : type == TUF_ROLE_SNAPSHOT ? &c->snapshot
                             : type == TUF_ROLE_TARGETS  ? &c->targets
                                                         : NULL;
        _cleanup_(tuf_metadata_freep) TufMetadata *m = NULL;
        _cleanup_free_ char *file = NULL;
        int r;

        if (c->refreshed)
                return -EINVAL;
        if (type == TUF_ROLE_ROOT)
                return set_trusted_root(c, data, size, ret_error);
        if (!slot)
                return -EINVAL;
        if (asprintf(&file, "trusted %s.json", tuf_role_type_name(type)) < 0)
                return -ENOMEM;
        r = tuf_metadata_parse(data, size, type, file, &m, ret_error);
        if (r < 0)
                return r;
        /* Checked now, so that the caller can say which cached file it ignores, and again against the
         * final root in tuf_client_refresh(). Expiry does not matter: only the version is used. */
        r = tuf_metadata_verify(m, &c->root->keys, &c->root->roles[type], tuf_role_type_name(type),
                                ret_error);
        if (r < 0)
                return r;
        tuf_metadata_free(*slot);
        *slot = TAKE_PTR(m);
        c->trusted_set = true;
        return 0;
}

uint64_t tuf_client_root_version(const TufClient *c) {
        return c->root->version;
}

const TufMetadata *tuf_client_trusted_root(const TufClient *c, uint64_t version) {
        if (c->root->version == version)
                return c->root;
        for (size_t i = 0; i < c->n_old_roots; i++)
                if (c->old_roots[i]->version == version)
                        return c->old_roots[i];
        return NULL;
}

/* Keeps what was trusted before only if the final root still vouches for it: after a key rotation it is
 * dropped (fast-forward recovery), and metadata its keys no longer sign is dropped as well. Expiry does
 * not matter here; only the versions are used, as a floor. */
static int check_previous(TufClient *c, TufMetadata **slot, TufRoleType type) {
        int r = 0;

        /* Section 5.3.11 drops timestamp and snapshot when their keys rotate; targets only needs to be
         * signed by the current keys. */
        bool rotated = c->keys_rotated && type != TUF_ROLE_TARGETS;

        if (!*slot)
                return 0;
        if (!rotated) {
                r = tuf_metadata_verify(*slot, &c->root->keys, &c->root->roles[type],
                                        tuf_role_type_name(type), NULL);
                /* Out of memory is no reason to forget a rollback floor. */
                if (r == -ENOMEM)
                        return r;
        }
        if (rotated || r < 0) {
                log_debug("Dropping the previously trusted %s metadata: %s", tuf_role_type_name(type),
                          rotated ? "keys were rotated" : "not signed by the current keys");
                *slot = tuf_metadata_free(*slot);
        }
        return 0;
}

int tuf_client_refresh(TufClient *c, char **ret_error) {
        int r;

        if (c->refreshed)
                return -EALREADY;
        r = tuf_update_root(c, ret_error);
        if (r < 0)
                return r;
        r = tuf_check_expiry(c, c->root, ret_error);
        if (r < 0)
                return r;
        if ((r = check_previous(c, &c->timestamp, TUF_ROLE_TIMESTAMP)) < 0 ||
            (r = check_previous(c, &c->snapshot, TUF_ROLE_SNAPSHOT)) < 0 ||
            (r = check_previous(c, &c->targets, TUF_ROLE_TARGETS)) < 0 ||
            (r = tuf_update_timestamp(c, ret_error)) < 0 || (r = tuf_update_snapshot(c, ret_error)) < 0 ||
            (r = tuf_update_targets(c, ret_error)) < 0)
                return r;
        c->refreshed = true;
        return 0;
}

const TufMetadata *tuf_client_trusted(const TufClient *c, TufRoleType type) {
        if (!c->refreshed)
                return NULL;
        switch (type) {
        case TUF_ROLE_ROOT:
                return c->root;
        case TUF_ROLE_TIMESTAMP:
                return c->timestamp;
        case TUF_ROLE_SNAPSHOT:
                return c->snapshot;
        case TUF_ROLE_TARGETS:
                return c->targets;
        default:
                return NULL;
        }
}
