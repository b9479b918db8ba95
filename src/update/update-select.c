/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "log.h"
#include "manifest.h"
#include "tuf-error.h"
#include "update-repo.h"
#include "update-select.h"
#include "update-version.h"

static json_object *versions_of(json_object *manifest) {
        json_object *v;

        if (!json_object_object_get_ex(manifest, "versions", &v) || !json_object_is_type(v, json_type_array))
                return NULL;
        return v;
}

json_object *update_manifest_find(json_object *manifest, const char *variant, const char *version) {
        json_object *versions = versions_of(manifest);

        for (size_t i = 0; versions && i < json_object_array_length(versions); i++) {
                json_object *e = json_object_array_get_idx(versions, i);
                const char *va = update_json_string(e, "variant"), *ve = update_json_string(e, "version");

                if (va && ve && streq(va, variant) && streq(ve, version))
                        return e;
        }
        return NULL;
}

/* Whether the wave of the node's seed has started for entry e. A manifest that fails its checks here was
 * already refused by manifest_check(); treat it as "not yet" rather than trusting it. */
static bool wave_started(json_object *e, const UpdatePolicy *p) {
        _cleanup_free_ ManifestWave *w = NULL;
        const char *released = update_json_string(e, "released");
        TufTime rel, start;
        size_t n;

        if (!released || tuf_time_parse(released, &rel) < 0 || manifest_version_waves(e, &w, &n, NULL) < 0 ||
            manifest_start_time(rel, w, n, p->seed, &start) < 0)
                return false;
        return tuf_time_compare(start, p->now) <= 0;
}

int update_select(json_object *manifest, const UpdatePolicy *p, json_object **ret, char **ret_error) {
        json_object *versions = versions_of(manifest), *best = NULL;
        UpdateVersion current, lock, skip, best_v;
        bool locked = p->lock && !streq(p->lock, "latest");

        if (update_version_parse(p->current, &current) < 0)
                return tuf_error(ret_error, -EINVAL, "current version '%s' is not a semantic version",
                                 p->current);
        if (locked && update_version_parse(p->lock, &lock) < 0)
                return tuf_error(ret_error, -EINVAL, "version lock '%s' is not 'latest' or a version",
                                 p->lock);
        if (p->skip && update_version_parse(p->skip, &skip) < 0)
                return tuf_error(ret_error, -EINVAL, "version to skip '%s' is not a semantic version",
                                 p->skip);
        if (p->seed >= MANIFEST_SEEDS)
                return tuf_error(ret_error, -EINVAL, "seed %u is not below %d", p->seed, MANIFEST_SEEDS);
        for (size_t i = 0; versions && i < json_object_array_length(versions); i++) {
                json_object *e = json_object_array_get_idx(versions, i);
                const char *va = update_json_string(e, "variant"), *ve = update_json_string(e, "version");
                UpdateVersion v;

                if (!va || !ve || !streq(va, p->variant))
                        continue;
                if (update_version_parse(ve, &v) < 0) {
                        log_debug("manifest: version '%s' is not a semantic version, skipped", ve);
                        continue;
                }
                if (update_version_compare(&v, &current) <= 0 ||
                    (locked && update_version_compare(&v, &lock) != 0) ||
                    (p->skip && update_version_compare(&v, &skip) == 0))
                        continue;
                if (best && update_version_compare(&v, &best_v) <= 0)
                        continue;
                if (!p->ignore_waves && !wave_started(e, p))
                        continue;
                best = e;
                best_v = v;
        }
        if (!best)
                return 0;
        *ret = best;
        return 1;
}
