/* SPDX-License-Identifier: MIT */
/* Reading migration files: strict, because a migration that means something other than its author
 * thought changes every node's settings. Unknown members are refused, like everywhere in the model. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "migration.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

bool migration_name_valid(const char *name) {
        size_t n = strlen(name);

        if (n == 0 || n > MIGRATION_NAME_MAX || streq(name, ".") || streq(name, ".."))
                return false;
        return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-") == n;
}

Migration *migration_free(Migration *m) {
        if (!m)
                return NULL;
        for (size_t i = 0; i < m->n_steps; i++) {
                settings_key_done(&m->steps[i].key);
                settings_key_done(&m->steps[i].to_key);
                json_object_put(m->steps[i].value);
                json_object_put(m->steps[i].from);
        }
        free(m->steps);
        free(m->name);
        free(m);
        return NULL;
}

static const struct {
        const char *name;
        MigrationOp op;
        const char *members; /* besides "op" and "key": what the step must have, space-separated */
} ops[] = {
        { "add", MIGRATION_ADD, "value" },
        { "remove", MIGRATION_REMOVE, "" },
        { "rename", MIGRATION_RENAME, "to" },
        { "change-default", MIGRATION_CHANGE_DEFAULT, "from to" },
};

/* Does the space-separated list hold word? */
static bool listed(const char *list, const char *word) {
        size_t n = strlen(word);

        for (const char *p = list; (p = strstr(p, word)); p += n)
                if ((p == list || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
                        return true;
        return false;
}

static int parse_key(struct json_object *o, const char *member, SettingsKey *ret, const char *what, size_t i,
                     char **ret_error) {
        struct json_object *v;
        SettingsError e = {};

        if (!json_object_object_get_ex(o, member, &v) || !json_object_is_type(v, json_type_string))
                return migration_error(ret_error, -EINVAL, "%s: step %zu: \"%s\" must be a key path string",
                                       what, i, member);
        if (settings_key_parse(json_object_get_string(v), ret, &e) < 0)
                return migration_error(ret_error, -EINVAL, "%s: step %zu: \"%s\": %s", what, i, member,
                                       e.message);
        if (ret->n == 0)
                return migration_error(ret_error, -EINVAL,
                                       "%s: step %zu: \"%s\" may not be `settings` itself", what, i, member);
        return 0;
}

static int parse_value(struct json_object *o, const char *member, struct json_object **ret, const char *what,
                       size_t i, char **ret_error) {
        struct json_object *v;

        /* Settings are never null (decision 0006): a null here is a mistake, not "delete". */
        if (!json_object_object_get_ex(o, member, &v) || !v)
                return migration_error(ret_error, -EINVAL, "%s: step %zu: \"%s\" must be a value, not null",
                                       what, i, member);
        *ret = json_object_get(v);
        return 0;
}

static int parse_step(struct json_object *o, MigrationStep *s, const char *what, size_t i,
                      char **ret_error) {
        struct json_object *v;
        const char *name, *members = NULL;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return migration_error(ret_error, -EINVAL, "%s: step %zu is not an object", what, i);
        if (!json_object_object_get_ex(o, "op", &v) || !json_object_is_type(v, json_type_string))
                return migration_error(ret_error, -EINVAL, "%s: step %zu has no \"op\"", what, i);
        name = json_object_get_string(v);
        for (size_t k = 0; k < ELEMENTSOF(ops); k++)
                if (streq(name, ops[k].name)) {
                        s->op = ops[k].op;
                        members = ops[k].members;
                }
        if (!members)
                return migration_error(ret_error, -EINVAL,
                                       "%s: step %zu: unknown op '%s' (add, remove, rename, change-default)",
                                       what, i, name);
        json_object_object_foreach(o, member, value) {
                (void) value;
                if (!streq(member, "op") && !streq(member, "key") && !listed(members, member))
                        return migration_error(ret_error, -EINVAL,
                                               "%s: step %zu: unknown member \"%s\" for %s", what, i, member,
                                               name);
        }
        r = parse_key(o, "key", &s->key, what, i, ret_error);
        if (r < 0)
                return r;
        switch (s->op) {
        case MIGRATION_ADD:
                return parse_value(o, "value", &s->value, what, i, ret_error);
        case MIGRATION_REMOVE:
                return 0;
        case MIGRATION_RENAME:
                r = parse_key(o, "to", &s->to_key, what, i, ret_error);
                if (r < 0)
                        return r;
                /* Moving a key into itself would leave it nowhere. */
                if (s->to_key.n >= s->key.n) {
                        size_t k = 0;
                        while (k < s->key.n && streq(s->key.names[k], s->to_key.names[k]))
                                k++;
                        if (k == s->key.n)
                                return migration_error(
                                        ret_error, -EINVAL,
                                        "%s: step %zu: renames a key to itself or below itself", what, i);
                }
                return 0;
        case MIGRATION_CHANGE_DEFAULT:
                r = parse_value(o, "from", &s->from, what, i, ret_error);
                return r < 0 ? r : parse_value(o, "to", &s->value, what, i, ret_error);
        }
        return -EINVAL;
}

int migration_parse(const char *text, size_t size, const char *what, const char *expected_name,
                    Migration **ret, char **ret_error) {
        _cleanup_(json_object_putp) struct json_object *root = NULL;
        _cleanup_(migration_freep) Migration *m = NULL;
        struct json_tokener *tok;
        struct json_object *v, *steps = NULL;
        const char *name = NULL;
        enum json_tokener_error jerr;
        int r;

        if (size > MIGRATION_MAX_SIZE)
                return migration_error(ret_error, -EFBIG, "%s: more than %d bytes", what,
                                       MIGRATION_MAX_SIZE);
        if (memchr(text, 0, size))
                return migration_error(ret_error, -EINVAL, "%s: contains a NUL byte", what);
        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        root = json_tokener_parse_ex(tok, text, (int) size);
        jerr = json_tokener_get_error(tok);
        if (jerr == json_tokener_success && tok->char_offset < (int) size &&
            text[tok->char_offset + strspn(text + tok->char_offset, " \t\r\n")] != 0)
                jerr = json_tokener_error_parse_unexpected;
        json_tokener_free(tok);
        if (jerr != json_tokener_success || !root)
                return migration_error(ret_error, -EINVAL, "%s: not JSON: %s", what,
                                       root ? "trailing data" : json_tokener_error_desc(jerr));
        if (!json_object_is_type(root, json_type_object))
                return migration_error(ret_error, -EINVAL, "%s: not a JSON object", what);
        json_object_object_foreach(root, member, value) {
                if (streq(member, "format")) {
                        if (!json_object_is_type(value, json_type_int) ||
                            json_object_get_int64(value) != MIGRATION_FORMAT)
                                return migration_error(ret_error, -EINVAL, "%s: format is not %d", what,
                                                       MIGRATION_FORMAT);
                } else if (streq(member, "name")) {
                        name = json_object_is_type(value, json_type_string) ? json_object_get_string(value)
                                                                            : "";
                } else if (streq(member, "steps"))
                        steps = value;
                else if (!streq(member, "description"))
                        return migration_error(ret_error, -EINVAL, "%s: unknown member \"%s\"", what,
                                               member);
        }
        if (!json_object_object_get_ex(root, "format", &v))
                return migration_error(ret_error, -EINVAL, "%s: no \"format\"", what);
        if (!name || !migration_name_valid(name))
                return migration_error(ret_error, -EINVAL, "%s: \"name\" must be 1-%d of [A-Za-z0-9._+-]",
                                       what, MIGRATION_NAME_MAX);
        if (expected_name && !streq(name, expected_name))
                return migration_error(ret_error, -EINVAL, "%s: names itself '%s', expected '%s'", what,
                                       name, expected_name);
        if (!json_object_is_type(steps, json_type_array) || json_object_array_length(steps) == 0 ||
            json_object_array_length(steps) > MIGRATION_MAX_STEPS)
                return migration_error(ret_error, -EINVAL, "%s: \"steps\" must be an array of 1-%d steps",
                                       what, MIGRATION_MAX_STEPS);
        m = calloc(1, sizeof(Migration));
        if (!m || !(m->name = strdup(name)) ||
            !(m->steps = calloc(json_object_array_length(steps), sizeof(MigrationStep))))
                return -ENOMEM;
        for (size_t i = 0; i < json_object_array_length(steps); i++) {
                r = parse_step(json_object_array_get_idx(steps, i), &m->steps[i], what, i, ret_error);
                m->n_steps = i + 1; /* so that free releases what the step holds, parsed or not */
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(m);
        return 0;
}

int migration_load(const char *dir, const char *name, Migration **ret, char **ret_error) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t size;
        int r;

        if (!migration_name_valid(name))
                return migration_error(ret_error, -EINVAL, "'%s' is not a valid migration name", name);
        if (asprintf(&path, "%s/%s.json", dir, name) < 0)
                return -ENOMEM;
        r = read_full_file(path, MIGRATION_MAX_SIZE, &text, &size);
        if (r < 0)
                return migration_error(ret_error, r, "%s: cannot read: %s", path, strerror(-r));
        return migration_parse(text, size, path, name, ret, ret_error);
}
