/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "macro.h"
#include "settings.h"

/* Settings migrations (docs/decisions/0014-settings-migrations.md): data, not code. A migration is a
 * JSON file naming steps that change a settings tree:
 *
 *   {"format": 1, "name": "motd-banner", "description": "…",
 *    "steps": [{"op": "add", "key": "settings.a.b", "value": 1},
 *              {"op": "remove", "key": "settings.c"},
 *              {"op": "rename", "key": "settings.d", "to": "settings.e"},
 *              {"op": "change-default", "key": "settings.f", "from": 1, "to": 2}]}
 *
 * Functions return a negative errno, with a message naming the file and step in *ret_error (free() it):
 * -EINVAL for a malformed migration or a step that cannot apply, -ENOENT for a missing file or path,
 * -ENOMEM. */

#define MIGRATION_FORMAT    1
#define MIGRATION_MAX_SIZE  (256 * 1024) /* bytes of one migration file */
#define MIGRATION_MAX_STEPS 1024
#define MIGRATION_MAX_CHAIN 64 /* edges on the way from one version to another */
#define MIGRATION_NAME_MAX  64

typedef enum MigrationOp {
        MIGRATION_ADD,            /* value at key, unless the key has a value */
        MIGRATION_REMOVE,         /* key and everything below it */
        MIGRATION_RENAME,         /* key (and below) moved to `to`, replacing what was there */
        MIGRATION_CHANGE_DEFAULT, /* value `to` where the key still holds the old default `from` */
} MigrationOp;

typedef struct MigrationStep {
        MigrationOp op;
        SettingsKey key, to_key;
        struct json_object *value; /* add: the value; change-default: the new default */
        struct json_object *from;  /* change-default: the old default */
} MigrationStep;

typedef struct Migration {
        char *name;
        MigrationStep *steps;
        size_t n_steps;
} Migration;

/* Is name 1-MIGRATION_NAME_MAX of [A-Za-z0-9._+-], not "." or ".."? (a file name under the migrations
 * directory and a target path component) */
bool migration_name_valid(const char *name);

/* Parses text (what names it in messages). The file's "name" must be expected_name when that is not NULL. */
int migration_parse(const char *text, size_t size, const char *what, const char *expected_name,
                    Migration **ret, char **ret_error);
/* Reads and parses dir/<name>.json. */
int migration_load(const char *dir, const char *name, Migration **ret, char **ret_error);
Migration *migration_free(Migration *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Migration *, migration_free);

/* Runs the steps over tree (a settings tree without the `settings` wrapper), in place. ret_changed (may be
 * NULL) is incremented by the number of steps that changed something. A step whose key has no value is
 * not an error (a migration is written against every tree a version may hold); a step that would put a
 * value where an object with other keys is, or below a leaf, is. */
int migration_apply(const Migration *m, struct json_object *tree, unsigned *ret_changed, char **ret_error);

/* The way from one version to another through the edges of a manifest's migration list (objects with
 * "variant", "from", "to", "names", "targets"): the fewest edges, ties broken by list order so that the
 * agent that downloads the migrations and the node that runs them pick the same way. ret gets a JSON
 * array of {"name", "target"} in the order to run them; an empty array when from equals to. -ENOENT when
 * there is no way. */
int migration_plan(struct json_object *edges, const char *variant, const char *from, const char *to,
                   struct json_object **ret, char **ret_error);

/* Fills *ret_error with a formatted message (if ret_error is not NULL and holds none yet) and returns r. */
#define migration_error error_message

/* The node side: brings the datastore at path from the version it records to image_version, with the
 * migrations the update agent left in dir (index.json: {"variant", "migrations": [edges]}, and
 * <name>.json for each migration on the ways it may need). */
typedef enum MigrateOutcome {
        MIGRATE_CURRENT,  /* the data already follows image_version */
        MIGRATE_RECORDED, /* no version recorded yet (first boot): image_version now is */
        MIGRATE_DONE,     /* migrated */
        MIGRATE_NO_WAY,   /* no migrations known between the two: version recorded, data kept */
} MigrateOutcome;

typedef struct MigrateResult {
        MigrateOutcome outcome;
        char from[MIGRATION_NAME_MAX + 1]; /* the version the data followed */
        char names[1024];                  /* the migrations run, space-separated */
        unsigned changed;                  /* steps that changed something */
} MigrateResult;

/* Works on a copy (path.migrating) and renames it over path only when every migration has run and the
 * copy is synced, so a failure or a power cut at any point leaves the old data or the new. */
int migrate_datastore(const char *path, const char *variant, const char *image_version, const char *dir,
                      MigrateResult *ret, char **ret_error);
