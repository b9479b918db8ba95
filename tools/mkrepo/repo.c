/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "repo-json.h"
#include "repo.h"
#include "tuf-canonical.h"

static const int64_t default_days[_TUF_ROLE_TYPE_MAX] = {
        [TUF_ROLE_ROOT] = 365,
        [TUF_ROLE_TARGETS] = 90,
        [TUF_ROLE_SNAPSHOT] = 7,
        [TUF_ROLE_TIMESTAMP] = 1,
};

int repo_new(const char *dir, TufTime now, Repo **ret) {
        _cleanup_(repo_freep) Repo *r = calloc(1, sizeof(Repo));

        if (!r)
                return log_oom();
        r->now = now;
        if (!(r->dir = strdup(dir)) || asprintf(&r->metadata_dir, "%s/metadata", dir) < 0 ||
            asprintf(&r->targets_dir, "%s/targets", dir) < 0 ||
            asprintf(&r->staging_dir, "%s/staging", dir) < 0 ||
            asprintf(&r->config_path, "%s/config.json", dir) < 0)
                return log_oom();
        *ret = TAKE_PTR(r);
        return 0;
}

Repo *repo_free(Repo *r) {
        if (!r)
                return NULL;
        free(r->dir);
        free(r->metadata_dir);
        free(r->targets_dir);
        free(r->staging_dir);
        free(r->config_path);
        json_object_put(r->config);
        for (int i = 0; i < _TUF_ROLE_TYPE_MAX; i++)
                json_object_put(r->doc[i]);
        free(r);
        return NULL;
}

char *repo_staged_path(const Repo *r, const char *name) {
        char *p;

        return asprintf(&p, "%s/%s", r->staging_dir, name) < 0 ? NULL : p;
}

int64_t repo_expiry_days(const Repo *r, TufRoleType role) {
        json_object *days;
        int64_t v;

        if (r->config && json_object_object_get_ex(r->config, "expires_days", &days) &&
            (v = json_get_int(days, tuf_role_type_name(role))) >= 0)
                return v;
        return default_days[role];
}

json_object *repo_signed(json_object *doc) {
        json_object *s = NULL;

        (void) json_object_object_get_ex(doc, "signed", &s);
        return s;
}

json_object *repo_document(json_object *signed_) {
        _cleanup_(json_object_putp) json_object *doc = json_object_new_object();

        if (!doc || json_add(doc, "signed", signed_) < 0 ||
            json_add(doc, "signatures", json_object_new_array()) < 0)
                return NULL;
        return TAKE_PTR(doc);
}

int repo_sign(json_object *doc, RepoKey *const *keys, size_t n_keys) {
        _cleanup_free_ char *canonical = NULL;
        json_object *sigs = json_object_new_array();
        size_t size;
        int r;

        if (json_add(doc, "signatures", sigs) < 0)
                return -ENOMEM;
        r = tuf_canonical_json(repo_signed(doc), &canonical, &size);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_keys; i++) {
                _cleanup_free_ char *hex = NULL;
                json_object *s = json_object_new_object();

                r = repo_key_sign(keys[i], canonical, size, &hex);
                if (r < 0)
                        return log_error_errno(r, "%s: cannot sign: %m", keys[i]->path);
                if (json_append(sigs, s) < 0 || json_add_string(s, "keyid", keys[i]->keyid) < 0 ||
                    json_add_string(s, "sig", hex) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int repo_role_key(const Repo *r, KeyDir *kd, TufRoleType role, RepoKey **ret) {
        json_object *roles, *o, *keyids;
        RepoKey *k;
        int q;

        q = keydir_get(kd, role, &k);
        if (q < 0)
                return q;
        if (json_object_object_get_ex(repo_signed(r->doc[TUF_ROLE_ROOT]), "roles", &roles) &&
            json_object_object_get_ex(roles, tuf_role_type_name(role), &o) &&
            json_object_object_get_ex(o, "keyids", &keyids))
                for (size_t i = 0; i < json_object_array_length(keyids); i++)
                        if (streq(json_object_get_string(json_object_array_get_idx(keyids, i)), k->keyid)) {
                                *ret = k;
                                return 0;
                        }
        return log_error_errno(-EPERM, "%s: keyid %s is not a %s key of root version %" PRIu64, k->path,
                               k->keyid, tuf_role_type_name(role), r->version[TUF_ROLE_ROOT]);
}

static int metadata_name(const Repo *r, TufRoleType role, uint64_t version, char **ret) {
        int q;

        if (role == TUF_ROLE_ROOT || (r->consistent && role != TUF_ROLE_TIMESTAMP))
                q = asprintf(ret, "%s/%" PRIu64 ".%s.json", r->metadata_dir, version,
                             tuf_role_type_name(role));
        else
                q = asprintf(ret, "%s/%s.json", r->metadata_dir, tuf_role_type_name(role));
        return q < 0 ? log_oom() : 0;
}

int repo_save(Repo *r, TufRoleType role, json_object *doc, char **ret_data, size_t *ret_size) {
        _cleanup_free_ char *data = NULL, *path = NULL, *latest = NULL;
        int64_t version = json_get_int(repo_signed(doc), "version");
        size_t size;
        int q;

        q = repo_json_format(doc, &data, &size);
        if (q < 0)
                return log_error_errno(q, "%s: cannot serialize version %" PRId64 ": %m",
                                       tuf_role_type_name(role), version);
        q = metadata_name(r, role, (uint64_t) version, &path);
        if (q < 0)
                return q;
        q = repo_write(path, data, size);
        if (q < 0)
                return q;
        /* root.json is the newest root under a fixed name, for whoever installs a first trusted root. */
        if (role == TUF_ROLE_ROOT) {
                if (asprintf(&latest, "%s/root.json", r->metadata_dir) < 0)
                        return log_oom();
                q = repo_write(latest, data, size);
                if (q < 0)
                        return q;
        }
        if (doc != r->doc[role]) {
                json_object_put(r->doc[role]);
                r->doc[role] = json_object_get(doc);
        }
        r->version[role] = (uint64_t) version;
        if (ret_data) {
                *ret_data = TAKE_PTR(data);
                *ret_size = size;
        }
        return 0;
}
