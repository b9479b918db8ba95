/* SPDX-License-Identifier: MIT */
/* The datastore's connection, schema and reads. Transactions that change things: settings-store-tx.c. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "settings-store-internal.h"

int store_fail(SettingsStore *s, int rc, const char *what, SettingsError *ret_error) {
        int r;

        switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                r = -EBUSY;
                break;
        case SQLITE_NOMEM:
                r = -ENOMEM;
                break;
        case SQLITE_FULL:
                r = -ENOSPC;
                break;
        case SQLITE_READONLY:
                r = -EROFS;
                break;
        case SQLITE_PERM:
        case SQLITE_AUTH:
                r = -EACCES;
                break;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                r = -EBADMSG;
                break;
        case SQLITE_CONSTRAINT:
                r = -EEXIST;
                break;
        case SQLITE_TOOBIG:
                r = -E2BIG;
                break;
        default:
                r = -EIO;
        }
        return settings_error(ret_error, r, "", "settings store '%s': %s: %s", s->path, what,
                              s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

int store_prepare(SettingsStore *s, const char *sql, sqlite3_stmt **ret, SettingsError *ret_error) {
        int rc = sqlite3_prepare_v2(s->db, sql, -1, ret, NULL);

        return rc == SQLITE_OK ? 0 : store_fail(s, rc, "prepare", ret_error);
}

int store_bind(SettingsStore *s, sqlite3_stmt *st, SettingsError *ret_error, ...) {
        va_list ap;
        const char *v;
        int i = 1, rc = SQLITE_OK;

        va_start(ap, ret_error);
        while (rc == SQLITE_OK && (v = va_arg(ap, const char *)))
                rc = sqlite3_bind_text(st, i++, v, -1, SQLITE_TRANSIENT);
        va_end(ap);
        return rc == SQLITE_OK ? 0 : store_fail(s, rc, "bind", ret_error);
}

int store_step_done(SettingsStore *s, sqlite3_stmt *st, SettingsError *ret_error) {
        int rc = sqlite3_step(st);

        return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "step", ret_error);
}

int store_exec(SettingsStore *s, const char *sql, SettingsError *ret_error) {
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

        return rc == SQLITE_OK ? 0 : store_fail(s, rc, sql, ret_error);
}

int store_begin_write(SettingsStore *s, SettingsError *ret_error) {
        return store_exec(s, "BEGIN IMMEDIATE", ret_error);
}

int store_begin_read(SettingsStore *s, SettingsError *ret_error) {
        return store_exec(s, "BEGIN", ret_error);
}

int store_commit(SettingsStore *s, SettingsError *ret_error) {
        int r = store_exec(s, "COMMIT", ret_error);

        return r < 0 ? store_rollback(s, r) : 0;
}

int store_rollback(SettingsStore *s, int r) {
        if (!sqlite3_get_autocommit(s->db))
                (void) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
}

int store_check_name(const char *name, const char *what, SettingsError *ret_error) {
        size_t l = strlen(name);

        if (l == 0 || l > SETTINGS_STORE_TX_NAME_MAX ||
            strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != l)
                return settings_error(ret_error, -EINVAL, "",
                                      "bad %s name (letters, digits, '-', '_', at most %d)", what,
                                      SETTINGS_STORE_TX_NAME_MAX);
        return 0;
}

const char *store_value_text(struct json_object *v) {
        return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

int store_tree_add(struct json_object *tree, const char *key, const char *value, SettingsError *ret_error) {
        _cleanup_(settings_key_done) SettingsKey k = {};
        _cleanup_(json_object_putp) struct json_object *v = NULL;
        int r;

        r = settings_key_parse(key, &k, ret_error);
        if (r < 0 || k.n == 0)
                return settings_error(ret_error, -EBADMSG, key, "settings store holds a bad key");
        v = json_tokener_parse(value);
        if (!v && !streq(value, "null"))
                return settings_error(ret_error, -EBADMSG, key, "settings store holds a bad value");
        return settings_tree_set(tree, k.names, k.n, v);
}

static int compare_strings(const void *a, const void *b) {
        return strcmp(json_object_get_string(*(struct json_object *const *) a),
                      json_object_get_string(*(struct json_object *const *) b));
}

void store_sort_strings(struct json_object *a) {
        json_object_array_sort(a, compare_strings);
}

static const char schema_v1[] =
        "CREATE TABLE live (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;"
        "CREATE TABLE pending (tx TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
        "                      PRIMARY KEY (tx, key)) WITHOUT ROWID;"
        "CREATE TABLE snapshots (name TEXT PRIMARY KEY NOT NULL, created INTEGER NOT NULL) WITHOUT ROWID;"
        /* value NULL: the key had no live value before the commit. */
        "CREATE TABLE snapshot_values (name TEXT NOT NULL REFERENCES snapshots(name), key TEXT NOT NULL,"
        "                              value TEXT, PRIMARY KEY (name, key)) WITHOUT ROWID;"
        "CREATE TABLE metadata (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;"
        "PRAGMA user_version = 1;";

