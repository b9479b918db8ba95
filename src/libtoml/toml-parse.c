/* SPDX-License-Identifier: MIT */
/* The document level of the parser: lines of key/value pairs, table headers, comments; plus the error
 * reporting and the small lexing helpers the other files share. */
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

#include "toml-internal.h"

int toml_fail(TomlParser *p, size_t offset, int code, const char *fmt, ...) {
        size_t line = 1, column = 1;
        char reason[200];
        va_list ap;

        /* Errors propagate upwards through callers that may add their own: the first is the precise one. */
        if (p->failed)
                return code;
        p->failed = true;
        if (!p->error)
                return code;

        va_start(ap, fmt);
        vsnprintf(reason, sizeof(reason), fmt, ap);
        va_end(ap);
        offset = MIN(offset, p->len);
        for (size_t i = 0; i < offset; i++)
                if (p->text[i] == '\n') {
                        line++;
                        column = 1;
                } else if (((unsigned char) p->text[i] & 0xC0) != 0x80)
                        column++; /* columns count characters, not the bytes of a UTF-8 sequence */
        p->error->line = (unsigned) MIN(line, (size_t) UINT_MAX);
        p->error->column = (unsigned) MIN(column, (size_t) UINT_MAX);
        snprintf(p->error->message, sizeof(p->error->message), "line %u, column %u: %s", p->error->line,
                 p->error->column, reason);
        return code;
}

int toml_oom(TomlParser *p) {
        return toml_fail(p, p->pos, -ENOMEM, "out of memory");
}

int toml_peek(const TomlParser *p) {
        return toml_peek_at(p, 0);
}

int toml_peek_at(const TomlParser *p, size_t ahead) {
        if (ahead >= p->len - p->pos)
                return TOML_EOF;
        return (unsigned char) p->text[p->pos + ahead];
}

bool toml_looking_at(const TomlParser *p, const char *s) {
        size_t n = strlen(s);

        return p->len - p->pos >= n && memcmp(p->text + p->pos, s, n) == 0;
}

void toml_skip_ws(TomlParser *p) {
        while (p->pos < p->len && (p->text[p->pos] == ' ' || p->text[p->pos] == '\t'))
                p->pos++;
}

bool toml_is_control(int c) {
        return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

const char *toml_char_name(const TomlParser *p, size_t offset, char buf[static TOML_CHAR_NAME_MAX]) {
        unsigned char c;

        if (offset >= p->len)
                return "end of file";
        c = (unsigned char) p->text[offset];
        if (c == '\n' || (c == '\r' && offset + 1 < p->len && p->text[offset + 1] == '\n'))
                return "end of line";
        if (c < 0x20 || c == 0x7f)
                snprintf(buf, TOML_CHAR_NAME_MAX, "control character U+%04X", c);
        else if (c < 0x80)
                snprintf(buf, TOML_CHAR_NAME_MAX, "'%c'", c);
        else {
                size_t n = 1;

                while (n < 4 && offset + n < p->len && ((unsigned char) p->text[offset + n] & 0xC0) == 0x80)
                        n++;
                snprintf(buf, TOML_CHAR_NAME_MAX, "'%.*s'", (int) n, p->text + offset);
        }
        return buf;
}

int toml_skip_newline(TomlParser *p, bool *ret_skipped) {
        int c = toml_peek(p);

        *ret_skipped = false;
        if (c == '\r') {
                if (toml_peek_at(p, 1) != '\n')
                        return toml_error(p, p->pos, "carriage return not followed by a line feed");
                p->pos++;
                c = '\n';
        }
        if (c == '\n') {
                p->pos++;
                *ret_skipped = true;
        }
        return 0;
}

int toml_skip_comment(TomlParser *p) {
        if (toml_peek(p) != '#')
                return 0;
        for (p->pos++; p->pos < p->len; p->pos++) {
                int c = (unsigned char) p->text[p->pos];

                if (c == '\n' || (c == '\r' && toml_peek_at(p, 1) == '\n'))
                        break;
                if (toml_is_control(c))
                        return toml_error(p, p->pos, "control character U+%04X in comment", (unsigned) c);
        }
        return 0;
}

int toml_skip_blank(TomlParser *p) {
        for (;;) {
                bool newline;
                int r;

                toml_skip_ws(p);
                r = toml_skip_comment(p);
                if (r < 0)
                        return r;
                r = toml_skip_newline(p, &newline);
                if (r < 0 || !newline)
                        return r;
        }
}

void toml_quote(const char *s, size_t len, char *buf, size_t size) {
        size_t o = 0;

        assert(size >= 8);
        buf[o++] = '\'';
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];

                if (o + 5 >= size) {
                        /* Cut before a UTF-8 continuation byte would split a character. */
                        while (o > 1 && ((unsigned char) buf[o - 1] & 0xC0) == 0x80)
                                o--;
                        if (o > 1 && (unsigned char) buf[o - 1] >= 0xC0)
                                o--;
                        memcpy(buf + o, "...", 3);
                        o += 3;
                        break;
                }
                /* Messages end up on terminals: no control characters, and no C0 80 from a key holding
                 * U+0000 (toml-key.c), which is not UTF-8. */
                if (c == 0xC0 && i + 1 < len) {
                        buf[o++] = '?';
                        i++;
                } else
                        buf[o++] = c < 0x20 || c == 0x7f ? '?' : (char) c;
        }
        buf[o++] = '\'';
        buf[o] = 0;
}

