/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "tuf-client-internal.h"
#include "tuf-error.h"

static int verify_top_level(const TufClient *c, const TufMetadata *m, TufRoleType type, char **ret_error) {
        return tuf_metadata_verify(m, &c->root->keys, &c->root->roles[type], tuf_role_type_name(type),
                                   ret_error);
}

static int check_not_older(const char *file, const char *what, uint64_t version, uint64_t trusted,
                           char **ret_error) {
        if (version >= trusted)
                return 0;
        return tuf_error(ret_error, -EBADMSG,
                         "%s: %s%s%" PRIu64 " is older than trusted version %" PRIu64 " (rollback)", file,
                         what ?: "", what ? " version " : "version ", version, trusted);
}

int tuf_update_timestamp(TufClient *c, char **ret_error) {
        _cleanup_(tuf_metadata_freep) TufMetadata *m = NULL;
        const TufMetadata *old = c->timestamp;
        int r;

        r = tuf_load_metadata(c, TUF_ROLE_TIMESTAMP, "timestamp.json", "timestamp.json",
                              c->opts.timestamp_max_size, NULL, NULL, &m, ret_error);
        if (r < 0)
                return r;
        r = verify_top_level(c, m, TUF_ROLE_TIMESTAMP, ret_error);
        if (r < 0)
                return r;
        if (old) {
                r = check_not_older(m->file, NULL, m->version, old->version, ret_error);
                if (r < 0)
                        return r;
                r = check_not_older(m->file, "snapshot.json", m->meta[0].version, old->meta[0].version,
                                    ret_error);
                if (r < 0)
                        return r;
        }
        r = tuf_check_expiry(c, m, ret_error);
        if (r < 0)
                return r;
        tuf_metadata_free(c->timestamp);
        c->timestamp = TAKE_PTR(m);
        return 0;
}

/* Every role file the trusted snapshot lists stays listed, at the same or a later version. */
static int check_snapshot_rollback(const TufMetadata *old, const TufMetadata *m, char **ret_error) {
        int r;

        r = check_not_older(m->file, NULL, m->version, old->version, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < old->n_meta; i++) {
                const TufMetaFile *mf = tuf_metadata_meta(m, old->meta[i].name);

                if (!mf)
                        return tuf_error(ret_error, -EBADMSG,
                                         "%s: %s, listed in the trusted snapshot, is missing "
                                         "(rollback)",
                                         m->file, old->meta[i].name);
                r = check_not_older(m->file, mf->name, mf->version, old->meta[i].version, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int check_listed_version(const TufMetadata *m, const TufMetaFile *mf, const char *listed_by,
                                char **ret_error) {
        if (m->version == mf->version)
                return 0;
        return tuf_error(ret_error, -EBADMSG,
                         "%s: version %" PRIu64 " does not match version %" PRIu64
                         " listed in %s (mix and match)",
                         m->file, m->version, mf->version, listed_by);
}

int tuf_update_snapshot(TufClient *c, char **ret_error) {
        _cleanup_(tuf_metadata_freep) TufMetadata *m = NULL;
        const TufMetaFile *mf = &c->timestamp->meta[0];
        _cleanup_free_ char *name = NULL;
        int r;

        r = tuf_metadata_filename("snapshot", c->root->consistent_snapshot, mf->version, &name);
        if (r < 0)
                return r;
        r = tuf_load_metadata(c, TUF_ROLE_SNAPSHOT, name, "snapshot.json", c->opts.snapshot_max_size, mf,
                              "timestamp.json", &m, ret_error);
        if (r < 0)
                return r;
        if ((r = verify_top_level(c, m, TUF_ROLE_SNAPSHOT, ret_error)) < 0 ||
            (r = check_listed_version(m, mf, "timestamp.json", ret_error)) < 0)
                return r;
        if (c->snapshot) {
                r = check_snapshot_rollback(c->snapshot, m, ret_error);
                if (r < 0)
                        return r;
        }
        r = tuf_check_expiry(c, m, ret_error);
        if (r < 0)
                return r;
        tuf_metadata_free(c->snapshot);
        c->snapshot = TAKE_PTR(m);
        return 0;
}

int tuf_update_targets(TufClient *c, char **ret_error) {
        _cleanup_(tuf_metadata_freep) TufMetadata *m = NULL;
        const TufMetaFile *mf = tuf_metadata_meta(c->snapshot, "targets.json");
        _cleanup_free_ char *name = NULL;
        int r;

        /* The parser requires snapshot to list targets.json. */
        r = tuf_metadata_filename("targets", c->root->consistent_snapshot, mf->version, &name);
        if (r < 0)
                return r;
        r = tuf_load_metadata(c, TUF_ROLE_TARGETS, name, "targets.json", c->opts.targets_max_size, mf,
                              "snapshot.json", &m, ret_error);
        if (r < 0)
                return r;
        if ((r = verify_top_level(c, m, TUF_ROLE_TARGETS, ret_error)) < 0 ||
            (r = check_listed_version(m, mf, "snapshot.json", ret_error)) < 0)
                return r;
        /* The snapshot's listing already rules this out unless the trusted snapshot was dropped (keys
         * rotated); the trusted targets is a floor of its own. */
        if (c->targets) {
                r = check_not_older(m->file, NULL, m->version, c->targets->version, ret_error);
                if (r < 0)
                        return r;
        }
        r = tuf_check_expiry(c, m, ret_error);
        if (r < 0)
                return r;
        tuf_metadata_free(c->targets);
        c->targets = TAKE_PTR(m);
        return 0;
}
