/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "manifest.h"
#include "repo-json.h"
#include "tuf-error.h"

json_object *manifest_new(void) {
        _cleanup_(json_object_putp) json_object *m = json_object_new_object();

        if (!m || json_add_int(m, "schema", MANIFEST_SCHEMA) < 0 ||
            json_add_int(m, "seeds", MANIFEST_SEEDS) < 0 ||
            json_add(m, "versions", json_object_new_array()) < 0 ||
            json_add(m, "migrations", json_object_new_array()) < 0)
                return NULL;
        return TAKE_PTR(m);
}

static json_object *member(json_object *o, const char *key, json_type type) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
                return NULL;
        return v;
}

static json_object *find_version(json_object *m, const char *variant, const char *version) {
        json_object *versions = member(m, "versions", json_type_array);

        for (size_t i = 0; versions && i < json_object_array_length(versions); i++) {
                json_object *v = json_object_array_get_idx(versions, i);
                const char *a = json_get_string(v, "variant"), *b = json_get_string(v, "version");

                if (a && b && streq(a, variant) && streq(b, version))
                        return v;
        }
        return NULL;
}

static json_object *waves_json(const ManifestWave *w, size_t n) {
        _cleanup_(json_object_putp) json_object *a = json_object_new_array();

        for (size_t i = 0; a && i < n; i++) {
                json_object *o = json_object_new_object();

                if (json_append(a, o) < 0 || json_add_int(o, "first_seed", w[i].first_seed) < 0 ||
                    json_add_int(o, "last_seed", w[i].last_seed) < 0 ||
                    json_add_int(o, "start_hours", w[i].start_hours) < 0)
                        return NULL;
        }
        return TAKE_PTR(a);
}

int manifest_add_version(json_object *m, const ManifestVersion *v, char **ret_error) {
        _cleanup_(json_object_putp) json_object *o = NULL;
        json_object *versions = member(m, "versions", json_type_array);
        char released[TUF_TIME_MAX];
        int r;

        if (!versions)
                return tuf_error(ret_error, -EINVAL, "manifest has no versions array");
        if (!manifest_name_valid(v->variant) || !manifest_name_valid(v->version))
                return tuf_error(ret_error, -EINVAL, "'%s-%s' is not a valid variant and version",
                                 v->variant, v->version);
        if (find_version(m, v->variant, v->version))
                return tuf_error(ret_error, -EEXIST, "version %s of variant %s is already in the manifest",
                                 v->version, v->variant);
        r = manifest_waves_check(v->waves, v->n_waves, ret_error);
        if (r < 0)
                return r;
        o = json_object_new_object();
        if (!o || json_add_string(o, "variant", v->variant) < 0 ||
            json_add_string(o, "version", v->version) < 0 ||
            json_add_string(o, "released", tuf_time_format(v->released, released)) < 0 ||
            json_add(o, "targets", json_object_get(v->targets)) < 0 ||
            json_add(o, "waves", waves_json(v->waves, v->n_waves)) < 0)
                return -ENOMEM;
        return json_append(versions, TAKE_PTR(o));
}

static json_object *find_migration(json_object *migrations, const char *variant, const char *from,
                                   const char *to) {
        for (size_t i = 0; i < json_object_array_length(migrations); i++) {
                json_object *o = json_object_array_get_idx(migrations, i);
                const char *a = json_get_string(o, "variant"), *f = json_get_string(o, "from"),
                           *t = json_get_string(o, "to");

                if (a && f && t && streq(a, variant) && streq(f, from) && streq(t, to))
                        return o;
        }
        return NULL;
}

int manifest_add_migrations(json_object *m, const char *variant, const char *prefix,
                            const ManifestMigration *mig, size_t n, char **ret_error) {
        json_object *migrations = member(m, "migrations", json_type_array);

        if (!migrations)
                return tuf_error(ret_error, -EINVAL, "manifest has no migrations array");
        for (size_t i = 0; i < n; i++)
                if (find_migration(migrations, variant, mig[i].from, mig[i].to))
                        return tuf_error(ret_error, -EEXIST,
                                         "migration %s -> %s of variant %s is already listed", mig[i].from,
                                         mig[i].to, variant);
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_new_object(), *names, *targets;

                if (json_append(migrations, o) < 0 || json_add_string(o, "variant", variant) < 0 ||
                    json_add_string(o, "from", mig[i].from) < 0 || json_add_string(o, "to", mig[i].to) < 0 ||
                    json_add(o, "names", names = json_object_new_array()) < 0 ||
                    json_add(o, "targets", targets = json_object_new_object()) < 0)
                        return -ENOMEM;
                for (size_t j = 0; j < mig[i].n_names; j++) {
                        _cleanup_free_ char *path = NULL;

                        if (json_append(names, json_object_new_string(mig[i].names[j])) < 0 ||
                            asprintf(&path, "%s/" MANIFEST_MIGRATIONS_DIR "/%s.json", prefix,
                                     mig[i].names[j]) < 0 ||
                            json_add_string(targets, mig[i].names[j], path) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}