/* Creates or upgrades the schema in one transaction, so a crash mid-way leaves the old version. */
static int schema_setup(SettingsStore *s, SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r, version;

        r = store_begin_write(s, ret_error);
        if (r < 0)
                return r;
        r = store_prepare(s, "PRAGMA user_version", &st, ret_error);
        if (r < 0)
                return store_rollback(s, r);
        if (sqlite3_step(st) != SQLITE_ROW)
                return store_rollback(s, store_fail(s, sqlite3_errcode(s->db), "schema version", ret_error));
        version = sqlite3_column_int(st, 0);
        st = (sqlite3_finalize(st), NULL);
        if (version > SETTINGS_STORE_SCHEMA_VERSION)
                return store_rollback(s, settings_error(ret_error, -EPROTONOSUPPORT, "",
                                                        "settings store '%s' has "
                                                        "schema version %d, newer than %d",
                                                        s->path, version, SETTINGS_STORE_SCHEMA_VERSION));
        /* Later versions add their steps here: if (version < 2) { …; PRAGMA user_version = 2 }. */
        if (version < 1) {
                r = store_exec(s, schema_v1, ret_error);
                if (r < 0)
                        return store_rollback(s, r);
        }
        return store_commit(s, ret_error);
}

static int store_configure(SettingsStore *s, SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r;

        sqlite3_extended_result_codes(s->db, 1);
        r = settings_store_set_busy_timeout(s, SETTINGS_STORE_BUSY_TIMEOUT_MS);
        if (r < 0)
                return r;
        r = store_prepare(s, "PRAGMA journal_mode = WAL", &st, ret_error);
        if (r < 0)
                return r;
        if (sqlite3_step(st) != SQLITE_ROW || !streq((const char *) sqlite3_column_text(st, 0), "wal"))
                return store_fail(s, sqlite3_errcode(s->db), "enabling WAL", ret_error);
        /* A statement left on a row would keep the schema transaction below from committing. */
        st = (sqlite3_finalize(st), NULL);
        /* FULL: in WAL mode a commit is synced before it returns, so an acknowledged commit survives
         * power loss, not only a crash of the process. */
        r = store_exec(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF",
                       ret_error);
        if (r < 0)
                return r;
        return schema_setup(s, ret_error);
}

