/* SPDX-License-Identifier: MIT */
/* What a settings migration needs of the store: a consistent copy of the database to work on, and a way
 * to make a whole migrated tree live in one transaction. */
#include <fcntl.h>
#include <unistd.h>

#include "settings-store-internal.h"

int settings_store_copy_to(SettingsStore *s, const char *path, SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        /* VACUUM INTO wants a missing or empty file; creating it ourselves keeps the mode 0600. */
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return settings_error(ret_error, negative_errno(), "", "cannot create '%s': %m", path);
        fd = safe_close(fd);
        r = store_prepare(s, "VACUUM INTO ?1", &st, ret_error);
        if (r >= 0)
                r = store_bind(s, st, ret_error, path, NULL);
        if (r >= 0)
                r = store_step_done(s, st, ret_error);
        if (r < 0)
                (void) unlink(path);
        return r;
}

int settings_store_replace_live(SettingsStore *s, struct json_object *tree, const char *data_version,
                                SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *ins = NULL, *meta = NULL;
        _cleanup_(json_object_putp) struct json_object *v = json_object_new_string(data_version);
        int r;

        if (!v)
                return -ENOMEM;
        r = store_prepare(s, "INSERT INTO live (key, value) VALUES (?1, ?2)", &ins, ret_error);
        if (r >= 0)
                r = store_prepare(s, "INSERT OR REPLACE INTO metadata (name, value) VALUES (?1, ?2)", &meta,
                                  ret_error);
        if (r >= 0)
                r = store_bind(s, meta, ret_error, SETTINGS_STORE_DATA_VERSION, store_value_text(v), NULL);
        if (r < 0)
                return r;
        r = store_begin_write(s, ret_error);
        if (r < 0)
                return r;
        /* Pending transactions and "try" snapshots name keys of the old model: they go with it. */
        r = store_exec(s,
                       "DELETE FROM live; DELETE FROM pending; DELETE FROM snapshot_values;"
                       "DELETE FROM snapshots",
                       ret_error);
        if (r >= 0)
                r = store_write_leaves(s, ins, 1, tree, NULL, ret_error);
        if (r >= 0)
                r = store_step_done(s, meta, ret_error);
        if (r < 0)
                return store_rollback(s, r);
        return store_commit(s, ret_error);
}
