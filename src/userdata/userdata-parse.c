/* SPDX-License-Identifier: MIT */
/* A user data document from TOML to a checked settings tree, with every problem listed: a person at a
 * console who fixes one key per boot would need a boot per mistake. */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>

#include "toml.h"
#include "userdata.h"

void userdata_done(UserData *u) {
        json_object_put(u->settings);
        for (size_t i = 0; i < u->n_errors; i++)
                free(u->errors[i]);
        free(u->errors);
        *u = (UserData){};
}

int userdata_add_error(UserData *u, const char *fmt, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;
        char **e;
        int n;

        if (u->n_errors >= USERDATA_MAX_ERRORS) {
                u->n_dropped++;
                return 0;
        }
        va_start(ap, fmt);
        n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        /* Sibling subtrees that fail at their common parent each report the parent: say it once. */
        if (u->n_errors > 0 && streq(u->errors[u->n_errors - 1], s))
                return 0;
        e = realloc(u->errors, (u->n_errors + 1) * sizeof(*e));
        if (!e)
                return -ENOMEM;
        u->errors = e;
        u->errors[u->n_errors++] = TAKE_PTR(s);
        return 0;
}

static size_t count_leaves(struct json_object *o) {
        size_t n = 0;

        if (!json_object_is_type(o, json_type_object))
                return 1;
        json_object_object_foreach(o, name, value) {
                (void) name;
                n += count_leaves(value);
        }
        return n;
}

/* Whether the model's error is about the key at names itself rather than something below it. */
static bool error_is_here(char *const *names, size_t depth, const SettingsError *e) {
        _cleanup_free_ char *key = NULL;

        /* A name the formatter refuses (control characters) cannot be compared; the caller then goes
         * deeper and relies on userdata_add_error() folding the repeats. */
        if (settings_key_format(names, depth, &key) < 0)
                return false;
        return streq(key, e->key);
}

/* Checks value, the subtree at names[0..depth), on its own; when it fails somewhere below, checks each
 * child on its own, so that every bad key is reported and not only the first the validator meets. */
static int collect(const SettingsModel *m, char **names, size_t depth, struct json_object *value,
                   UserData *u) {
        _cleanup_(json_object_putp) struct json_object *wrapped = NULL;
        SettingsError e = {};
        size_t before = u->n_errors + u->n_dropped;
        int r;

        if (depth == 0)
                wrapped = json_object_get(value);
        else {
                wrapped = json_object_new_object();
                if (!wrapped)
                        return -ENOMEM;
                r = settings_tree_set(wrapped, names, depth, value);
                if (r < 0)
                        return r;
        }
        r = settings_model_validate(m, wrapped, &e);
        if (r == 0)
                return 0;
        if (r != -EINVAL)
                return r;
        if (json_object_is_type(value, json_type_object) && json_object_object_length(value) > 0 &&
            depth < SETTINGS_KEY_MAX_DEPTH && !error_is_here(names, depth, &e)) {
                json_object_object_foreach(value, name, child) {
                        names[depth] = name;
                        r = collect(m, names, depth + 1, child, u);
                        if (r < 0)
                                return r;
                }
                /* The children pass one by one but not together (too many map entries): the whole is bad. */
                if (u->n_errors + u->n_dropped > before)
                        return 0;
        }
        return userdata_add_error(u, "%s: %s", e.key, e.message);
}

/* Everything but [settings] at the top is refused by name: Bottlerocket's other tables have no meaning
 * here, and dropping them quietly would hide a misplaced [settings] header. */
static int check_top_level(struct json_object *doc, UserData *u) {
        int r;

        json_object_object_foreach(doc, name, value) {
                if (streq(name, "settings")) {
                        if (!json_object_is_type(value, json_type_object))
                                r = userdata_add_error(u, "settings: not a table");
                        else
                                continue;
                } else if (json_object_is_type(value, json_type_object))
                        r = userdata_add_error(u, "[%s]: unknown table, only [settings] is read", name);
                else
                        r = userdata_add_error(u, "%s: unknown top-level key, only [settings] is read",
                                               name);
                if (r < 0)
                        return r;
        }
        return 0;
}

#define CLOUD_CONFIG "#cloud-config"

int userdata_parse(const SettingsModel *m, const char *text, size_t len, UserData *ret) {
        _cleanup_(json_object_putp) struct json_object *toml = NULL, *doc = NULL;
        const TomlOptions options = { .max_size = USERDATA_MAX_SIZE };
        char *names[SETTINGS_KEY_MAX_DEPTH + 1];
        struct json_object *settings = NULL;
        UserData u = {};
        TomlError te;
        int r;

        /* cloud-init's YAML starts with a TOML comment, so the parser's complaint would come a line later
         * and say nothing useful; user data written for another OS is better told so outright. */
        if (len >= strlen(CLOUD_CONFIG) && strneq(text, CLOUD_CONFIG, strlen(CLOUD_CONFIG)))
                r = userdata_add_error(&u, "a #cloud-config (cloud-init YAML) document: Bulkhead reads TOML "
                                           "user data, with the settings under [settings]");
        else {
                r = toml_parse(text, len, &options, &toml, &te);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        r = userdata_add_error(&u, "%s", te.message);
                else {
                        r = toml_to_json(toml, &doc);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                r = userdata_add_error(&u, "cannot convert to JSON: %s", strerror(-r));
                }
        }
        if (r >= 0 && doc)
                r = check_top_level(doc, &u);
        if (r >= 0 && doc && json_object_object_get_ex(doc, "settings", &settings) &&
            json_object_is_type(settings, json_type_object)) {
                u.n_keys = count_leaves(settings);
                /* The validator stops at this many; checked first so it is one error, not one per child. */
                if (u.n_keys > SETTINGS_MAX_KEYS)
                        r = userdata_add_error(&u, "settings: more than %d keys", SETTINGS_MAX_KEYS);
                else
                        r = collect(m, names, 0, settings, &u);
        }
        if (r < 0) {
                userdata_done(&u);
                return r;
        }
        if (u.n_errors == 0)
                u.settings = settings ? json_object_get(settings) : json_object_new_object();
        if (!u.settings && u.n_errors == 0) {
                userdata_done(&u);
                return -ENOMEM;
        }
        *ret = u;
        return 0;
}