int settings_store_open(const char *path, SettingsStore **ret, SettingsError *ret_error) {
        _cleanup_(settings_store_closep) SettingsStore *s = NULL;
        _cleanup_close_ int fd = -EBADF;
        int rc, r;

        s = calloc(1, sizeof(SettingsStore));
        if (!s)
                return -ENOMEM;
        s->path = strdup(path);
        if (!s->path)
                return -ENOMEM;
        /* SQLite would create the file (and its -wal and -shm, which copy its mode) with the umask's
         * mode; settings hold registry credentials, so make it 0600 first. */
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return settings_error(ret_error, negative_errno(), "", "cannot open settings store '%s': %m",
                                      path);
        fd = safe_close(fd);
        rc = sqlite3_open_v2(path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW, NULL);
        if (rc != SQLITE_OK)
                return store_fail(s, rc, "open", ret_error);
        r = store_configure(s, ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

SettingsStore *settings_store_close(SettingsStore *s) {
        if (!s)
                return NULL;
        /* Unfinalized statements would keep the connection open: every statement is finalized by its
         * user, so _v2's deferred close never has to wait. */
        sqlite3_close_v2(s->db);
        free(s->path);
        free(s);
        return NULL;
}

int settings_store_set_busy_timeout(SettingsStore *s, int ms) {
        int rc = sqlite3_busy_timeout(s->db, ms);

        return rc == SQLITE_OK ? 0 : store_fail(s, rc, "busy timeout", NULL);
}

int store_read_tree(SettingsStore *s, sqlite3_stmt *st, struct json_object *tree, const char *what,
                    SettingsError *ret_error) {
        int r, rc;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                r = store_tree_add(tree, (const char *) sqlite3_column_text(st, 0),
                                   (const char *) sqlite3_column_text(st, 1), ret_error);
                if (r < 0)
                        return r;
        }
        return rc == SQLITE_DONE ? 0 : store_fail(s, rc, what, ret_error);
}

/* Adds the live rows at and below prefix (a formatted key path) to tree. */
static int get_prefix(SettingsStore *s, const char *prefix, struct json_object *tree,
                      SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r;

        r = store_prepare(s,
                          streq(prefix, "settings")
                                  ? "SELECT key, value FROM live ORDER BY key"
                                  : "SELECT key, value FROM live WHERE key = ?1 OR "
                                    "substr(key, 1, length(?1) + 1) = ?1 || '.' ORDER BY key",
                          &st, ret_error);
        if (r < 0)
                return r;
        if (!streq(prefix, "settings")) {
                r = store_bind(s, st, ret_error, prefix, NULL);
                if (r < 0)
                        return r;
        }
        return store_read_tree(s, st, tree, "reading live settings", ret_error);
}

int settings_store_get_live(SettingsStore *s, const char *const *prefixes, size_t n_prefixes,
                            struct json_object **ret, SettingsError *ret_error) {
        _cleanup_(json_object_putp) struct json_object *tree = json_object_new_object();
        int r;

        if (!tree)
                return -ENOMEM;
        r = store_begin_read(s, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < MAX(n_prefixes, (size_t) 1); i++) {
                _cleanup_(settings_key_done) SettingsKey k = {};
                _cleanup_free_ char *canonical = NULL;

                /* Parsed and formatted again, so that prefixes compare name by name. */
                r = n_prefixes == 0 ? 0 : settings_key_parse(prefixes[i], &k, ret_error);
                if (r >= 0)
                        r = settings_key_format(k.names, k.n, &canonical);
                if (r >= 0)
                        r = get_prefix(s, canonical, tree, ret_error);
                if (r < 0)
                        return store_rollback(s, r);
        }
        r = store_commit(s, ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(tree);
        return 0;
}

int settings_store_metadata_get(SettingsStore *s, const char *name, struct json_object **ret,
                                SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        struct json_object *v;
        int r, rc;

        r = store_prepare(s, "SELECT value FROM metadata WHERE name = ?1", &st, ret_error);
        if (r >= 0)
                r = store_bind(s, st, ret_error, name, NULL);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return settings_error(ret_error, -ENOENT, "", "no metadata '%s'", name);
        if (rc != SQLITE_ROW)
                return store_fail(s, rc, "reading metadata", ret_error);
        v = json_tokener_parse((const char *) sqlite3_column_text(st, 0));
        if (!v && !streq((const char *) sqlite3_column_text(st, 0), "null"))
                return settings_error(ret_error, -EBADMSG, "", "settings store holds bad metadata '%s'",
                                      name);
        *ret = v;
        return 0;
}

int settings_store_metadata_set(SettingsStore *s, const char *name, struct json_object *value,
                                SettingsError *ret_error) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r;

        if (!*name || strlen(name) > 256)
                return settings_error(ret_error, -EINVAL, "", "bad metadata name");
        r = store_prepare(s, "INSERT OR REPLACE INTO metadata (name, value) VALUES (?1, ?2)", &st,
                          ret_error);
        if (r >= 0)
                r = store_bind(s, st, ret_error, name, store_value_text(value), NULL);
        if (r >= 0)
                r = store_step_done(s, st, ret_error);
        return r;
}
