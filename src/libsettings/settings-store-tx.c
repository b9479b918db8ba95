/* SPDX-License-Identifier: MIT */
/* The datastore's changes: pending transactions, commits, snapshots for "try", defaults. Each function
 * is one SQLite transaction, so a crash leaves all of its change or none. */
#include <time.h>

#include "settings-store-internal.h"

typedef struct LeafWriter {
        SettingsStore *s;
        sqlite3_stmt *st;            /* the INSERT, with ?1 the tx name where it has one */
        int key_param;               /* parameter numbers of key and value */
        struct json_object *changed; /* keys the statement changed a row for, if wanted */
        size_t count;
        SettingsError *error;
} LeafWriter;

static int write_leaf(char *const *names, size_t n, struct json_object *value, void *userdata) {
        LeafWriter *w = userdata;
        _cleanup_free_ char *key = NULL;
        int r, rc;

        if (++w->count > SETTINGS_MAX_KEYS)
                return settings_error(w->error, -E2BIG, "", "more than %d keys", SETTINGS_MAX_KEYS);
        r = settings_key_format(names, n, &key);
        if (r < 0)
                return settings_error(w->error, r == -ENOMEM ? r : -EINVAL, "", "bad key name '%s'",
                                      n > 0 ? names[n - 1] : "");
        sqlite3_reset(w->st);
        rc = sqlite3_bind_text(w->st, w->key_param, key, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(w->st, w->key_param + 1, store_value_text(value), -1,
                                       SQLITE_TRANSIENT);
        if (rc != SQLITE_OK)
                return store_fail(w->s, rc, "bind", w->error);
        r = store_step_done(w->s, w->st, w->error);
        if (r < 0)
                return r;
        if (w->changed && sqlite3_changes(w->s->db) > 0 &&
            json_object_array_add(w->changed, json_object_new_string(key)) < 0)
                return -ENOMEM;
        return 0;
}

int store_write_leaves(SettingsStore *s, sqlite3_stmt *st, int key_param, struct json_object *tree,
                       struct json_object *changed, SettingsError *ret_error) {
        LeafWriter w = { .s = s, .st = st, .key_param = key_param, .changed = changed, .error = ret_error };
        int r;

        if (!json_object_is_type(tree, json_type_object))
                return settings_error(ret_error, -EINVAL, "settings", "not an object");
        r = settings_tree_walk(tree, write_leaf, &w);
        if (r == -E2BIG && w.count <= SETTINGS_MAX_KEYS)
                r = settings_error(ret_error, -EINVAL, "", "tree deeper than %d names",
                                   SETTINGS_KEY_MAX_DEPTH);
        return r;
}

/* Writes every leaf of tree through the prepared statement st inside one write transaction. */
static int write_tree(SettingsStore *s, sqlite3_stmt *st, int key_param, struct json_object *tree,
                      struct json_object *changed, SettingsError *ret_error) {
        int r;

        if (!json_object_is_type(tree, json_type_object))
                return settings_error(ret_error, -EINVAL, "settings", "not an object");
        r = store_begin_write(s, ret_error);
        if (r < 0)
                return r;
        r = store_write_leaves(s, st, key_param, tree, changed, ret_error);
        if (r < 0)
                return store_rollback(s, r);
        return store_commit(s, ret_error);
}

int settings_store_set_pending(SettingsStore *s, const char *tx, struct json_object *tree,
                               SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r;

        r = store_check_name(tx, "transaction", ret_error);
        if (r < 0)
                return r;
        r = store_prepare(s, "INSERT OR REPLACE INTO pending (tx, key, value) VALUES (?1, ?2, ?3)", &st,
                          ret_error);
        if (r >= 0)
                r = store_bind(s, st, ret_error, tx, NULL);
        if (r < 0)
                return r;
        return write_tree(s, st, 2, tree, NULL, ret_error);
}

int settings_store_set_defaults(SettingsStore *s, struct json_object *tree, struct json_object **ret,
                                SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        _cleanup_(json_object_putp) struct json_object *changed = json_object_new_array();
        int r;

        if (!changed)
                return -ENOMEM;
        /* OR IGNORE: a key that has a value keeps it, which is what keeps a generated default stable. */
        r = store_prepare(s, "INSERT OR IGNORE INTO live (key, value) VALUES (?1, ?2)", &st, ret_error);
        if (r < 0)
                return r;
        r = write_tree(s, st, 1, tree, changed, ret_error);
        if (r < 0)
                return r;
        store_sort_strings(changed);
        if (ret)
                *ret = TAKE_PTR(changed);
        return 0;
}

int settings_store_get_pending(SettingsStore *s, const char *tx, struct json_object **ret,
                               SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        _cleanup_(json_object_putp) struct json_object *tree = json_object_new_object();
        int r;

        if (!tree)
                return -ENOMEM;
        r = store_check_name(tx, "transaction", ret_error);
        if (r >= 0)
                r = store_prepare(s, "SELECT key, value FROM pending WHERE tx = ?1 ORDER BY key", &st,
                                  ret_error);
        if (r >= 0)
                r = store_bind(s, st, ret_error, tx, NULL);
        if (r < 0)
                return r;
        r = store_read_tree(s, st, tree, "reading a transaction", ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(tree);
        return 0;
}

/* Runs a query whose rows are one text column into a JSON array of strings. */
static int query_strings(SettingsStore *s, sqlite3_stmt *st, struct json_object **ret,
                         SettingsError *ret_error) {
        _cleanup_(json_object_putp) struct json_object *a = json_object_new_array();
        int rc;

        if (!a)
                return -ENOMEM;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                if (json_object_array_add(
                            a, json_object_new_string((const char *) sqlite3_column_text(st, 0))) < 0)
                        return -ENOMEM;
        if (rc != SQLITE_DONE)
                return store_fail(s, rc, "query", ret_error);
        *ret = TAKE_PTR(a);
        return 0;
}

int settings_store_list_tx(SettingsStore *s, struct json_object **ret, SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r;

        r = store_prepare(s, "SELECT DISTINCT tx FROM pending ORDER BY tx", &st, ret_error);
        if (r < 0)
                return r;
        return query_strings(s, st, ret, ret_error);
}

int settings_store_discard(SettingsStore *s, const char *tx, SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r;

        r = store_check_name(tx, "transaction", ret_error);
        if (r >= 0)
                r = store_prepare(s, "DELETE FROM pending WHERE tx = ?1", &st, ret_error);
        if (r >= 0)
                r = store_bind(s, st, ret_error, tx, NULL);
        if (r >= 0)
                r = store_step_done(s, st, ret_error);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0;
}

/* Runs a statement with text parameters to completion. */
static int run(SettingsStore *s, const char *sql, SettingsError *ret_error, const char *a, const char *b,
               const char *c) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r;

        r = store_prepare(s, sql, &st, ret_error);
        if (r >= 0)
                r = store_bind(s, st, ret_error, a, b, c, NULL);
        if (r >= 0)
                r = store_step_done(s, st, ret_error);
        return r;
}

static int snapshot_create(SettingsStore *s, const char *snapshot, SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r;

        r = store_prepare(s, "INSERT INTO snapshots (name, created) VALUES (?1, ?2)", &st, ret_error);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, snapshot, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (sqlite3_int64) time(NULL));
        r = store_step_done(s, st, ret_error);
        if (r == -EEXIST)
                return settings_error(ret_error, -EEXIST, "", "snapshot '%s' exists", snapshot);
        return r;
}

