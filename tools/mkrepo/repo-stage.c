/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fileio.h"
#include "log.h"
#include "manifest.h"
#include "repo-json.h"
#include "repo-stage.h"
#include "repo-target.h"

#define MANIFEST_MAX (4 * 1024 * 1024)

/* The published manifest, or a new one if the repository has none yet. */
static int load_published_manifest(const Repo *r, json_object **ret) {
        _cleanup_(json_object_putp) json_object *m = NULL;
        _cleanup_free_ char *file = NULL, *data = NULL, *why = NULL;
        json_object *targets, *entry, *hashes;
        const char *sha;
        char actual[65];
        size_t size;
        int q;

        if (!json_object_object_get_ex(repo_signed(r->doc[TUF_ROLE_TARGETS]), "targets", &targets) ||
            !json_object_object_get_ex(targets, MANIFEST_TARGET, &entry)) {
                *ret = manifest_new();
                return *ret ? 0 : log_oom();
        }
        if (!json_object_object_get_ex(entry, "hashes", &hashes) ||
            !(sha = json_get_string(hashes, "sha256")))
                return log_error_errno(-EBADMSG, "targets version %lu: %s has no sha256",
                                       (unsigned long) r->version[TUF_ROLE_TARGETS], MANIFEST_TARGET);
        if (repo_target_file(r, MANIFEST_TARGET, sha, &file) < 0)
                return log_oom();
        q = read_full_file(file, MANIFEST_MAX, &data, &size);
        if (q < 0)
                return log_error_errno(q, "%s: cannot read the published manifest: %m", file);
        repo_sha256_hex(data, size, actual);
        if (!streq(actual, sha))
                return log_error_errno(-EBADMSG, "%s: sha256 %s does not match %s listed by targets", file,
                                       actual, sha);
        q = tuf_json_parse(data, size, &m, &why);
        if (q >= 0)
                q = manifest_check(m, &why);
        if (q < 0)
                return log_error_errno(q, "%s: %s", file, why ?: "invalid");
        *ret = TAKE_PTR(m);
        return 0;
}

int repo_stage_load(const Repo *r, json_object **ret_targets, json_object **ret_manifest) {
        _cleanup_(json_object_putp) json_object *targets = NULL, *manifest = NULL;
        _cleanup_free_ char *tpath = repo_staged_path(r, "targets.json"),
                            *mpath = repo_staged_path(r, MANIFEST_TARGET);
        _cleanup_free_ char *why = NULL;
        int q;

        if (!tpath || !mpath)
                return log_oom();
        q = repo_file_exists(tpath);
        if (q < 0)
                return q;
        if (q > 0) {
                if ((q = repo_json_load(tpath, REPO_METADATA_MAX, &targets)) < 0 ||
                    (q = repo_json_load(mpath, MANIFEST_MAX, &manifest)) < 0)
                        return q;
                q = manifest_check(manifest, &why);
                if (q < 0)
                        return log_error_errno(q, "%s: %s", mpath, why);
        } else {
                if (json_object_deep_copy(repo_signed(r->doc[TUF_ROLE_TARGETS]), &targets, NULL) < 0)
                        return log_oom();
                q = load_published_manifest(r, &manifest);
                if (q < 0)
                        return q;
        }
        *ret_targets = TAKE_PTR(targets);
        *ret_manifest = TAKE_PTR(manifest);
        return 0;
}

static int save_json(const char *path, json_object *o) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int q;

        q = repo_json_format(o, &data, &size);
        if (q < 0)
                return log_error_errno(q, "%s: cannot serialize: %m", path);
        return repo_write(path, data, size);
}

int repo_stage_save(const Repo *r, json_object *targets, json_object *manifest) {
        _cleanup_free_ char *tpath = repo_staged_path(r, "targets.json"),
                            *mpath = repo_staged_path(r, MANIFEST_TARGET);
        int q;

        if (!tpath || !mpath)
                return log_oom();
        if (mkdir(r->staging_dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(negative_errno(), "%s: cannot create: %m", r->staging_dir);
        /* The manifest first: a staged targets.json is what marks the stage as present. */
        q = save_json(mpath, manifest);
        if (q < 0)
                return q;
        return save_json(tpath, targets);
}

static int list_manifest(json_object *targets, const StoredTarget *st) {
        json_object *list, *entry = json_object_new_object(), *hashes = json_object_new_object(),
                           *custom = json_object_new_object();

        if (!json_object_object_get_ex(targets, "targets", &list) ||
            json_add(list, MANIFEST_TARGET, entry) < 0 ||
            json_add_int(entry, "length", (int64_t) st->length) < 0 ||
            json_add(entry, "hashes", hashes) < 0 || json_add_string(hashes, "sha256", st->sha256) < 0 ||
            json_add(entry, "custom", custom) < 0 || json_add_string(custom, "kind", "manifest") < 0 ||
            json_add_int(custom, "schema", MANIFEST_SCHEMA) < 0) {
                json_object_put(hashes);
                json_object_put(custom);
                return -ENOMEM;
        }
        return 0;
}

int repo_stage_apply(Repo *r) {
        _cleanup_(json_object_putp) json_object *targets = NULL, *manifest = NULL;
        _cleanup_free_ char *tpath = repo_staged_path(r, "targets.json"), *data = NULL;
        StoredTarget st;
        size_t size;
        int q;

        if (!tpath)
                return log_oom();
        q = repo_file_exists(tpath);
        if (q <= 0)
                return q;
        q = repo_stage_load(r, &targets, &manifest);
        if (q < 0)
                return q;
        q = repo_json_format(manifest, &data, &size);
        if (q < 0)
                return log_error_errno(q, "%s: cannot serialize: %m", MANIFEST_TARGET);
        q = repo_store_target_data(r, data, size, MANIFEST_TARGET, &st);
        if (q < 0)
                return q;
        if (list_manifest(targets, &st) < 0 ||
            json_add(r->doc[TUF_ROLE_TARGETS], "signed", TAKE_PTR(targets)) < 0)
                return log_oom();
        return 1;
}

int repo_stage_clear(const Repo *r) {
        _cleanup_free_ char *tpath = repo_staged_path(r, "targets.json"),
                            *mpath = repo_staged_path(r, MANIFEST_TARGET);

        if (!tpath || !mpath)
                return log_oom();
        if (unlink(tpath) < 0 && errno != ENOENT)
                return log_error_errno(negative_errno(), "%s: cannot remove: %m", tpath);
        if (unlink(mpath) < 0 && errno != ENOENT)
                return log_error_errno(negative_errno(), "%s: cannot remove: %m", mpath);
        return 0;
}
