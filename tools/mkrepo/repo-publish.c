/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"
#include "log.h"
#include "repo-json.h"
#include "repo.h"
#include "tuf.h"

/* {"version": v, "length": n, "hashes": {"sha256": ...}}: length and hash are optional in TUF, but with
 * them a client fetching snapshot or targets knows exactly what to expect (no endless data, no mix-up). */
static json_object *meta_entry(uint64_t version, const char *data, size_t size) {
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        json_object *hashes = json_object_new_object();
        char hex[65];

        repo_sha256_hex(data, size, hex);
        if (!o || json_add_int(o, "version", (int64_t) version) < 0 ||
            json_add_int(o, "length", (int64_t) size) < 0 || json_add(o, "hashes", hashes) < 0 ||
            json_add_string(hashes, "sha256", hex) < 0)
                return NULL;
        return TAKE_PTR(o);
}

static int set_meta(json_object *s, const char *name, uint64_t version, const char *data, size_t size) {
        json_object *meta;

        if (!json_object_object_get_ex(s, "meta", &meta))
                return -EBADMSG;
        return json_add(meta, name, meta_entry(version, data, size));
}

/* Signs and saves the next version of role. prev (the file the role lists, just written) may be NULL. */
static int bump(Repo *r, KeyDir *kd, TufRoleType role, int64_t days, const char *prev, size_t prev_size,
                char **ret_data, size_t *ret_size) {
        json_object *s = repo_signed(r->doc[role]);
        char expires[TUF_TIME_MAX];
        RepoKey *key;
        int q;

        q = repo_role_key(r, kd, role, &key);
        if (q < 0)
                return q;
        repo_expires_in_days(r->now, days, expires);
        if (json_add_int(s, "version", (int64_t) r->version[role] + 1) < 0 ||
            json_add_string(s, "expires", expires) < 0)
                return log_oom();
        if (prev && role == TUF_ROLE_SNAPSHOT)
                q = set_meta(s, "targets.json", r->version[TUF_ROLE_TARGETS], prev, prev_size);
        else if (prev && role == TUF_ROLE_TIMESTAMP)
                q = set_meta(s, "snapshot.json", r->version[TUF_ROLE_SNAPSHOT], prev, prev_size);
        if (q < 0)
                return log_error_errno(q, "%s: cannot update meta: %m", tuf_role_type_name(role));
        q = repo_sign(r->doc[role], &key, 1);
        if (q < 0)
                return q;
        return repo_save(r, role, r->doc[role], ret_data, ret_size);
}

int repo_publish(Repo *r, KeyDir *kd, unsigned mask, const int64_t days[static _TUF_ROLE_TYPE_MAX]) {
        static const TufRoleType order[] = { TUF_ROLE_TARGETS, TUF_ROLE_SNAPSHOT, TUF_ROLE_TIMESTAMP };
        _cleanup_free_ char *prev = NULL;
        size_t prev_size = 0;
        int q;

        if (mask & ROLE_BIT(TUF_ROLE_TARGETS))
                mask |= ROLE_BIT(TUF_ROLE_SNAPSHOT);
        if (mask & ROLE_BIT(TUF_ROLE_SNAPSHOT))
                mask |= ROLE_BIT(TUF_ROLE_TIMESTAMP);
        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                TufRoleType role = order[i];
                char *data = NULL;
                size_t size = 0;

                if (!(mask & ROLE_BIT(role)))
                        continue;
                q = bump(r, kd, role, days[role] != INT64_MIN ? days[role] : repo_expiry_days(r, role), prev,
                         prev_size, &data, &size);
                if (q < 0)
                        return q;
                free(prev);
                prev = data;
                prev_size = size;
                log_info("%s: version %" PRIu64 ", expires %s", tuf_role_type_name(role), r->version[role],
                         json_get_string(repo_signed(r->doc[role]), "expires"));
        }
        return repo_self_check(r);
}

TufTime repo_earliest_expiry(const Repo *r) {
        TufTime min = { .sec = INT64_MAX };

        for (int i = 0; i < _TUF_ROLE_TYPE_MAX; i++) {
                const char *s = r->doc[i] ? json_get_string(repo_signed(r->doc[i]), "expires") : NULL;
                TufTime t;

                if (s && tuf_time_parse(s, &t) >= 0 && tuf_time_compare(t, min) < 0)
                        min = t;
        }
        return min;
}

int repo_client(const Repo *r, TufFetcher *fetcher, TufClient **ret, char **ret_error) {
        _cleanup_(tuf_client_freep) TufClient *client = NULL;
        _cleanup_free_ char *root_path = NULL, *root = NULL;
        TufTime at = r->now, expiry = repo_earliest_expiry(r);
        size_t root_size;
        int q;

        if (asprintf(&root_path, "%s/1.root.json", r->metadata_dir) < 0)
                return log_oom();
        q = read_full_file(root_path, REPO_METADATA_MAX, &root, &root_size);
        if (q < 0)
                return log_error_errno(q, "%s: cannot read: %m", root_path);
        if (tuf_time_compare(expiry, r->now) <= 0) {
                char buf[TUF_TIME_MAX];

                log_warning("warning: metadata expires at %s, which is past: clients will refuse this "
                            "repository",
                            tuf_time_format(expiry, buf));
                at = (TufTime){ .sec = expiry.sec - 1 };
        }
        q = tuf_client_new(root, root_size, fetcher, NULL, &client, ret_error);
        if (q < 0)
                return q;
        tuf_client_set_now(client, at);
        q = tuf_client_refresh(client, ret_error);
        if (q < 0)
                return q;
        *ret = TAKE_PTR(client);
        return 0;
}

int repo_self_check(const Repo *r) {
        _cleanup_(tuf_client_freep) TufClient *client = NULL;
        _cleanup_free_ char *why = NULL;
        _cleanup_free_ const TufTarget **targets = NULL;
        TufFetcher *fetcher = NULL;
        size_t n = 0;
        int q;

        q = tuf_fetcher_dir_new(r->metadata_dir, r->targets_dir, &fetcher, &why);
        if (q >= 0)
                q = repo_client(r, fetcher, &client, &why);
        if (q >= 0)
                q = tuf_client_list_targets(client, &targets, &n, &why);
        client = tuf_client_free(client);
        tuf_fetcher_free(fetcher);
        if (q == -ENOMEM && !why)
                return log_oom();
        if (q < 0)
                return log_error_errno(q, "%s: the repository does not verify from 1.root.json: %s", r->dir,
                                       why ?: strerror(-q));
        return 0;
}
