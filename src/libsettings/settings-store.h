/* SPDX-License-Identifier: MIT */
#pragma once

#include "settings.h"

/* The settings datastore: one SQLite database (WAL, synchronous=FULL) holding the live settings (one row
 * per leaf key path, its value as JSON), named pending transactions, snapshots for "try" commits and
 * metadata. Every change is one SQLite transaction, so a crash at any point leaves the state before it or
 * the state after it (docs/decisions/0006-settings-model.md, 0004-settings-api.md).
 *
 * The store does not know the model: callers validate trees (settings_model_validate()) before handing
 * them in. Trees are settings trees without the `settings` wrapper; their leaves are the values that are
 * not JSON objects, so a list is one key. A store handle is for one thread; any number of handles, in any
 * number of processes, may use one database at a time.
 *
 * Every function returns a negative errno on failure, with a message in ret_error (may be NULL): -EINVAL
 * for a bad transaction name or key, -ENOENT for a missing transaction, snapshot or metadata key, -EBUSY
 * when another writer held the database past the busy timeout, -EBADMSG for a corrupt database,
 * -ENOSPC, -EROFS, -EIO, -ENOMEM. Changed-key lists are JSON arrays of key path strings, sorted. */

#define SETTINGS_STORE_SCHEMA_VERSION  1
#define SETTINGS_STORE_BUSY_TIMEOUT_MS 5000
#define SETTINGS_STORE_TX_NAME_MAX     64

typedef struct SettingsStore SettingsStore;

/* Opens (creating, mode 0600: settings hold credentials) the database at path and brings its schema to
 * SETTINGS_STORE_SCHEMA_VERSION. -EPROTONOSUPPORT for a database from a newer version. */
int settings_store_open(const char *path, SettingsStore **ret, SettingsError *ret_error);
/* Accepts NULL, returns NULL. */
SettingsStore *settings_store_close(SettingsStore *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(SettingsStore *, settings_store_close);
/* How long a call waits for another writer before -EBUSY. */
int settings_store_set_busy_timeout(SettingsStore *s, int ms);

/* The live tree, all of it (n_prefixes 0) or the keys at and below each of the key paths in prefixes,
 * read from one consistent snapshot. An empty store gives {}. */
int settings_store_get_live(SettingsStore *s, const char *const *prefixes, size_t n_prefixes,
                            struct json_object **ret, SettingsError *ret_error);

/* Merges the (validated) tree into pending transaction tx, creating it. */
int settings_store_set_pending(SettingsStore *s, const char *tx, struct json_object *tree,
                               SettingsError *ret_error);
/* The pending tree of tx; {} if there is no such transaction. */
int settings_store_get_pending(SettingsStore *s, const char *tx, struct json_object **ret,
                               SettingsError *ret_error);
/* The names of the pending transactions, sorted. */
int settings_store_list_tx(SettingsStore *s, struct json_object **ret, SettingsError *ret_error);
/* Discards tx. Returns 1 if it existed, 0 if not. */
int settings_store_discard(SettingsStore *s, const char *tx, SettingsError *ret_error);

/* Commits tx atomically: its keys become live, the transaction is gone. ret gets the keys whose value
 * changed. If snapshot is not NULL, the previous values of those keys are kept under that name for
 * settings_store_revert() (-EEXIST if the name is taken). -ENOENT for a missing or empty transaction. */
int settings_store_commit(SettingsStore *s, const char *tx, const char *snapshot, struct json_object **ret,
                          SettingsError *ret_error);
/* Puts back the values a snapshot kept (removing keys that did not exist before) and drops the snapshot;
 * ret gets the keys changed. A key committed again since the snapshot is reverted too. */
int settings_store_revert(SettingsStore *s, const char *snapshot, struct json_object **ret,
                          SettingsError *ret_error);
/* Drops a snapshot, keeping the committed values. */
int settings_store_confirm(SettingsStore *s, const char *snapshot, SettingsError *ret_error);

/* Makes the leaves of tree live where the key has no live value yet; ret (may be NULL) gets those keys. */
int settings_store_set_defaults(SettingsStore *s, struct json_object *tree, struct json_object **ret,
                                SettingsError *ret_error);

/* Metadata (e.g. "user-data" → {"status": …}): a JSON value under a name of at most 256 bytes. */
int settings_store_metadata_get(SettingsStore *s, const char *name, struct json_object **ret,
                                SettingsError *ret_error);
int settings_store_metadata_set(SettingsStore *s, const char *name, struct json_object *value,
                                SettingsError *ret_error);

/* Migrations (docs/decisions/0014-settings-migrations.md). The metadata name holding the OS version whose
 * model the live settings follow, as a JSON string. */
#define SETTINGS_STORE_DATA_VERSION "data-version"
/* Writes a consistent copy of the whole database to path (created 0600; it must not exist). */
int settings_store_copy_to(SettingsStore *s, const char *path, SettingsError *ret_error);
/* In one transaction: the live settings become exactly tree, pending transactions and snapshots are
 * dropped, and the data version is set. */
int settings_store_replace_live(SettingsStore *s, struct json_object *tree, const char *data_version,
                                SettingsError *ret_error);
