/* SPDX-License-Identifier: MIT */
/* Values: strings, arrays and inline tables by their first character; everything else (numbers, booleans,
 * dates and times) is read as one token up to the next delimiter and then parsed by its shape. Arrays and
 * inline tables recurse, at most max_depth levels. */
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>

#include "toml-internal.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

static bool is_digit(int c) {
        return c >= '0' && c <= '9';
}

static bool is_token_char(int c) {
        return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '+' ||
               c == '-' || c == '.' || c == ':';
}

/* Length of the token at p->pos. */
static size_t scan_token(const TomlParser *p) {
        const char *s = p->text + p->pos;
        size_t n = 0, left = p->len - p->pos;

        while (n < left && is_token_char((unsigned char) s[n]))
                n++;
        /* A space may separate the date and the time of a date-time: "1979-05-27 07:32:00". */
        if (n == 10 && s[4] == '-' && s[7] == '-' && left > n + 3 && s[n] == ' ' &&
            is_digit((unsigned char) s[n + 1]) && is_digit((unsigned char) s[n + 2]) && s[n + 3] == ':')
                for (n++; n < left && is_token_char((unsigned char) s[n]);)
                        n++;
        return n;
}

static bool token_is(const char *s, size_t len, const char *word) {
        return len == strlen(word) && memcmp(s, word, len) == 0;
}

static bool looks_like_datetime(const char *s, size_t len) {
        return (len >= 3 && is_digit((unsigned char) s[0]) && is_digit((unsigned char) s[1]) &&
                s[2] == ':') ||
               (len >= 5 && is_digit((unsigned char) s[0]) && is_digit((unsigned char) s[1]) &&
                is_digit((unsigned char) s[2]) && is_digit((unsigned char) s[3]) && s[4] == '-');
}

static int parse_token_value(TomlParser *p, struct json_object **ret) {
        size_t start = p->pos, len = scan_token(p), unsigned_len;
        const char *s = p->text + start, *unsigned_part = s;
        char name[TOML_CHAR_NAME_MAX], quoted[64];

        if (len == 0)
                return toml_error(p, start, "expected a value, found %s", toml_char_name(p, start, name));
        p->pos += len;
        if (token_is(s, len, "true") || token_is(s, len, "false")) {
                *ret = json_object_new_boolean(s[0] == 't');
                return *ret ? 0 : toml_oom(p);
        }
        if (looks_like_datetime(s, len))
                return toml_parse_datetime(p, s, len, start, ret);
        if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b'))
                return toml_parse_integer(p, s, len, start, ret);

        if (s[0] == '+' || s[0] == '-')
                unsigned_part++;
        unsigned_len = len - (size_t) (unsigned_part - s);
        if (token_is(unsigned_part, unsigned_len, "inf") || token_is(unsigned_part, unsigned_len, "nan"))
                return toml_parse_float(p, s, len, start, ret);
        if (unsigned_len == 0 || !is_digit((unsigned char) *unsigned_part)) {
                toml_quote(s, len, quoted, sizeof(quoted));
                return toml_error(p, start, "invalid value %s (strings need quotes)", quoted);
        }
        if (memchr(s, '.', len) || memchr(s, 'e', len) || memchr(s, 'E', len))
                return toml_parse_float(p, s, len, start, ret);
        return toml_parse_integer(p, s, len, start, ret);
}

static int parse_string_value(TomlParser *p, struct json_object **ret) {
        _cleanup_(toml_buffer_done) TomlBuffer b = {};
        size_t start = p->pos;
        int r;

        r = toml_parse_string(p, /* allow_multiline= */ true, &b);
        if (r < 0)
                return r;
        if (b.len > INT_MAX)
                return toml_error(p, start, "string longer than %d bytes", INT_MAX);
        *ret = json_object_new_string_len(b.data, (int) b.len);
        return *ret ? 0 : toml_oom(p);
}

static int parse_array(TomlParser *p, size_t depth, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *array = NULL;
        char name[TOML_CHAR_NAME_MAX];
        int r;

        r = toml_check_depth(p, depth, p->pos);
        if (r < 0)
                return r;
        r = toml_new_container(p, true, p->pos, &array);
        if (r < 0)
                return r;
        p->pos++;
        for (;;) {
                struct json_object *element = NULL;

                r = toml_skip_blank(p);
                if (r < 0)
                        return r;
                if (toml_peek(p) == ']')
                        break;
                r = toml_parse_value(p, depth + 1, &element);
                if (r < 0)
                        return r;
                if (json_object_array_add(array, element) < 0) {
                        json_object_put(element);
                        return toml_oom(p);
                }
                r = toml_skip_blank(p);
                if (r < 0)
                        return r;
                if (toml_peek(p) == ']')
                        break;
                if (toml_peek(p) != ',')
                        return toml_error(p, p->pos, "expected ',' or ']' in the array, found %s",
                                          toml_char_name(p, p->pos, name));
                p->pos++;
        }
        p->pos++;
        *ret = TAKE_PTR(array);
        return 0;
}

static int parse_inline_pair(TomlParser *p, struct json_object *table, size_t depth) {
        _cleanup_(toml_key_done) TomlKey key = {};
        struct json_object *value = NULL;
        char name[TOML_CHAR_NAME_MAX];
        int r;

        r = toml_parse_key(p, &key);
        if (r < 0)
                return r;
        toml_skip_ws(p);
        if (toml_peek(p) != '=')
                return toml_error(p, p->pos, "expected '=' after the key, found %s",
                                  toml_char_name(p, p->pos, name));
        p->pos++;
        toml_skip_ws(p);
        r = toml_parse_value(p, depth + key.n_parts, &value);
        if (r < 0)
                return r;
        return toml_insert(p, table, depth, &key, value);
}

/* { a = 1, b.c = 2 }: on one line, no trailing comma (TOML 1.0), and complete once closed. Its dotted keys
 * form a section of their own. */
static int parse_inline_table(TomlParser *p, size_t depth, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *table = NULL;
        size_t outer = p->section;
        char name[TOML_CHAR_NAME_MAX];
        int r;

        r = toml_check_depth(p, depth, p->pos);
        if (r < 0)
                return r;
        r = toml_new_container(p, false, p->pos, &table);
        if (r < 0)
                return r;
        p->pos++;
        toml_skip_ws(p);
        if (toml_peek(p) != '}') {
                p->section = ++p->n_sections;
                for (;;) {
                        toml_skip_ws(p);
                        if (toml_peek(p) == '}')
                                return toml_error(p, p->pos, "trailing comma in an inline table");
                        r = parse_inline_pair(p, table, depth);
                        if (r < 0)
                                return r;
                        toml_skip_ws(p);
                        if (toml_peek(p) == '}')
                                break;
                        if (toml_peek(p) != ',')
                                return toml_error(p, p->pos,
                                                  "expected ',' or '}' in the inline table, found %s",
                                                  toml_char_name(p, p->pos, name));
                        p->pos++;
                }
                p->section = outer;
        }
        p->pos++;
        r = toml_mark_inline(p, table);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(table);
        return 0;
}

int toml_parse_value(TomlParser *p, size_t depth, struct json_object **ret) {
        switch (toml_peek(p)) {
        case '"':
        case '\'':
                return parse_string_value(p, ret);
        case '[':
                return parse_array(p, depth, ret);
        case '{':
                return parse_inline_table(p, depth, ret);
        default:
                return parse_token_value(p, ret);
        }
}
