/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "migration.h"
#include "tuf-error.h"
#include "tuf-json.h"
#include "update-migrations.h"

/* The manifest's migrations of variant (new references). */
static json_object *variant_edges(json_object *manifest, const char *variant) {
        json_object *all, *edges = json_object_new_array();

        if (!edges || !json_object_object_get_ex(manifest, "migrations", &all))
                return edges;
        for (size_t i = 0; i < json_object_array_length(all); i++) {
                json_object *e = json_object_array_get_idx(all, i);
                const char *v = update_json_string(e, "variant");

                if (v && streq(v, variant) && json_object_array_add(edges, json_object_get(e)) < 0) {
                        json_object_put(edges);
                        return NULL;
                }
        }
        return edges;
}

/* One migration: the target the manifest names, which must say it is that migration of the variant,
 * fetched (bounded by its signed length), parsed, written to dir/<name>.json. */
static int stage_one(UpdateRepo *repo, const char *variant, const char *name, const char *path,
                     const char *dir, char **ret_error) {
        _cleanup_(migration_freep) Migration *m = NULL;
        _cleanup_free_ char *data = NULL, *file = NULL;
        json_object *custom;
        const TufTarget *t;
        const char *said;
        size_t size = 0;
        int r;

        r = update_repo_target(repo, path, "migration", variant, NULL, &t, &custom, ret_error);
        if (r < 0)
                return r;
        said = update_json_string(custom, "name");
        if (!said || !streq(said, name))
                return tuf_error(ret_error, -EBADMSG, "%s: custom metadata names migration '%s', not '%s'",
                                 path, said ?: "?", name);
        if (t->length > MIGRATION_MAX_SIZE)
                return tuf_error(ret_error, -EFBIG, "%s: more than %d bytes", path, MIGRATION_MAX_SIZE);
        r = update_repo_fetch_small(repo, t, &data, &size, ret_error);
        if (r < 0)
                return r;
        r = migration_parse(data, size, path, name, &m, ret_error);
        if (r < 0)
                return r;
        if (asprintf(&file, "%s/%s.json", dir, name) < 0)
                return -ENOMEM;
        r = write_file_atomic(file, data, size, 0644);
        if (r < 0)
                return tuf_error(ret_error, r, "cannot write %s: %s", file, strerror(-r));
        return 0;
}

static int stage_way(UpdateRepo *repo, json_object *edges, const char *variant, const char *from,
                     const char *to, const char *dir, char **ret_error) {
        _cleanup_(json_object_putp) json_object *plan = NULL;
        _cleanup_free_ char *why = NULL;
        int r;

        r = migration_plan(edges, variant, from, to, &plan, &why);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return tuf_error(ret_error, r, "manifest: %s", why ?: "out of memory");
        for (size_t i = 0; i < json_object_array_length(plan); i++) {
                json_object *step = json_object_array_get_idx(plan, i);

                r = stage_one(repo, variant, update_json_string(step, "name"),
                              update_json_string(step, "target"), dir, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

int update_migrations_stage(UpdateRepo *repo, json_object *manifest, const char *variant,
                            const char *current, const char *target, const char *dir, char **ret_error) {
        _cleanup_(json_object_putp) json_object *edges = variant_edges(manifest, variant), *index = NULL;
        _cleanup_free_ char *path = NULL;
        const char *text;
        int r;

        if (!edges || !(index = json_object_new_object()) ||
            json_object_object_add(index, "variant", json_object_new_string(variant)) < 0 ||
            json_object_object_add(index, "migrations", json_object_get(edges)) < 0 ||
            asprintf(&path, "%s/index.json", dir) < 0)
                return -ENOMEM;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return tuf_error(ret_error, -errno, "cannot create %s: %m", dir);
        r = stage_way(repo, edges, variant, current, target, dir, ret_error);
        if (r >= 0)
                r = stage_way(repo, edges, variant, target, current, dir, ret_error);
        if (r < 0)
                return r;
        /* Last: an index never names a migration whose file is not there yet. */
        text = json_object_to_json_string_ext(index, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE);
        r = write_file_atomic(path, text, strlen(text), 0644);
        if (r < 0)
                return tuf_error(ret_error, r, "cannot write %s: %s", path, strerror(-r));
        return 0;
}
