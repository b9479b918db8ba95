/* SPDX-License-Identifier: MIT */
/* The named helpers configuration files need (documented in template.h). Each appends its result to a
 * buffer; the renderer then escapes it or not, as the tag says. */
#include <json-c/json.h>
#include <stdint.h>

#include "template-internal.h"

/* Text of a scalar for the quoting helpers: strings as they are, numbers and booleans as written, null as
 * "". Lists and objects have no single obvious quoting, so they are refused. */
static int scalar_text(const char *helper, struct json_object *v, const char **ret, size_t *ret_size,
                       TemplateError *error) {
        json_type t = json_object_get_type(v);

        if (t == json_type_object || t == json_type_array)
                return template_error_set(error, -EINVAL, "%s takes a string, number or boolean, not %s",
                                          helper, json_type_to_name(t));
        if (value_text(v, ret, ret_size) < 0)
                return template_error_set(error, -EINVAL, "%s: the value contains a NUL byte", helper);
        return 0;
}

static int helper_join(struct json_object *const *args, size_t n_args, Buffer *out, TemplateError *error) {
        const char *sep = ",", *s;
        size_t sep_size = 1, size;
        int r;

        if (n_args > 1 && value_text(args[1], &sep, &sep_size) < 0)
                return template_error_set(error, -EINVAL, "join: the separator contains a NUL byte");
        if (!json_object_is_type(args[0], json_type_array)) {
                if (value_text(args[0], &s, &size) < 0)
                        return template_error_set(error, -EINVAL, "join: the value contains a NUL byte");
                return buffer_append(out, s, size);
        }
        for (size_t i = 0; i < json_object_array_length(args[0]); i++) {
                if (value_text(json_object_array_get_idx(args[0], i), &s, &size) < 0)
                        return template_error_set(error, -EINVAL, "join: element %zu contains a NUL byte",
                                                  i);
                r = i > 0 ? buffer_append(out, sep, sep_size) : 0;
                if (r >= 0)
                        r = buffer_append(out, s, size);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* 0-63 for a base64 digit (standard alphabet), -1 for anything else. */
static int base64_digit(char c) {
        static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *p = c ? strchr(alphabet, c) : NULL;

        return p ? (int) (p - alphabet) : -1;
}

static int base64_decode(const char *s, size_t n, Buffer *out) {
        uint32_t acc = 0;
        unsigned bits = 0;
        size_t digits;
        int r;

        /* Up to two '=' of padding, and only where they complete a group of four. */
        for (digits = n; digits > 0 && n - digits < 2 && s[digits - 1] == '='; digits--)
                ;
        if (digits < n && n % 4 != 0)
                return -EINVAL;
        if (digits % 4 == 1)
                return -EINVAL;
        for (size_t i = 0; i < digits; i++) {
                int d = base64_digit(s[i]);

                if (d < 0)
                        return -EINVAL;
                acc = (acc << 6) | (uint32_t) d;
                bits += 6;
                if (bits >= 8) {
                        char c = (char) (acc >> (bits - 8));

                        bits -= 8;
                        acc &= (1u << bits) - 1;
                        if (c == 0)
                                return -EBADMSG;
                        r = buffer_append(out, &c, 1);
                        if (r < 0)
                                return r;
                }
        }
        /* Leftover bits must be zero, or the same bytes would have two encodings. */
        return acc == 0 ? 0 : -EINVAL;
}

static int helper_base64_decode(struct json_object *const *args, size_t n_args, Buffer *out,
                                TemplateError *error) {
        int r;

        if (!args[0])
                return 0;
        if (!json_object_is_type(args[0], json_type_string))
                return template_error_set(error, -EINVAL, "base64_decode takes a string, not %s",
                                          json_type_to_name(json_object_get_type(args[0])));
        r = base64_decode(json_object_get_string(args[0]), (size_t) json_object_get_string_len(args[0]),
                          out);
        if (r == -EINVAL)
                return template_error_set(error, r, "base64_decode: the value is not valid base64");
        if (r == -EBADMSG)
                return template_error_set(error, -EINVAL, "base64_decode: the value decodes to a NUL byte");
        return r;
}

/* Length of the valid UTF-8 sequence at s (shortest form, no surrogates, at most U+10FFFF), 0 if invalid. */
static size_t utf8_sequence(const unsigned char *s, size_t n) {
        uint32_t cp;
        size_t len;

        if (s[0] < 0x80)
                return 1;
        len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
        if (len == 0 || len > n || s[0] >= 0xf8)
                return 0;
        cp = s[0] & (0x7f >> len);
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return len;
}

/* Quotes s: "…" with the escapes of table (pairs of a character and its letter) and other control bytes as
 * printf of control_fmt. */
static int quote(const char *s, size_t n, const char *table, const char *control_fmt, Buffer *out) {
        int r = buffer_append(out, "\"", 1);

        for (size_t i = 0; r >= 0 && i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                const char *e = NULL;
                char esc[8];

                for (const char *t = table; *t; t += 2)
                        if (t[0] == (char) c)
                                e = t;
                if (e)
                        r = buffer_append(out, (char[]){ '\\', e[1] }, 2);
                else if (c < 0x20 || c == 0x7f) {
                        (void) snprintf(esc, sizeof(esc), control_fmt, (unsigned) c);
                        r = buffer_append_str(out, esc);
                } else
                        r = buffer_append(out, (const char *) &c, 1);
        }
        return r < 0 ? r : buffer_append(out, "\"", 1);
}

static int helper_toml_string(struct json_object *const *args, size_t n_args, Buffer *out,
                              TemplateError *error) {
        const char *s;
        size_t n;
        int r;

        r = scalar_text("toml_string", args[0], &s, &n, error);
        if (r < 0)
                return r;
        /* TOML documents are UTF-8; a string that is not would make the whole file invalid. */
        for (size_t i = 0, k; i < n; i += k) {
                k = utf8_sequence((const unsigned char *) s + i, n - i);
                if (k == 0)
                        return template_error_set(error, -EINVAL,
                                                  "toml_string: the value is not valid UTF-8");
        }
        return quote(s, n, "\"\"\\\\\bb\tt\nn\ff\rr", "\\u%04X", out);
}

static int helper_ini_quote(struct json_object *const *args, size_t n_args, Buffer *out,
                            TemplateError *error) {
        const char *s;
        size_t n;
        int r;

        r = scalar_text("ini_quote", args[0], &s, &n, error);
        if (r < 0)
                return r;
        return quote(s, n, "\"\"\\\\\nn\tt\rr", "\\x%02x", out);
}

static int helper_default(struct json_object *const *args, size_t n_args, Buffer *out,
                          TemplateError *error) {
        const char *s;
        size_t n;

        if (value_text(args[0] ? args[0] : args[1], &s, &n) < 0)
                return template_error_set(error, -EINVAL, "default: the value contains a NUL byte");
        return buffer_append(out, s, n);
}

static int helper_json(struct json_object *const *args, size_t n_args, Buffer *out, TemplateError *error) {
        const char *s = json_object_to_json_string_ext(args[0], TEMPLATE_JSON_FLAGS);

        return s ? buffer_append_str(out, s) : -ENOMEM;
}

static const TemplateHelper helpers[] = {
        { "join", 1, 2, helper_join },
        { "base64_decode", 1, 1, helper_base64_decode },
        { "toml_string", 1, 1, helper_toml_string },
        { "ini_quote", 1, 1, helper_ini_quote },
        { "default", 2, 2, helper_default },
        { "json", 1, 1, helper_json },
};

const TemplateHelper *template_helper_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(helpers); i++)
                if (streq(helpers[i].name, name))
                        return &helpers[i];
        return NULL;
}
