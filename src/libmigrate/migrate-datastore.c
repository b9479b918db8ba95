/* SPDX-License-Identifier: MIT */
/* Migrating the datastore at boot: read the live tree, run the migrations in memory, write the result
 * into a copy of the database, and switch the copy in with rename(). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "migration.h"
#include "settings-store.h"

#define INDEX_MAX_SIZE (4 * 1024 * 1024)

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

static int store_fail(int r, const char *path, const SettingsError *e, char **ret_error) {
        return migration_error(ret_error, r, "%s: %s", path, e->message);
}

/* The version the data follows, or "" when none is recorded. */
static int data_version(SettingsStore *s, const char *path, char *ret, size_t size, char **ret_error) {
        _cleanup_(json_object_putp) struct json_object *v = NULL;
        SettingsError e = {};
        int r;

        r = settings_store_metadata_get(s, SETTINGS_STORE_DATA_VERSION, &v, &e);
        if (r == -ENOENT) {
                ret[0] = 0;
                return 0;
        }
        if (r < 0)
                return store_fail(r, path, &e, ret_error);
        if (!json_object_is_type(v, json_type_string) || !migration_name_valid(json_object_get_string(v)))
                return migration_error(ret_error, -EBADMSG, "%s: the recorded data version is not valid",
                                       path);
        snprintf(ret, size, "%s", json_object_get_string(v));
        return 0;
}

static int record_version(SettingsStore *s, const char *path, const char *version, char **ret_error) {
        _cleanup_(json_object_putp) struct json_object *v = json_object_new_string(version);
        SettingsError e = {};
        int r;

        if (!v)
                return -ENOMEM;
        r = settings_store_metadata_set(s, SETTINGS_STORE_DATA_VERSION, v, &e);
        return r < 0 ? store_fail(r, path, &e, ret_error) : 0;
}

/* The plan from the index the agent wrote; -ENOENT when there is no index or no way. */
static int load_plan(const char *dir, const char *variant, const char *from, const char *to,
                     struct json_object **ret, char **ret_error) {
        _cleanup_(json_object_putp) struct json_object *index = NULL;
        _cleanup_free_ char *path = NULL, *text = NULL;
        struct json_object *edges;
        int r;

        if (asprintf(&path, "%s/index.json", dir) < 0)
                return -ENOMEM;
        r = read_full_file(path, INDEX_MAX_SIZE, &text, NULL);
        if (r == -ENOENT)
                return r;
        if (r < 0)
                return migration_error(ret_error, r, "%s: cannot read: %s", path, strerror(-r));
        index = json_tokener_parse(text);
        if (!index || !json_object_object_get_ex(index, "migrations", &edges))
                return migration_error(ret_error, -EBADMSG, "%s: not a migration index", path);
        return migration_plan(edges, variant, from, to, ret, ret_error);
}

/* Runs the plan's migrations over tree; names gets their names. */
static int run_plan(struct json_object *plan, const char *dir, struct json_object *tree, MigrateResult *res,
                    char **ret_error) {
        size_t used = 0;

        for (size_t i = 0; i < json_object_array_length(plan); i++) {
                const char *name = json_object_get_string(
                        json_object_object_get(json_object_array_get_idx(plan, i), "name"));
                _cleanup_(migration_freep) Migration *m = NULL;
                int r;

                r = migration_load(dir, name, &m, ret_error);
                if (r >= 0)
                        r = migration_apply(m, tree, &res->changed, ret_error);
                if (r < 0)
                        return r;
                if (used + strlen(name) + 2 < sizeof(res->names))
                        used += (size_t) snprintf(res->names + used, sizeof(res->names) - used, "%s%s",
                                                  used ? " " : "", name);
        }
        return 0;
}

static int fsync_path(const char *path, int flags) {
        _cleanup_close_ int fd = open(path, flags | O_CLOEXEC);

        if (fd < 0 || fsync(fd) < 0)
                return negative_errno();
        return 0;
}

/* Writes tree into a copy of the database and renames the copy over it. s is closed on the way: the
 * original must have no WAL left when the copy replaces it, or SQLite would replay the old WAL into the
 * new file. */
