/* SPDX-License-Identifier: MIT */
/* Where keys go, and TOML's rules on defining a table once:
 *  - a [header] defines its table; the tables on its path it only creates ("implicitly"), and a later
 *    [header] may still define those, once;
 *  - dotted keys (a.b.c = 1) define the tables on their path; later lines of the same section may add to
 *    them, but neither a [header] nor a later section's dotted keys may;
 *  - a [header] may add sub-tables to a table defined by dotted keys ([a.b.c] after a.b.x = 1);
 *  - inline tables and arrays written with '=' are complete: nothing may be added to them;
 *  - [[name]] appends a table to an array of tables that only [[name]] created.
 * A section is the part of the document under one [header], or one inline table. While parsing, each
 * container's flags and the section that defined it by dotted keys live in its json-c userdata. */
#include <json-c/json.h>
#include <stdio.h>

#include "toml-internal.h"

enum {
        FLAG_HEADER = 1 << 0, /* table defined by a [header], or an element of an array of tables */
        FLAG_DOTTED = 1 << 1, /* table defined by dotted keys, in section (flags >> FLAG_BITS) */
        FLAG_INLINE = 1 << 2, /* inline table */
        FLAG_ARRAY_OF_TABLES = 1 << 3,
        FLAG_BITS = 4,
};

static uintptr_t flags_of(struct json_object *o) {
        return (uintptr_t) json_object_get_userdata(o);
}

static int flags_set(TomlParser *p, struct json_object *o, uintptr_t flags) {
        if (!json_object_get_userdata(o)) {
                if (p->n_flagged == p->cap_flagged) {
                        size_t cap = MAX(p->cap_flagged * 2, (size_t) 64);
                        struct json_object **n = reallocarray(p->flagged, cap, sizeof(*n));

                        if (!n)
                                return toml_oom(p);
                        p->flagged = n;
                        p->cap_flagged = cap;
                }
                p->flagged[p->n_flagged++] = o;
        }
        json_object_set_userdata(o, (void *) flags, NULL);
        return 0;
}

void toml_clear_flags(TomlParser *p) {
        for (size_t i = 0; i < p->n_flagged; i++)
                json_object_set_userdata(p->flagged[i], NULL, NULL);
        p->n_flagged = 0;
}

int toml_mark_inline(TomlParser *p, struct json_object *table) {
        return flags_set(p, table, FLAG_INLINE);
}

int toml_check_depth(TomlParser *p, size_t depth, size_t offset) {
        if (depth > p->max_depth)
                return toml_fail(p, offset, -ELOOP, "nesting deeper than the limit of %zu levels",
                                 p->max_depth);
        return 0;
}

/* Creates a table or an array, counting it against max_containers. */
int toml_new_container(TomlParser *p, bool array, size_t offset, struct json_object **ret) {
        if (p->n_containers >= p->max_containers)
                return toml_fail(p, offset, -EFBIG, "more than %zu tables and arrays", p->max_containers);
        *ret = array ? json_object_new_array() : json_object_new_object();
        if (!*ret)
                return toml_oom(p);
        p->n_containers++;
        return 0;
}

static const char *describe(struct json_object *v) {
        switch (toml_type(v)) {
        case TOML_TYPE_TABLE:
                return flags_of(v) & FLAG_INLINE ? "an inline table" : "a table";
        case TOML_TYPE_ARRAY:
                return flags_of(v) & FLAG_ARRAY_OF_TABLES ? "an array of tables" : "an array";
        case TOML_TYPE_STRING:
                return "a string";
        case TOML_TYPE_INTEGER:
                return "an integer";
        case TOML_TYPE_FLOAT:
                return "a float";
        case TOML_TYPE_BOOL:
                return "a boolean";
        default:
                return "a date or time";
        }
}

/* Reports a conflict at the last of key->parts[0..n): fmt gets the dotted path as its first argument. */
#define conflict(p, key, n, fmt, ...)                                                    \
        ({                                                                               \
                char _path[128];                                                         \
                toml_key_describe((key), (n), _path, sizeof(_path));                     \
                toml_error((p), (key)->parts[(n) -1].offset, fmt, _path, ##__VA_ARGS__); \
        })

static int new_container(TomlParser *p, struct json_object *parent, const TomlKeyPart *part, bool array,
                         uintptr_t flags, struct json_object **ret) {
        struct json_object *c;
        int r;

        r = toml_new_container(p, array, part->offset, &c);
        if (r < 0)
                return r;
        if (json_object_object_add_ex(parent, part->name, c, JSON_C_OBJECT_ADD_KEY_IS_NEW) < 0) {
                json_object_put(c);
                return toml_oom(p);
        }
        *ret = c;
        return flags ? flags_set(p, c, flags) : 0;
}

/* One step along the path of a [header]: into a table, or into the last table of an array of tables. */
static int header_step(TomlParser *p, const TomlKey *key, size_t i, struct json_object **t, size_t *depth) {
        const char *name = key->parts[i].name;
        struct json_object *v;
        size_t n;
        int r;

        r = toml_check_depth(p, ++*depth, key->parts[i].offset);
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(*t, name, &v))
                return new_container(p, *t, &key->parts[i], false, 0, t);
        if (json_object_is_type(v, json_type_object) && !(flags_of(v) & FLAG_INLINE)) {
                *t = v;
                return 0;
        }
        if (!json_object_is_type(v, json_type_array) || !(flags_of(v) & FLAG_ARRAY_OF_TABLES))
                return conflict(p, key, i + 1, "cannot add a table under '%s': it is %s", describe(v));
        n = json_object_array_length(v);
        assert(n > 0);
        *t = json_object_array_get_idx(v, n - 1);
        return toml_check_depth(p, ++*depth, key->parts[i].offset);
}

