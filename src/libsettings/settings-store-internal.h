/* SPDX-License-Identifier: MIT */
#pragma once

#include <sqlite3.h>

#include "settings-internal.h"
#include "settings-store.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

struct SettingsStore {
        sqlite3 *db;
        char *path;
};

/* Fills ret_error from the connection's message and returns the errno that rc maps to. */
int store_fail(SettingsStore *s, int rc, const char *what, SettingsError *ret_error);
int store_prepare(SettingsStore *s, const char *sql, sqlite3_stmt **ret, SettingsError *ret_error);
/* Binds text parameters 1.. from the NULL-terminated list (a NULL value in the middle is not possible:
 * use sqlite3_bind_null separately). */
int store_bind(SettingsStore *s, sqlite3_stmt *st, SettingsError *ret_error, ...);
/* Runs a statement that returns no rows to completion. */
int store_step_done(SettingsStore *s, sqlite3_stmt *st, SettingsError *ret_error);
int store_exec(SettingsStore *s, const char *sql, SettingsError *ret_error);

/* BEGIN IMMEDIATE: the write lock is taken up front, so two writers never deadlock upgrading a read
 * lock (which the busy handler cannot resolve). */
int store_begin_write(SettingsStore *s, SettingsError *ret_error);
int store_begin_read(SettingsStore *s, SettingsError *ret_error);
int store_commit(SettingsStore *s, SettingsError *ret_error);
/* Rolls back if a transaction is open; for error paths, returns r. */
int store_rollback(SettingsStore *s, int r);

int store_check_name(const char *name, const char *what, SettingsError *ret_error);
/* A leaf value as stored: compact JSON. */
const char *store_value_text(struct json_object *v);
/* Adds the row (key path text, value JSON text) to tree. */
int store_tree_add(struct json_object *tree, const char *key, const char *value, SettingsError *ret_error);
/* Steps st to its end, adding each (key, value) row to tree; what names the read in errors. */
int store_read_tree(SettingsStore *s, sqlite3_stmt *st, struct json_object *tree, const char *what,
                    SettingsError *ret_error);
/* Writes every leaf of tree through st (key and value at parameters key_param and key_param + 1), in the
 * caller's transaction; changed (may be NULL) gets the keys a row changed for. */
int store_write_leaves(SettingsStore *s, sqlite3_stmt *st, int key_param, struct json_object *tree,
                       struct json_object *changed, SettingsError *ret_error);
/* Sorts a JSON array of strings in place. */
void store_sort_strings(struct json_object *a);
