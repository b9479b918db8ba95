/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

struct json_object;

/* The settings model and datastore (docs/decisions/0004-settings-api.md, 0006-settings-model.md).
 *
 * Key paths. A key is written `settings.` followed by dot-separated names; a name made of anything but
 * letters, digits, '-', '_' and the other printable ASCII characters except '.', '"', '\' and space is
 * double-quoted, with '"' and '\' inside escaped by a backslash:
 * settings.kernel.sysctl."net.ipv4.ip_forward". Trees are JSON objects nested the same way, without the
 * `settings` wrapper. */

#define SETTINGS_KEY_MAX_LENGTH 4096 /* bytes of a formatted key path */
#define SETTINGS_KEY_MAX_DEPTH  32   /* names after `settings` */
#define SETTINGS_MAX_KEYS       4096 /* leaves in one tree handed to validate or the store */

/* Why a call failed, for the person who made the request: key is the full key path the problem is at
 * (with list indices, settings.ntp.time-servers[1]) or "" when none applies. */
typedef struct SettingsError {
        char key[SETTINGS_KEY_MAX_LENGTH + 64];
        char message[512];
} SettingsError;

/* A parsed key path: the names after `settings` (n may be 0: the key `settings` itself). */
typedef struct SettingsKey {
        size_t n;
        char **names;
} SettingsKey;

/* Parses text into ret. Returns 0, or -EINVAL (with the reason in ret_error if not NULL) for a path that
 * does not start with `settings`, has an empty or badly quoted name, is longer than
 * SETTINGS_KEY_MAX_LENGTH or deeper than SETTINGS_KEY_MAX_DEPTH; -ENOMEM. */
int settings_key_parse(const char *text, SettingsKey *ret, SettingsError *ret_error);
/* Frees the names; the key may then be reused. Accepts a zeroed key. */
void settings_key_done(SettingsKey *k);
/* Formats names (n of them) as a key path, quoting where needed. Returns 0 and a malloc()ed string,
 * -ENAMETOOLONG past SETTINGS_KEY_MAX_LENGTH, -EINVAL for an empty name, or -ENOMEM. */
int settings_key_format(char *const *names, size_t n, char **ret);

typedef struct SettingsModel SettingsModel;

/* Loads dir/base.json and, if variant is not NULL, dir/variants/<variant>.json merged over it. The files
 * are checked whole: an unknown property, a bad pattern, a default the key's own type refuses or a service
 * that names a missing configuration file are errors. Returns 0, -ENOENT for a missing file, -EINVAL
 * (reason in ret_error) for a malformed model, -ENOMEM. */
int settings_model_load(const char *dir, const char *variant, SettingsModel **ret, SettingsError *ret_error);
/* Accepts NULL, returns NULL. */
SettingsModel *settings_model_free(SettingsModel *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(SettingsModel *, settings_model_free);

/* Checks a partial settings tree (an object, without the `settings` wrapper) against the model: every
 * key must be modelled and every value of its type. Returns 0, or -EINVAL with the key path and the reason
 * in ret_error (e.g. "settings.ntp.time-servers[1]", "not a hostname or URL"). */
int settings_model_validate(const SettingsModel *m, struct json_object *tree, SettingsError *ret_error);

/* The full default tree for the model's variant. Keys whose default is generated (see the decision record)
 * get a fresh value on every call; the store keeps the first one it is given. Returns 0 or -ENOMEM. */
int settings_model_defaults(const SettingsModel *m, struct json_object **ret);

/* The services a key affects: those named on the key, on every key above it and every key below it.
 * ret is a JSON array of service names, sorted. Returns 0, -ENOENT (reason in ret_error) for a key the
 * model does not have, -EINVAL for a malformed key, -ENOMEM. */
int settings_model_key_services(const SettingsModel *m, const char *key, struct json_object **ret,
                                SettingsError *ret_error);

/* What a set of keys (a JSON array of key path strings, e.g. what a commit returned) affects:
 * ret_services {"<service>": {"configuration-files": [...], "restart-units": [...]}} and ret_files
 * {"<file>": {"path", "template", "mode"}} (either out-parameter may be NULL). Errors as above. */
int settings_model_affected(const SettingsModel *m, struct json_object *keys,
                            struct json_object **ret_services, struct json_object **ret_files,
                            SettingsError *ret_error);

/* All services and all configuration files of the model, shapes as above (borrowed, owned by the model). */
struct json_object *settings_model_services(const SettingsModel *m);
struct json_object *settings_model_files(const SettingsModel *m);

/* Tree helpers for callers that build settings trees (the API server from key/value pairs). */
/* Sets the value at names in tree (an object), creating objects on the way; adds its own reference to value.
 */
int settings_tree_set(struct json_object *tree, char *const *names, size_t n, struct json_object *value);
/* Merges src into dst: objects recursively, anything else replaced (by a reference to src's value). */
int settings_tree_merge(struct json_object *dst, struct json_object *src);