/* The commit's plan, read before anything is written: rows of [key, new value, old value or null] for
 * the keys whose value changes (a statement must not read a table that the same loop writes). */
static int commit_plan(SettingsStore *s, const char *tx, struct json_object **ret, size_t *ret_rows,
                       SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        _cleanup_(json_object_putp) struct json_object *plan = json_object_new_array();
        size_t rows = 0;
        int r, rc;

        if (!plan)
                return -ENOMEM;
        r = store_prepare(s,
                          "SELECT p.key, p.value, l.value FROM pending p LEFT JOIN live l ON l.key = p.key "
                          "WHERE p.tx = ?1 ORDER BY p.key",
                          &st, ret_error);
        if (r >= 0)
                r = store_bind(s, st, ret_error, tx, NULL);
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *old = (const char *) sqlite3_column_text(st, 2);
                const char *new = (const char *) sqlite3_column_text(st, 1);
                struct json_object *row;

                rows++;
                if (old && streq(old, new))
                        continue;
                row = json_object_new_array();
                if (!row || json_object_array_add(plan, row) < 0) {
                        json_object_put(row);
                        return -ENOMEM;
                }
                if (json_object_array_add(
                            row, json_object_new_string((const char *) sqlite3_column_text(st, 0))) < 0 ||
                    json_object_array_add(row, json_object_new_string(new)) < 0 ||
                    json_object_array_add(row, old ? json_object_new_string(old) : NULL) < 0)
                        return -ENOMEM;
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, rc, "reading a transaction", ret_error);
        *ret = TAKE_PTR(plan);
        *ret_rows = rows;
        return 0;
}