/* After a key/value pair or a header only a comment may follow on the line. */
static int expect_line_end(TomlParser *p, const char *after) {
        char name[TOML_CHAR_NAME_MAX];
        bool newline;
        int r;

        toml_skip_ws(p);
        r = toml_skip_comment(p);
        if (r < 0)
                return r;
        if (p->pos >= p->len)
                return 0;
        r = toml_skip_newline(p, &newline);
        if (r < 0)
                return r;
        if (!newline)
                return toml_error(p, p->pos, "expected end of line after %s, found %s", after,
                                  toml_char_name(p, p->pos, name));
        return 0;
}

static int parse_header_line(TomlParser *p) {
        _cleanup_(toml_key_done) TomlKey key = {};
        bool array = toml_looking_at(p, "[[");
        const char *close = array ? "]]" : "]";
        char name[TOML_CHAR_NAME_MAX];
        int r;

        p->pos += array ? 2 : 1;
        toml_skip_ws(p);
        r = toml_parse_key(p, &key);
        if (r < 0)
                return r;
        toml_skip_ws(p);
        if (!toml_looking_at(p, close))
                return toml_error(p, p->pos, "expected '%s' to close the table header, found %s", close,
                                  toml_char_name(p, p->pos, name));
        p->pos += strlen(close);
        r = toml_open_table(p, &key, array);
        if (r < 0)
                return r;
        return expect_line_end(p, "the table header");
}

static int parse_keyval_line(TomlParser *p) {
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
        r = toml_parse_value(p, p->table_depth + key.n_parts, &value);
        if (r < 0)
                return r;
        r = toml_insert(p, p->table, p->table_depth, &key, value);
        if (r < 0)
                return r;
        return expect_line_end(p, "the value");
}

static int parse_line(TomlParser *p) {
        toml_skip_ws(p);
        switch (toml_peek(p)) {
        case '[':
                return parse_header_line(p);
        case '#':
        case '\r':
        case '\n':
        case TOML_EOF:
                return expect_line_end(p, "a comment");
        default:
                return parse_keyval_line(p);
        }
}

static void parser_done(TomlParser *p) {
        json_object_put(p->root);
        free(p->flagged);
}

int toml_parse(const char *text, size_t len, const TomlOptions *options, struct json_object **ret,
               TomlError *ret_error) {
        _cleanup_(parser_done) TomlParser p = {
                .text = text,
                .len = len,
                .error = ret_error,
                .max_depth = options && options->max_depth > 0 ? options->max_depth : TOML_DEFAULT_MAX_DEPTH,
                .max_containers = options && options->max_containers > 0 ? options->max_containers
                                                                         : TOML_DEFAULT_MAX_CONTAINERS,
        };
        size_t max_size = options && options->max_size > 0 ? options->max_size : TOML_DEFAULT_MAX_SIZE;
        int r;

        assert(text || len == 0);
        assert(ret);
        if (ret_error)
                *ret_error = (TomlError){};
        if (p.max_depth > TOML_MAX_DEPTH_LIMIT) {
                if (ret_error)
                        snprintf(ret_error->message, sizeof(ret_error->message),
                                 "nesting limit %zu is above the supported %d", p.max_depth,
                                 TOML_MAX_DEPTH_LIMIT);
                return -ERANGE;
        }
        if (len > max_size)
                return toml_fail(&p, max_size, -EFBIG, "document is larger than the limit of %zu bytes",
                                 max_size);
        r = toml_validate_utf8(&p);
        if (r < 0)
                return r;
        /* A byte order mark is tolerated at the very start, where editors put it. */
        if (toml_looking_at(&p, "\xEF\xBB\xBF"))
                p.pos += 3;

        r = toml_new_container(&p, false, p.pos, &p.root);
        if (r < 0)
                return r;
        p.table = p.root;
        while (p.pos < p.len) {
                r = parse_line(&p);
                if (r < 0)
                        return r;
        }
        toml_clear_flags(&p);
        *ret = TAKE_PTR(p.root);
        return 0;
}
