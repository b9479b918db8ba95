/* SPDX-License-Identifier: MIT */
/* From the parsed tree to toml-test's tagged JSON and to plain JSON, and JSON text out. */
#include <inttypes.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>

#include "toml-internal.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

TomlType toml_type(struct json_object *value) {
        switch (json_object_get_type(value)) {
        case json_type_object:
                return TOML_TYPE_TABLE;
        case json_type_array:
                return TOML_TYPE_ARRAY;
        case json_type_int:
                return TOML_TYPE_INTEGER;
        case json_type_double:
                return TOML_TYPE_FLOAT;
        case json_type_boolean:
                return TOML_TYPE_BOOL;
        case json_type_string:
                /* Dates and times carry the serializer toml_new_datetime() gave them. */
                if (json_object_get_userdata(value)) {
                        TomlType t = toml_datetime_kind(json_object_get_string(value),
                                                        (size_t) json_object_get_string_len(value));
                        if (t != TOML_TYPE_INVALID)
                                return t;
                }
                return TOML_TYPE_STRING;
        default:
                return TOML_TYPE_INVALID;
        }
}

const char *toml_type_to_string(TomlType type) {
        static const char *const names[] = {
                [TOML_TYPE_TABLE] = "table",           [TOML_TYPE_ARRAY] = "array",
                [TOML_TYPE_STRING] = "string",         [TOML_TYPE_INTEGER] = "integer",
                [TOML_TYPE_FLOAT] = "float",           [TOML_TYPE_BOOL] = "bool",
                [TOML_TYPE_DATETIME] = "datetime",     [TOML_TYPE_DATETIME_LOCAL] = "datetime-local",
                [TOML_TYPE_DATE_LOCAL] = "date-local", [TOML_TYPE_TIME_LOCAL] = "time-local",
        };

        return (unsigned) type < ELEMENTSOF(names) ? names[type] : NULL;
}

static struct json_object *new_string(struct json_object *v) {
        return json_object_new_string_len(json_object_get_string(v), json_object_get_string_len(v));
}

/* Adds value (which may be NULL after a failed allocation) to o, or releases it. */
static int add_member(struct json_object *o, const char *key, struct json_object *value) {
        if (!value)
                return -ENOMEM;
        if (json_object_object_add(o, key, value) < 0) {
                json_object_put(value);
                return -ENOMEM;
        }
        return 0;
}

static struct json_object *tagged_scalar(struct json_object *v, TomlType type) {
        _cleanup_(json_object_putp) struct json_object *tag = json_object_new_object();
        struct json_object *text;
        char buf[TOML_DOUBLE_MAX];

        if (!tag)
                return NULL;
        switch (type) {
        case TOML_TYPE_INTEGER:
                snprintf(buf, sizeof(buf), "%" PRId64, json_object_get_int64(v));
                text = json_object_new_string(buf);
                break;
        case TOML_TYPE_FLOAT:
                toml_format_double(json_object_get_double(v), buf);
                text = json_object_new_string(buf);
                break;
        case TOML_TYPE_BOOL:
                text = json_object_new_string(json_object_get_boolean(v) ? "true" : "false");
                break;
        default:
                text = new_string(v);
        }
        if (!text)
                return NULL;
        if (add_member(tag, "type", json_object_new_string(toml_type_to_string(type))) < 0) {
                json_object_put(text);
                return NULL;
        }
        if (add_member(tag, "value", text) < 0)
                return NULL;
        return TAKE_PTR(tag);
}

static struct json_object *plain_scalar(struct json_object *v, TomlType type) {
        char buf[TOML_DOUBLE_MAX];
        double d;

        switch (type) {
        case TOML_TYPE_INTEGER:
                return json_object_new_int64(json_object_get_int64(v));
        case TOML_TYPE_FLOAT:
                d = json_object_get_double(v);
                if (!isfinite(d))
                        return json_object_new_string(isnan(d) ? "nan" : d < 0 ? "-inf" : "inf");
                toml_format_double(d, buf);
                return json_object_new_double_s(d, buf);
        case TOML_TYPE_BOOL:
                return json_object_new_boolean(json_object_get_boolean(v));
        default:
                /* Strings, and dates and times without their marker. */
                return new_string(v);
        }
}

static int add_converted(struct json_object *to, const char *key, struct json_object *c) {
        int r = key ? json_object_object_add_ex(to, key, c, JSON_C_OBJECT_ADD_KEY_IS_NEW)
                    : json_object_array_add(to, c);

        if (r < 0) {
                json_object_put(c);
                return -ENOMEM;
        }
        return 0;
}

/* Recurses once per level; trees from toml_parse() are at most TOML_MAX_DEPTH_LIMIT deep. */
static int convert(struct json_object *v, bool tagged, size_t depth, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *out = NULL;
        TomlType type = toml_type(v);
        int r;

        if (depth > TOML_MAX_DEPTH_LIMIT)
                return -ELOOP;
        if (type == TOML_TYPE_TABLE) {
                out = json_object_new_object();
                if (!out)
                        return -ENOMEM;
                json_object_object_foreach(v, key, child) {
                        struct json_object *c;

                        r = convert(child, tagged, depth + 1, &c);
                        if (r < 0)
                                return r;
                        r = add_converted(out, key, c);
                        if (r < 0)
                                return r;
                }
        } else if (type == TOML_TYPE_ARRAY) {
                size_t n = json_object_array_length(v);

                out = json_object_new_array_ext((int) MIN(n, (size_t) INT32_MAX));
                if (!out)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++) {
                        struct json_object *c;

                        r = convert(json_object_array_get_idx(v, i), tagged, depth + 1, &c);
                        if (r < 0)
                                return r;
                        r = add_converted(out, NULL, c);
                        if (r < 0)
                                return r;
                }
        } else if (type == TOML_TYPE_INVALID)
                return -EINVAL;
        else {
                out = tagged ? tagged_scalar(v, type) : plain_scalar(v, type);
                if (!out)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

int toml_to_tagged_json(struct json_object *doc, struct json_object **ret) {
        return convert(doc, true, 0, ret);
}

int toml_to_json(struct json_object *doc, struct json_object **ret) {
        return convert(doc, false, 0, ret);
}

int toml_json_serialize(struct json_object *value, int flags, char **ret) {
        const char *text = json_object_to_json_string_ext(value, flags), *nul;
        size_t extra = 0, o = 0;
        char *out;

        if (!text)
                return -ENOMEM;
        /* C0 80 can only come from a key holding U+0000 (toml.h): the rest of the tree is valid UTF-8. */
        for (const char *s = text; (nul = strstr(s, "\xC0\x80")); s = nul + 2)
                extra += strlen("\\u0000") - 2;
        out = malloc(strlen(text) + extra + 1);
        if (!out)
                return -ENOMEM;
        for (const char *s = text; *s;)
                if (s[0] == '\xC0' && s[1] == '\x80') {
                        memcpy(out + o, "\\u0000", 6);
                        o += 6;
                        s += 2;
                } else
                        out[o++] = *s++;
        out[o] = 0;
        *ret = out;
        return 0;
}