static const char *row_text(struct json_object *row, size_t i) {
        struct json_object *v = json_object_array_get_idx(row, i);

        return v ? json_object_get_string(v) : NULL;
}

/* Applies a plan inside the open transaction; keeps old values under snapshot if not NULL. */
static int commit_apply(SettingsStore *s, struct json_object *plan, const char *snapshot,
                        struct json_object *changed, SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *put = NULL, *keep = NULL;
        int r;

        r = store_prepare(s, "INSERT OR REPLACE INTO live (key, value) VALUES (?1, ?2)", &put, ret_error);
        if (r >= 0 && snapshot)
                r = store_prepare(s, "INSERT INTO snapshot_values (name, key, value) VALUES (?1, ?2, ?3)",
                                  &keep, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < json_object_array_length(plan); i++) {
                struct json_object *row = json_object_array_get_idx(plan, i);
                const char *key = row_text(row, 0), *old = row_text(row, 2);

                if (keep) {
                        sqlite3_reset(keep);
                        r = store_bind(s, keep, ret_error, snapshot, key, NULL);
                        if (r >= 0 && sqlite3_bind_text(keep, 3, old, -1, SQLITE_TRANSIENT) != SQLITE_OK)
                                r = store_fail(s, sqlite3_errcode(s->db), "bind", ret_error);
                        if (r >= 0)
                                r = store_step_done(s, keep, ret_error);
                        if (r < 0)
                                return r;
                }
                sqlite3_reset(put);
                r = store_bind(s, put, ret_error, key, row_text(row, 1), NULL);
                if (r >= 0)
                        r = store_step_done(s, put, ret_error);
                if (r < 0)
                        return r;
                if (json_object_array_add(changed, json_object_new_string(key)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int settings_store_commit(SettingsStore *s, const char *tx, const char *snapshot, struct json_object **ret,
                          SettingsError *ret_error) {
        _cleanup_(json_object_putp) struct json_object *plan = NULL, *changed = json_object_new_array();
        size_t rows = 0;
        int r;

        if (!changed)
                return -ENOMEM;
        r = store_check_name(tx, "transaction", ret_error);
        if (r >= 0 && snapshot)
                r = store_check_name(snapshot, "snapshot", ret_error);
        if (r < 0)
                return r;
        r = store_begin_write(s, ret_error);
        if (r < 0)
                return r;
        r = commit_plan(s, tx, &plan, &rows, ret_error);
        if (r >= 0 && rows == 0)
                r = settings_error(ret_error, -ENOENT, "", "no pending transaction '%s'", tx);
        if (r >= 0 && snapshot)
                r = snapshot_create(s, snapshot, ret_error);
        if (r >= 0)
                r = commit_apply(s, plan, snapshot, changed, ret_error);
        if (r >= 0)
                r = run(s, "DELETE FROM pending WHERE tx = ?1", ret_error, tx, NULL, NULL);
        if (r < 0)
                return store_rollback(s, r);
        r = store_commit(s, ret_error);
        if (r < 0)
                return r;
        if (ret)
                *ret = TAKE_PTR(changed);
        return 0;
}

static int snapshot_exists(SettingsStore *s, const char *snapshot, SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r, rc;

        r = store_check_name(snapshot, "snapshot", ret_error);
        if (r >= 0)
                r = store_prepare(s, "SELECT 1 FROM snapshots WHERE name = ?1", &st, ret_error);
        if (r >= 0)
                r = store_bind(s, st, ret_error, snapshot, NULL);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return settings_error(ret_error, -ENOENT, "", "no snapshot '%s'", snapshot);
        return rc == SQLITE_ROW ? 0 : store_fail(s, rc, "reading snapshots", ret_error);
}

static int snapshot_drop(SettingsStore *s, const char *snapshot, SettingsError *ret_error) {
        int r = run(s, "DELETE FROM snapshot_values WHERE name = ?1", ret_error, snapshot, NULL, NULL);

        return r < 0 ? r : run(s, "DELETE FROM snapshots WHERE name = ?1", ret_error, snapshot, NULL, NULL);
}

static int revert_values(SettingsStore *s, const char *snapshot, struct json_object *changed,
                         SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        _cleanup_(json_object_putp) struct json_object *rows = json_object_new_array();
        int r, rc;

        if (!rows)
                return -ENOMEM;
        r = store_prepare(s, "SELECT key, value FROM snapshot_values WHERE name = ?1 ORDER BY key", &st,
                          ret_error);
        if (r >= 0)
                r = store_bind(s, st, ret_error, snapshot, NULL);
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                struct json_object *row = json_object_new_array();
                const char *v = (const char *) sqlite3_column_text(st, 1);

                if (!row || json_object_array_add(rows, row) < 0) {
                        json_object_put(row);
                        return -ENOMEM;
                }
                if (json_object_array_add(
                            row, json_object_new_string((const char *) sqlite3_column_text(st, 0))) < 0 ||
                    json_object_array_add(row, v ? json_object_new_string(v) : NULL) < 0)
                        return -ENOMEM;
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, rc, "reading a snapshot", ret_error);
        for (size_t i = 0; i < json_object_array_length(rows); i++) {
                struct json_object *row = json_object_array_get_idx(rows, i);
                const char *key = row_text(row, 0), *old = row_text(row, 1);

                r = old ? run(s, "INSERT OR REPLACE INTO live (key, value) VALUES (?1, ?2)", ret_error, key,
                              old, NULL)
                        : run(s, "DELETE FROM live WHERE key = ?1", ret_error, key, NULL, NULL);
                if (r < 0)
                        return r;
                if (json_object_array_add(changed, json_object_new_string(key)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int settings_store_revert(SettingsStore *s, const char *snapshot, struct json_object **ret,
                          SettingsError *ret_error) {
        _cleanup_(json_object_putp) struct json_object *changed = json_object_new_array();
        int r;

        if (!changed)
                return -ENOMEM;
        r = store_begin_write(s, ret_error);
        if (r < 0)
                return r;
        r = snapshot_exists(s, snapshot, ret_error);
        if (r >= 0)
                r = revert_values(s, snapshot, changed, ret_error);
        if (r >= 0)
                r = snapshot_drop(s, snapshot, ret_error);
        if (r < 0)
                return store_rollback(s, r);
        r = store_commit(s, ret_error);
        if (r < 0)
                return r;
        if (ret)
                *ret = TAKE_PTR(changed);
        return 0;
}

int settings_store_confirm(SettingsStore *s, const char *snapshot, SettingsError *ret_error) {
        int r;

        r = store_begin_write(s, ret_error);
        if (r < 0)
                return r;
        r = snapshot_exists(s, snapshot, ret_error);
        if (r >= 0)
                r = snapshot_drop(s, snapshot, ret_error);
        if (r < 0)
                return store_rollback(s, r);
        return store_commit(s, ret_error);
}