static int define_table(TomlParser *p, const TomlKey *key, struct json_object *t, struct json_object **ret) {
        const char *name = key->parts[key->n_parts - 1].name;
        struct json_object *v;
        uintptr_t flags;

        if (!json_object_object_get_ex(t, name, &v))
                return new_container(p, t, &key->parts[key->n_parts - 1], false, FLAG_HEADER, ret);
        if (!json_object_is_type(v, json_type_object))
                return conflict(p, key, key->n_parts, "cannot define table '%s': it is %s", describe(v));
        flags = flags_of(v);
        if (flags & FLAG_HEADER)
                return conflict(p, key, key->n_parts, "table '%s' is defined twice");
        if (flags & FLAG_DOTTED)
                return conflict(p, key, key->n_parts,
                                "cannot define table '%s' with a header: dotted keys did");
        if (flags & FLAG_INLINE)
                return conflict(p, key, key->n_parts, "cannot define table '%s': it is %s", describe(v));
        *ret = v;
        return flags_set(p, v, FLAG_HEADER);
}

static int append_table(TomlParser *p, const TomlKey *key, struct json_object *t, struct json_object **ret) {
        const char *name = key->parts[key->n_parts - 1].name;
        struct json_object *array, *element;
        int r;

        if (!json_object_object_get_ex(t, name, &array)) {
                r = new_container(p, t, &key->parts[key->n_parts - 1], true, FLAG_ARRAY_OF_TABLES, &array);
                if (r < 0)
                        return r;
        } else if (!json_object_is_type(array, json_type_array) || !(flags_of(array) & FLAG_ARRAY_OF_TABLES))
                return conflict(p, key, key->n_parts, "cannot define array of tables '%s': it is %s",
                                describe(array));

        r = toml_new_container(p, false, key->parts[key->n_parts - 1].offset, &element);
        if (r < 0)
                return r;
        if (json_object_array_add(array, element) < 0) {
                json_object_put(element);
                return toml_oom(p);
        }
        *ret = element;
        return flags_set(p, element, FLAG_HEADER);
}

int toml_open_table(TomlParser *p, const TomlKey *key, bool array) {
        struct json_object *t = p->root;
        size_t depth = 0;
        int r;

        for (size_t i = 0; i + 1 < key->n_parts; i++) {
                r = header_step(p, key, i, &t, &depth);
                if (r < 0)
                        return r;
        }
        /* The array and its element are a level each. */
        depth += array ? 2 : 1;
        r = toml_check_depth(p, depth, key->parts[key->n_parts - 1].offset);
        if (r < 0)
                return r;
        r = array ? append_table(p, key, t, &t) : define_table(p, key, t, &t);
        if (r < 0)
                return r;
        p->table = t;
        p->table_depth = depth;
        p->section = ++p->n_sections;
        return 0;
}

/* One step along a dotted key: into a table that this section defined or that was created implicitly. */
static int dotted_step(TomlParser *p, const TomlKey *key, size_t i, struct json_object **t) {
        const char *name = key->parts[i].name;
        uintptr_t flags, mine = FLAG_DOTTED | (uintptr_t) p->section << FLAG_BITS;
        struct json_object *v;

        if (!json_object_object_get_ex(*t, name, &v))
                return new_container(p, *t, &key->parts[i], false, mine, t);
        flags = flags_of(v);
        if (!json_object_is_type(v, json_type_object) || (flags & FLAG_INLINE))
                return conflict(p, key, i + 1, "cannot add keys to '%s': it is %s", describe(v));
        if (flags & FLAG_HEADER)
                return conflict(p, key, i + 1,
                                "cannot add to table '%s' with dotted keys: a header defined it");
        if ((flags & FLAG_DOTTED) && flags != mine)
                return conflict(p, key, i + 1,
                                "cannot add to table '%s' here: dotted keys in another section defined it");
        *t = v;
        return flags == mine ? 0 : flags_set(p, v, mine);
}

int toml_insert(TomlParser *p, struct json_object *table, size_t depth, const TomlKey *key,
                struct json_object *value) {
        struct json_object *t = table, *existing;
        const TomlKeyPart *last = &key->parts[key->n_parts - 1];
        int r;

        /* The value's own depth was checked as it was parsed; the tables on the way are shallower. */
        for (size_t i = 0; i + 1 < key->n_parts; i++) {
                r = toml_check_depth(p, depth + i + 1, key->parts[i].offset);
                if (r >= 0)
                        r = dotted_step(p, key, i, &t);
                if (r < 0) {
                        json_object_put(value);
                        return r;
                }
        }
        if (json_object_object_get_ex(t, last->name, &existing)) {
                json_object_put(value);
                return conflict(p, key, key->n_parts, "duplicate key '%s'");
        }
        if (json_object_object_add_ex(t, last->name, value, JSON_C_OBJECT_ADD_KEY_IS_NEW) < 0) {
                json_object_put(value);
                return toml_oom(p);
        }
        return 0;
}
