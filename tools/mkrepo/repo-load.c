/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "repo-json.h"
#include "repo.h"

/* Loads path as the published document of role, whose version must be want (0: any). */
static int load_role(Repo *r, TufRoleType role, const char *path, uint64_t want) {
        _cleanup_(json_object_putp) json_object *doc = NULL;
        json_object *s;
        const char *type;
        int64_t version;
        int q;

        q = repo_json_load(path, REPO_METADATA_MAX, &doc);
        if (q < 0)
                return q;
        s = repo_signed(doc);
        type = s ? json_get_string(s, "_type") : NULL;
        if (!type || !streq(type, tuf_role_type_name(role)))
                return log_error_errno(-EBADMSG, "%s: not %s metadata", path, tuf_role_type_name(role));
        version = json_get_int(s, "version");
        if (version < 1 || (want && (uint64_t) version != want))
                return log_error_errno(-EBADMSG, "%s: version %" PRId64 ", expected %" PRIu64, path, version,
                                       want);
        r->doc[role] = TAKE_PTR(doc);
        r->version[role] = (uint64_t) version;
        return 0;
}

/* The version that role's document lists for the file name in its "meta". */
static int meta_version(const Repo *r, TufRoleType role, const char *name, uint64_t *ret) {
        json_object *meta, *entry;
        int64_t v;

        if (!json_object_object_get_ex(repo_signed(r->doc[role]), "meta", &meta) ||
            !json_object_object_get_ex(meta, name, &entry) || (v = json_get_int(entry, "version")) < 1)
                return log_error_errno(-EBADMSG,
                                       "%s version %" PRIu64 ": meta does not list %s with a version",
                                       tuf_role_type_name(role), r->version[role], name);
        *ret = (uint64_t) v;
        return 0;
}

static int load_root(Repo *r) {
        _cleanup_free_ char *path = NULL;
        json_object *cs;
        uint64_t n = 0;
        int q;

        /* The newest root is the last of an unbroken 1.root.json, 2.root.json, ... chain. */
        for (;;) {
                free(path);
                if (asprintf(&path, "%s/%" PRIu64 ".root.json", r->metadata_dir, n + 1) < 0)
                        return log_oom();
                q = repo_file_exists(path);
                if (q < 0)
                        return q;
                if (q == 0)
                        break;
                n++;
        }
        if (n == 0)
                return log_error_errno(-ENOENT, "%s: no 1.root.json; run 'bulkhead-repo init' first",
                                       r->metadata_dir);
        free(path);
        if (asprintf(&path, "%s/%" PRIu64 ".root.json", r->metadata_dir, n) < 0)
                return log_oom();
        q = load_role(r, TUF_ROLE_ROOT, path, n);
        if (q < 0)
                return q;
        r->consistent =
                json_object_object_get_ex(repo_signed(r->doc[TUF_ROLE_ROOT]), "consistent_snapshot", &cs) &&
                json_object_get_boolean(cs);
        return 0;
}

static int load_chained(Repo *r, TufRoleType role, uint64_t version) {
        _cleanup_free_ char *path = NULL;
        int q;

        if (r->consistent)
                q = asprintf(&path, "%s/%" PRIu64 ".%s.json", r->metadata_dir, version,
                             tuf_role_type_name(role));
        else
                q = asprintf(&path, "%s/%s.json", r->metadata_dir, tuf_role_type_name(role));
        if (q < 0)
                return log_oom();
        return load_role(r, role, path, version);
}

int repo_open(const char *dir, TufTime now, Repo **ret) {
        _cleanup_(repo_freep) Repo *r = NULL;
        _cleanup_free_ char *path = NULL;
        uint64_t v;
        int q;

        q = repo_new(dir, now, &r);
        if (q < 0)
                return q;
        q = repo_file_exists(r->config_path);
        if (q == 0)
                return log_error_errno(-ENOENT, "%s: not a bulkhead-repo repository (no config.json)", dir);
        if (q < 0 || (q = repo_json_load(r->config_path, 64 * 1024, &r->config)) < 0 ||
            (q = load_root(r)) < 0)
                return q;
        if (asprintf(&path, "%s/timestamp.json", r->metadata_dir) < 0)
                return log_oom();
        if ((q = load_role(r, TUF_ROLE_TIMESTAMP, path, 0)) < 0 ||
            (q = meta_version(r, TUF_ROLE_TIMESTAMP, "snapshot.json", &v)) < 0 ||
            (q = load_chained(r, TUF_ROLE_SNAPSHOT, v)) < 0 ||
            (q = meta_version(r, TUF_ROLE_SNAPSHOT, "targets.json", &v)) < 0 ||
            (q = load_chained(r, TUF_ROLE_TARGETS, v)) < 0)
                return q;
        *ret = TAKE_PTR(r);
        return 0;
}
