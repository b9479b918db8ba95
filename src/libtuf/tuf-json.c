/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tuf-error.h"
#include "tuf-json.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_tokener *, json_tokener_free);

int tuf_json_parse(const void *data, size_t size, json_object **ret, char **ret_error) {
        _cleanup_(json_tokener_freep) json_tokener *tok = NULL;
        _cleanup_(json_object_putp) json_object *o = NULL;
        const char *p = data;
        size_t end;

        if (size > INT32_MAX)
                return tuf_error(ret_error, -EFBIG, "document of %zu bytes is too large", size);
        if (memchr(data, 0, size))
                return tuf_error(ret_error, -EBADMSG, "document contains a NUL byte");
        tok = json_tokener_new_ex(TUF_JSON_MAX_DEPTH);
        if (!tok)
                return -ENOMEM;
        /* Strict: no comments, single quotes or trailing commas, which other parsers would read differently.
         */
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        o = json_tokener_parse_ex(tok, p, (int) size);
        if (!o)
                return tuf_error(ret_error, -EBADMSG, "not valid JSON: %s",
                                 json_tokener_error_desc(json_tokener_get_error(tok)));
        for (end = json_tokener_get_parse_end(tok); end < size; end++)
                if (!strchr(" \t\r\n", p[end]))
                        return tuf_error(ret_error, -EBADMSG, "trailing data after the JSON document");
        if (!json_object_is_type(o, json_type_object))
                return tuf_error(ret_error, -EBADMSG, "document is not a JSON object");
        *ret = TAKE_PTR(o);
        return 0;
}

static const char *type_name(json_type t) {
        switch (t) {
        case json_type_object:
                return "an object";
        case json_type_array:
                return "an array";
        case json_type_string:
                return "a string";
        case json_type_int:
                return "an integer";
        case json_type_boolean:
                return "a boolean";
        default:
                return "of another type";
        }
}

int tuf_json_member(const char *file, json_object *o, const char *key, json_type type, bool required,
                    json_object **ret, char **ret_error) {
        json_object *v = NULL;

        if (!json_object_object_get_ex(o, key, &v)) {
                if (!required)
                        return 0;
                return tuf_error(ret_error, -EBADMSG, "%s: required field '%s' is missing", file, key);
        }
        if (!json_object_is_type(v, type))
                return tuf_error(ret_error, -EBADMSG, "%s: field '%s' must be %s", file, key,
                                 type_name(type));
        *ret = v;
        return 0;
}

int tuf_json_string_value(const char *file, json_object *v, const char *what, const char **ret,
                          char **ret_error) {
        const char *s;

        if (!json_object_is_type(v, json_type_string))
                return tuf_error(ret_error, -EBADMSG, "%s: %s must be a string", file, what);
        s = json_object_get_string(v);
        /* An embedded NUL would make C see a different string from the one that was signed. */
        if ((size_t) json_object_get_string_len(v) != strlen(s))
                return tuf_error(ret_error, -EBADMSG, "%s: %s contains a NUL character", file, what);
        *ret = s;
        return 0;
}

int tuf_json_string(const char *file, json_object *o, const char *key, const char **ret, char **ret_error) {
        json_object *v = NULL;
        int r;

        r = tuf_json_member(file, o, key, json_type_string, true, &v, ret_error);
        if (r < 0)
                return r;
        return tuf_json_string_value(file, v, key, ret, ret_error);
}

int tuf_json_uint(const char *file, json_object *o, const char *key, uint64_t min, uint64_t *ret,
                  char **ret_error) {
        json_object *v = NULL;
        int64_t i;
        int r;

        r = tuf_json_member(file, o, key, json_type_int, true, &v, ret_error);
        if (r < 0)
                return r;
        i = json_object_get_int64(v);
        if (i < 0 || (uint64_t) i < min || (uint64_t) i > TUF_JSON_INT_MAX)
                return tuf_error(ret_error, -EBADMSG, "%s: field '%s' is out of range", file, key);
        *ret = (uint64_t) i;
        return 0;
}

int tuf_json_bool(const char *file, json_object *o, const char *key, bool required, bool *ret,
                  char **ret_error) {
        json_object *v = NULL;
        int r;

        r = tuf_json_member(file, o, key, json_type_boolean, required, &v, ret_error);
        if (r < 0)
                return r;
        if (v)
                *ret = json_object_get_boolean(v);
        return 0;
}

char **tuf_strv_free(char **v, size_t n) {
        for (size_t i = 0; v && i < n; i++)
                free(v[i]);
        free(v);
        return NULL;
}

int tuf_json_string_array(const char *file, json_object *o, const char *key, size_t max, bool unique,
                          char ***ret, size_t *ret_n, char **ret_error) {
        json_object *a = NULL;
        char **v;
        size_t n;
        int r;

        r = tuf_json_member(file, o, key, json_type_array, true, &a, ret_error);
        if (r < 0)
                return r;
        n = json_object_array_length(a);
        if (n > max)
                return tuf_error(ret_error, -EBADMSG, "%s: '%s' has more than %zu entries", file, key, max);
        v = calloc(n + 1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const char *s;

                r = tuf_json_string_value(file, json_object_array_get_idx(a, i), key, &s, ret_error);
                for (size_t j = 0; r >= 0 && unique && j < i; j++)
                        if (streq(v[j], s))
                                r = tuf_error(ret_error, -EBADMSG, "%s: '%s' lists '%s' twice", file, key,
                                              s);
                if (r >= 0 && !(v[i] = strdup(s)))
                        r = -ENOMEM;
                if (r < 0) {
                        tuf_strv_free(v, i);
                        return r;
                }
        }
        *ret = v;
        *ret_n = n;
        return 0;
}
