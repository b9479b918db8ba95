/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>

#include "settings.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

typedef enum SettingsType {
        SETTINGS_OBJECT,
        SETTINGS_MAP,
        SETTINGS_LIST,
        SETTINGS_ONE_OF,
        SETTINGS_STRING,
        SETTINGS_INTEGER,
        SETTINGS_BOOL,
        SETTINGS_ENUM,
        SETTINGS_BASE64,
        SETTINGS_URL,
        SETTINGS_IP,
        SETTINGS_CIDR,
        SETTINGS_HOSTNAME,
        _SETTINGS_TYPE_MAX,
} SettingsType;

typedef struct SettingsNode SettingsNode;

/* One node of the compiled model. Which fields mean something depends on the type. */
struct SettingsNode {
        SettingsType type;
        char *name;       /* field name within its object; NULL elsewhere */
        bool has_pattern; /* string: value pattern; map: name pattern */
        regex_t pattern;
        char *pattern_text;   /* as the model wrote it, for messages */
        int64_t min, max;     /* integer: range; string, base64: length; list: items; map: entries */
        bool generate_random; /* integer: the default is drawn from [min, max] */
        char **values;        /* enum: the allowed strings; object: required field names */
        size_t n_values;
        SettingsNode **children; /* object: fields, sorted by name; one-of: alternatives */
        size_t n_children;
        SettingsNode *item; /* list: items; map: values */
        char **services;    /* services this key (and everything below it) affects */
        size_t n_services;
};

/* A key whose default is drawn at random each time defaults are asked for (updates.seed). */
typedef struct SettingsGenerated {
        SettingsKey key;
        const SettingsNode *node;
} SettingsGenerated;

struct SettingsModel {
        SettingsNode *root;
        SettingsGenerated *generated;
        size_t n_generated;
        struct json_object *defaults; /* the merged default tree, without generated values */
        struct json_object *services; /* name -> {"configuration-files", "restart-units"} */
        struct json_object *files;    /* name -> {"path", "template", "mode"} */
};

/* Compiles the merged "settings" fields of the model files into m->root, collecting defaults into
 * m->defaults (which must exist) and generated keys; m->services must be loaded first. */
int settings_model_compile(SettingsModel *m, struct json_object *fields, SettingsError *ret_error);

SettingsNode *settings_node_free(SettingsNode *n);
DEFINE_TRIVIAL_CLEANUP_FUNC(SettingsNode *, settings_node_free);
/* The field called name of an object node, or NULL. */
const SettingsNode *settings_node_field(const SettingsNode *n, const char *name);
/* "a hostname", "an integer": the type as a noun with its article, for messages. */
const char *settings_type_noun(SettingsType t);

/* Fills ret_error (if not NULL) and returns r, so that `return settings_error(...)` is one statement. */
int settings_error(SettingsError *ret_error, int r, const char *key, const char *fmt, ...) _printf_(4, 5);

/* Appends name to the key path in buf (of size bytes, *len used), quoting it where needed. strict refuses
 * names with control characters (-EINVAL); otherwise they show as '?', for messages. -ENAMETOOLONG when
 * it does not fit. */
int settings_key_append(char *buf, size_t size, size_t *len, const char *name, bool strict);

/* Scalar checks, each true if the string is one. */
bool settings_is_hostname(const char *s);
bool settings_is_ip(const char *s);
bool settings_is_cidr(const char *s);
bool settings_is_url(const char *s);
bool settings_is_base64(const char *s);

/* Walks a tree's leaves (values that are not objects), calling f with the names leading to each. Stops at
 * the first negative return of f and returns it; -E2BIG past SETTINGS_KEY_MAX_DEPTH names. */
typedef int (*SettingsLeafFunc)(char *const *names, size_t n, struct json_object *value, void *userdata);
int settings_tree_walk(struct json_object *tree, SettingsLeafFunc f, void *userdata);
