/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "log.h"
#include "tuf-error.h"
#include "update-cache.h"

static const TufRoleType cached_roles[] = { TUF_ROLE_TIMESTAMP, TUF_ROLE_SNAPSHOT, TUF_ROLE_TARGETS };

static uint64_t max_size(TufRoleType type) {
        TufOptions o;

        tuf_options_init(&o);
        switch (type) {
        case TUF_ROLE_ROOT:
                return o.root_max_size;
        case TUF_ROLE_TIMESTAMP:
                return o.timestamp_max_size;
        case TUF_ROLE_SNAPSHOT:
                return o.snapshot_max_size;
        default:
                return o.targets_max_size;
        }
}

/* Returns 1 if the file was taken, 0 if it is absent or was ignored, -ENOMEM. */
static int load_one(const char *dir, TufClient *c, TufRoleType type, const char *file) {
        _cleanup_free_ char *path = NULL, *data = NULL, *why = NULL;
        size_t size;
        int r;

        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        r = read_full_file(path, max_size(type), &data, &size);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                log_warning_errno(r, "Ignoring the cached metadata '%s': cannot read it: %m", path);
                return r == -ENOMEM ? r : 0;
        }
        r = tuf_client_set_trusted(c, type, data, size, &why);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_warning("Ignoring the cached metadata '%s': %s", path, why ?: strerror(-r));
                return 0;
        }
        return 1;
}

int update_cache_load(UpdateCache *cache, const char *dir, TufClient *c) {
        int r = 0;

        *cache = (UpdateCache){ .dir = dir, .shipped_root = tuf_client_root_version(c) };
        cache->loaded_root = cache->shipped_root;
        if (!dir)
                return 0;
        /* The chain from the shipped root: a root that does not follow, or a gap, ends it (the
         * repository serves the rest again). Cached roots not newer than the shipped one are not read. */
        for (;;) {
                _cleanup_free_ char *file = NULL;

                if (asprintf(&file, "%" PRIu64 ".root.json", cache->loaded_root + 1) < 0)
                        return -ENOMEM;
                r = load_one(dir, c, TUF_ROLE_ROOT, file);
                if (r <= 0)
                        break;
                cache->loaded_root++;
        }
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(cached_roles); i++) {
                _cleanup_free_ char *file = NULL;

                if (asprintf(&file, "%s.json", tuf_role_type_name(cached_roles[i])) < 0)
                        return -ENOMEM;
                r = load_one(dir, c, cached_roles[i], file);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* mkdir -p: the cache lives below /var/lib, which a fresh data partition may not have yet. */
static int mkdir_parents(const char *dir) {
        _cleanup_free_ char *p = strdup(dir);

        if (!p)
                return -ENOMEM;
        for (char *s = p + 1;; s++) {
                char c = *s;

                if (c != '/' && c != 0)
                        continue;
                *s = 0;
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                if (c == 0)
                        return 0;
                *s = c;
        }
}

static int save_one(const char *dir, const char *file, const TufMetadata *m, char **ret_error) {
        _cleanup_free_ char *path = NULL, *old = NULL;
        size_t old_size;
        int r;

        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        /* Unchanged files are not rewritten: most checks find nothing new, and the data partition is
         * flash. */
        if (read_full_file(path, m->raw_size + 1, &old, &old_size) >= 0 && old_size == m->raw_size &&
            memcmp(old, m->raw, old_size) == 0)
                return 0;
        r = write_file_atomic(path, m->raw, m->raw_size, 0644);
        if (r < 0)
                return tuf_error(ret_error, r, "cannot write '%s': %s", path, strerror(-r));
        return 0;
}

int update_cache_save(const UpdateCache *cache, const TufClient *c, char **ret_error) {
        uint64_t current = tuf_client_root_version(c);
        int r;

        if (!cache->dir)
                return 0;
        r = mkdir_parents(cache->dir);
        if (r < 0)
                return tuf_error(ret_error, r, "cannot create the directory '%s': %s", cache->dir,
                                 strerror(-r));
        /* Roots first: a cache cut short by a power failure then still holds a chain that explains the
         * timestamp and snapshot beside it. */
        for (uint64_t v = cache->shipped_root + 1; v <= current; v++) {
                const TufMetadata *m = tuf_client_trusted_root(c, v);
                _cleanup_free_ char *file = NULL;

                if (!m)
                        return tuf_error(ret_error, -EINVAL, "root version %" PRIu64 " is not in the chain",
                                         v);
                if (asprintf(&file, "%" PRIu64 ".root.json", v) < 0)
                        return -ENOMEM;
                r = save_one(cache->dir, file, m, ret_error);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(cached_roles); i++) {
                const TufMetadata *m = tuf_client_trusted(c, cached_roles[i]);
                _cleanup_free_ char *file = NULL;

                if (!m)
                        continue;
                if (asprintf(&file, "%s.json", tuf_role_type_name(cached_roles[i])) < 0)
                        return -ENOMEM;
                r = save_one(cache->dir, file, m, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}
