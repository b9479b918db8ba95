/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "manifest.h"
#include "repo-json.h"
#include "tuf-error.h"

#define MANIFEST_MAX_ENTRIES 4096

static json_object *member(json_object *o, const char *key, json_type type) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
                return NULL;
        return v;
}

/* A member that must be a valid name; what names the entry in messages. */
static int check_name(json_object *o, const char *key, const char *what, char **ret_error) {
        const char *s = json_get_string(o, key);

        if (!s || !manifest_name_valid(s))
                return tuf_error(ret_error, -EINVAL, "manifest: %s has no valid '%s'", what, key);
        return 0;
}

static int get_int(json_object *o, const char *key, int64_t min, int64_t max, int64_t *ret) {
        int64_t v = json_get_int(o, key);

        if (v < min || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

int manifest_version_waves(json_object *version, ManifestWave **ret, size_t *ret_n, char **ret_error) {
        json_object *waves = member(version, "waves", json_type_array);
        _cleanup_free_ ManifestWave *w = NULL;
        _cleanup_free_ char *why = NULL;
        size_t n = waves ? json_object_array_length(waves) : 0;
        int r;

        if (n == 0 || n > MANIFEST_MAX_WAVES)
                return tuf_error(ret_error, -EINVAL,
                                 "manifest: a version has %zu waves; 1 to %d are allowed", n,
                                 MANIFEST_MAX_WAVES);
        w = calloc(n, sizeof(ManifestWave));
        if (!w)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(waves, i);
                int64_t first, last;

                if (get_int(o, "first_seed", 0, MANIFEST_SEEDS - 1, &first) < 0 ||
                    get_int(o, "last_seed", 0, MANIFEST_SEEDS - 1, &last) < 0 ||
                    get_int(o, "start_hours", 0, MANIFEST_MAX_HOURS, &w[i].start_hours) < 0)
                        return tuf_error(
                                ret_error, -EINVAL,
                                "manifest: wave %zu needs first_seed, last_seed and start_hours in range",
                                i);
                w[i].first_seed = (unsigned) first;
                w[i].last_seed = (unsigned) last;
        }
        r = manifest_waves_check(w, n, &why);
        if (r < 0)
                return tuf_error(ret_error, r, "manifest: %s", why ?: "out of memory");
        *ret = TAKE_PTR(w);
        *ret_n = n;
        return 0;
}

static int check_version(json_object *v, size_t i, char **ret_error) {
        _cleanup_free_ ManifestWave *w = NULL;
        json_object *targets = member(v, "targets", json_type_object);
        const char *released = json_get_string(v, "released");
        char what[64];
        TufTime t;
        size_t n;
        int r;

        (void) snprintf_ok(what, "version entry %zu", i);
        if ((r = check_name(v, "variant", what, ret_error)) < 0 ||
            (r = check_name(v, "version", what, ret_error)) < 0)
                return r;
        if (!released || tuf_time_parse(released, &t) < 0)
                return tuf_error(ret_error, -EINVAL, "manifest: %s has no RFC 3339 'released' time", what);
        if (!targets || !member(targets, "root", json_type_string))
                return tuf_error(ret_error, -EINVAL, "manifest: %s has no targets with a root image", what);
        json_object_object_foreach(targets, kind, path) {
                if (!json_object_is_type(path, json_type_string))
                        return tuf_error(ret_error, -EINVAL, "manifest: %s: target '%s' is not a path", what,
                                         kind);
        }
        return manifest_version_waves(v, &w, &n, ret_error);
}

static int check_migration(json_object *o, size_t i, char **ret_error) {
        json_object *names = member(o, "names", json_type_array),
                    *targets = member(o, "targets", json_type_object);
        char what[64];
        int r;

        (void) snprintf_ok(what, "migration entry %zu", i);
        if ((r = check_name(o, "variant", what, ret_error)) < 0 ||
            (r = check_name(o, "from", what, ret_error)) < 0 ||
            (r = check_name(o, "to", what, ret_error)) < 0)
                return r;
        if (!names || json_object_array_length(names) == 0)
                return tuf_error(ret_error, -EINVAL, "manifest: %s lists no names", what);
        if (!targets)
                return tuf_error(ret_error, -EINVAL, "manifest: %s has no targets object", what);
        for (size_t j = 0; j < json_object_array_length(names); j++) {
                json_object *s = json_object_array_get_idx(names, j), *t;

                if (!json_object_is_type(s, json_type_string) ||
                    !manifest_name_valid(json_object_get_string(s)))
                        return tuf_error(ret_error, -EINVAL, "manifest: %s: name %zu is not valid", what, j);
                if (!json_object_object_get_ex(targets, json_object_get_string(s), &t) ||
                    !json_object_is_type(t, json_type_string))
                        return tuf_error(ret_error, -EINVAL, "manifest: %s: no target for '%s'", what,
                                         json_object_get_string(s));
        }
        if ((size_t) json_object_object_length(targets) != json_object_array_length(names))
                return tuf_error(ret_error, -EINVAL, "manifest: %s: targets for names it does not list",
                                 what);
        return 0;
}

int manifest_check(json_object *m, char **ret_error) {
        json_object *versions = member(m, "versions", json_type_array),
                    *migrations = member(m, "migrations", json_type_array);
        int r;

        if (json_get_int(m, "schema") != MANIFEST_SCHEMA)
                return tuf_error(ret_error, -EINVAL, "manifest: schema is not %d", MANIFEST_SCHEMA);
        if (json_get_int(m, "seeds") != MANIFEST_SEEDS)
                return tuf_error(ret_error, -EINVAL, "manifest: seeds is not %d", MANIFEST_SEEDS);
        if (!versions || !migrations)
                return tuf_error(ret_error, -EINVAL, "manifest: versions and migrations must be arrays");
        if (json_object_array_length(versions) > MANIFEST_MAX_ENTRIES ||
            json_object_array_length(migrations) > MANIFEST_MAX_ENTRIES)
                return tuf_error(ret_error, -EINVAL, "manifest: more than %d entries", MANIFEST_MAX_ENTRIES);
        for (size_t i = 0; i < json_object_array_length(versions); i++) {
                json_object *v = json_object_array_get_idx(versions, i);

                r = check_version(v, i, ret_error);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < i; j++) {
                        json_object *u = json_object_array_get_idx(versions, j);

                        if (streq(json_get_string(u, "variant"), json_get_string(v, "variant")) &&
                            streq(json_get_string(u, "version"), json_get_string(v, "version")))
                                return tuf_error(ret_error, -EINVAL,
                                                 "manifest: version entry %zu repeats %zu", i, j);
                }
        }
        for (size_t i = 0; i < json_object_array_length(migrations); i++) {
                r = check_migration(json_object_array_get_idx(migrations, i), i, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}