static int switch_copy(SettingsStore **s, const char *path, struct json_object *tree, const char *version,
                       char **ret_error) {
        _cleanup_free_ char *tmp = NULL, *wal = NULL, *dir = NULL;
        SettingsStore *copy = NULL;
        SettingsError e = {};
        char *slash;
        int r;

        if (asprintf(&tmp, "%s.migrating", path) < 0 || asprintf(&wal, "%s-wal", path) < 0 ||
            !(dir = strdup(path)))
                return -ENOMEM;
        r = settings_store_copy_to(*s, tmp, &e);
        *s = settings_store_close(*s);
        if (r < 0)
                return store_fail(r, path, &e, ret_error);
        r = settings_store_open(tmp, &copy, &e);
        if (r >= 0)
                r = settings_store_replace_live(copy, tree, version, &e);
        copy = settings_store_close(copy); /* checkpoints and removes the copy's WAL */
        if (r < 0)
                return store_fail(r, tmp, &e, ret_error);
        if (access(wal, F_OK) == 0)
                return migration_error(ret_error, -EBUSY, "%s is still in use (its WAL is there)", path);
        r = fsync_path(tmp, O_RDONLY);
        if (r < 0)
                return migration_error(ret_error, r, "%s: fsync: %s", tmp, strerror(-r));
        if (rename(tmp, path) < 0)
                return migration_error(ret_error, negative_errno(), "cannot rename %s: %m", tmp);
        slash = strrchr(dir, '/');
        if (slash)
                *(slash == dir ? slash + 1 : slash) = 0;
        return fsync_path(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
}

/* A copy left by a run that did not finish is stale: its source may have changed since. */
static void remove_stale_copy(const char *path) {
        static const char *const suffixes[] = { ".migrating", ".migrating-wal", ".migrating-shm" };
        char buf[4096];

        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                if (snprintf(buf, sizeof(buf), "%s%s", path, suffixes[i]) < (int) sizeof(buf))
                        (void) unlink(buf);
}

int migrate_datastore(const char *path, const char *variant, const char *image_version, const char *dir,
                      MigrateResult *ret, char **ret_error) {
        _cleanup_(json_object_putp) struct json_object *plan = NULL, *tree = NULL;
        _cleanup_(settings_store_closep) SettingsStore *s = NULL;
        MigrateResult res = {};
        SettingsError e = {};
        int r;

        if (!migration_name_valid(image_version))
                return migration_error(ret_error, -EINVAL, "'%s' is not a valid version", image_version);
        remove_stale_copy(path);
        r = settings_store_open(path, &s, &e);
        if (r < 0)
                return store_fail(r, path, &e, ret_error);
        r = data_version(s, path, res.from, sizeof(res.from), ret_error);
        if (r < 0)
                return r;
        if (streq(res.from, image_version)) {
                res.outcome = MIGRATE_CURRENT;
                *ret = res;
                return 0;
        }
        if (!res.from[0] ||
            (r = load_plan(dir, variant, res.from, image_version, &plan, ret_error)) == -ENOENT) {
                /* First boot, or versions with nothing between them: the data is taken as it is. */
                free(ret_error ? *ret_error : NULL);
                if (ret_error)
                        *ret_error = NULL;
                res.outcome = res.from[0] ? MIGRATE_NO_WAY : MIGRATE_RECORDED;
                r = record_version(s, path, image_version, ret_error);
                if (r >= 0)
                        *ret = res;
                return r;
        }
        if (r < 0)
                return r;
        r = settings_store_get_live(s, NULL, 0, &tree, &e);
        if (r < 0)
                return store_fail(r, path, &e, ret_error);
        r = run_plan(plan, dir, tree, &res, ret_error);
        if (r < 0)
                return r;
        r = switch_copy(&s, path, tree, image_version, ret_error);
        if (r < 0) {
                remove_stale_copy(path);
                return r;
        }
        res.outcome = MIGRATE_DONE;
        *ret = res;
        return 0;
}
