/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "log.h"
#include "repo-json.h"
#include "repo-verbs.h"
#include "repo.h"

/* The specification version our metadata follows; libtuf accepts any 1.x. */
#define SPEC_VERSION "1.0.31"

int verb_keys_create(const Args *a) {
        _cleanup_(json_object_putp) json_object *out = json_object_new_object();
        KeyDir kd = { .dir = a->dir };
        int q = 0;

        if (!out)
                return log_oom();
        if (mkdir(a->dir, 0700) < 0 && errno != EEXIST)
                return log_error_errno(negative_errno(), "%s: cannot create: %m", a->dir);
        for (int t = 0; t < _TUF_ROLE_TYPE_MAX && q >= 0; t++) {
                _cleanup_free_ char *path = keydir_path(a->dir, (TufRoleType) t);
                json_object *o = json_object_new_object();

                if (!path || json_add(out, tuf_role_type_name((TufRoleType) t), o) < 0) {
                        q = log_oom();
                        break;
                }
                q = repo_key_generate(a->key_type, path, &kd.keys[t]);
                if (q == -EEXIST)
                        q = log_error_errno(
                                q, "%s: exists; a key is never replaced (remove it to start over)", path);
                else if (q < 0)
                        q = log_error_errno(q, "%s: cannot create the %s key: %m", path,
                                            tuf_role_type_name((TufRoleType) t));
                else if (json_add_string(o, "keyid", kd.keys[t]->keyid) < 0 ||
                         json_add(o, "public", json_object_get(kd.keys[t]->public)) < 0)
                        q = log_oom();
        }
        keydir_done(&kd);
        if (q < 0)
                return q;
        /* The public halves, to hand to whoever builds the clients' trusted root. */
        puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        return 0;
}

static json_object *role_keys(const char *keyid) {
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        json_object *ids = json_object_new_array();

        if (!o || json_add(o, "keyids", ids) < 0 || json_append(ids, json_object_new_string(keyid)) < 0 ||
            json_add_int(o, "threshold", 1) < 0)
                return NULL;
        return TAKE_PTR(o);
}

json_object *root_signed_new(RepoKey *const keys[static _TUF_ROLE_TYPE_MAX], uint64_t version,
                             const char *expires, bool consistent) {
        _cleanup_(json_object_putp) json_object *s = json_object_new_object();
        json_object *k = json_object_new_object(), *roles = json_object_new_object();

        if (!s || json_add(s, "keys", k) < 0 || json_add(s, "roles", roles) < 0 ||
            json_add_string(s, "_type", "root") < 0 ||
            json_add_string(s, "spec_version", SPEC_VERSION) < 0 ||
            json_add_int(s, "version", (int64_t) version) < 0 ||
            json_add_string(s, "expires", expires) < 0 ||
            json_add(s, "consistent_snapshot", json_object_new_boolean(consistent)) < 0)
                return NULL;
        for (int t = 0; t < _TUF_ROLE_TYPE_MAX; t++)
                if (json_add(k, keys[t]->keyid, json_object_get(keys[t]->public)) < 0 ||
                    json_add(roles, tuf_role_type_name((TufRoleType) t), role_keys(keys[t]->keyid)) < 0)
                        return NULL;
        return TAKE_PTR(s);
}

/* An empty document of role at version 0, which the first publish makes version 1. */
static json_object *empty_role(TufRoleType role) {
        _cleanup_(json_object_putp) json_object *s = json_object_new_object();

        if (!s || json_add_string(s, "_type", tuf_role_type_name(role)) < 0 ||
            json_add_string(s, "spec_version", SPEC_VERSION) < 0 || json_add_int(s, "version", 0) < 0 ||
            json_add_string(s, "expires", "1970-01-01T00:00:00Z") < 0 ||
            json_add(s, role == TUF_ROLE_TARGETS ? "targets" : "meta", json_object_new_object()) < 0)
                return NULL;
        return repo_document(TAKE_PTR(s));
}

static int write_config(const Repo *r, const Args *a) {
        _cleanup_(json_object_putp) json_object *c = json_object_new_object();
        _cleanup_free_ char *data = NULL;
        json_object *days = json_object_new_object();
        size_t size;
        int q;

        if (!c || json_add(c, "expires_days", days) < 0 ||
            json_add_string(c, "waves", a->waves ?: "0,6,24,48") < 0)
                return log_oom();
        for (int t = 0; t < _TUF_ROLE_TYPE_MAX; t++)
                if (json_add_int(days, tuf_role_type_name((TufRoleType) t),
                                 a->expires[t] != INT64_MIN ? a->expires[t]
                                                            : repo_expiry_days(r, (TufRoleType) t)) < 0)
                        return log_oom();
        q = repo_json_format(c, &data, &size);
        if (q < 0)
                return log_oom();
        return repo_write(r->config_path, data, size);
}

static int make_dirs(const Repo *r) {
        const char *dirs[] = { r->dir, r->metadata_dir, r->targets_dir };

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                if (mkdir(dirs[i], 0755) < 0 && errno != EEXIST)
                        return log_error_errno(negative_errno(), "%s: cannot create: %m", dirs[i]);
        return 0;
}

int verb_init(const Args *a) {
        _cleanup_(repo_freep) Repo *r = NULL;
        _cleanup_free_ char *first = NULL;
        int64_t days[_TUF_ROLE_TYPE_MAX];
        char expires[TUF_TIME_MAX];
        KeyDir kd = { .dir = a->keys };
        json_object *root;
        int q;

        if ((q = repo_new(a->repo, a->now, &r)) < 0 || (q = make_dirs(r)) < 0)
                return q;
        if (asprintf(&first, "%s/1.root.json", r->metadata_dir) < 0)
                return log_oom();
        if ((q = repo_file_exists(first)) != 0)
                return q < 0 ? q
                             : log_error_errno(-EEXIST, "%s: exists; the repository is initialized", first);
        for (int t = 0; t < _TUF_ROLE_TYPE_MAX; t++) {
                RepoKey *k;

                if ((q = keydir_get(&kd, (TufRoleType) t, &k)) < 0)
                        goto out;
                days[t] = INT64_MIN;
        }
        if ((q = write_config(r, a)) < 0 || (q = repo_json_load(r->config_path, 64 * 1024, &r->config)) < 0)
                goto out;
        r->consistent = a->consistent;
        repo_expires_in_days(r->now, repo_expiry_days(r, TUF_ROLE_ROOT), expires);
        root = repo_document(root_signed_new(kd.keys, 1, expires, a->consistent));
        r->doc[TUF_ROLE_ROOT] = root;
        if (!root) {
                q = log_oom();
                goto out;
        }
        if ((q = repo_sign(root, &kd.keys[TUF_ROLE_ROOT], 1)) < 0 ||
            (q = repo_save(r, TUF_ROLE_ROOT, root, NULL, NULL)) < 0)
                goto out;
        for (int t = TUF_ROLE_TIMESTAMP; t < _TUF_ROLE_TYPE_MAX; t++)
                if (!(r->doc[t] = empty_role((TufRoleType) t))) {
                        q = log_oom();
                        goto out;
                }
        q = repo_publish(r, &kd, ROLE_BIT(TUF_ROLE_TARGETS), days);
        if (q >= 0)
                log_info("%s: initialized%s; clients trust %s", a->repo,
                         a->consistent ? " with consistent snapshots" : "", first);
out:
        keydir_done(&kd);
        return q;
}
