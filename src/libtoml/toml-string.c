/* SPDX-License-Identifier: MIT */
/* The four kinds of TOML string ("basic", """multi-line basic""", 'literal', '''multi-line literal'''),
 * their escapes, and the UTF-8 check of the whole document. */
#include "toml-internal.h"

int toml_buffer_append(TomlBuffer *b, const void *data, size_t len) {
        if (b->len + len + 1 > b->cap) {
                size_t cap = MAX(MAX(b->cap * 2, b->len + len + 1), (size_t) 32);
                char *n = realloc(b->data, cap);

                if (!n)
                        return -ENOMEM;
                b->data = n;
                b->cap = cap;
        }
        if (len > 0)
                memcpy(b->data + b->len, data, len);
        b->len += len;
        b->data[b->len] = 0;
        return 0;
}

void toml_buffer_done(TomlBuffer *b) {
        free(b->data);
        *b = (TomlBuffer){};
}

static size_t utf8_encode(uint32_t cp, char out[static 4]) {
        if (cp < 0x80) {
                out[0] = (char) cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char) (0xC0 | cp >> 6);
                out[1] = (char) (0x80 | (cp & 0x3F));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char) (0xE0 | cp >> 12);
                out[1] = (char) (0x80 | (cp >> 6 & 0x3F));
                out[2] = (char) (0x80 | (cp & 0x3F));
                return 3;
        }
        out[0] = (char) (0xF0 | cp >> 18);
        out[1] = (char) (0x80 | (cp >> 12 & 0x3F));
        out[2] = (char) (0x80 | (cp >> 6 & 0x3F));
        out[3] = (char) (0x80 | (cp & 0x3F));
        return 4;
}

int toml_validate_utf8(TomlParser *p) {
        const unsigned char *s = (const unsigned char *) p->text;

        for (size_t i = 0; i < p->len;) {
                unsigned char c = s[i], lo = 0x80, hi = 0xBF;
                size_t n;

                if (c < 0x80) {
                        i++;
                        continue;
                }
                /* The second byte's range rules out overlong forms, surrogates, code points > U+10FFFF. */
                if (c >= 0xC2 && c <= 0xDF)
                        n = 1;
                else if (c >= 0xE0 && c <= 0xEF) {
                        n = 2;
                        lo = c == 0xE0 ? 0xA0 : 0x80;
                        hi = c == 0xED ? 0x9F : 0xBF;
                } else if (c >= 0xF0 && c <= 0xF4) {
                        n = 3;
                        lo = c == 0xF0 ? 0x90 : 0x80;
                        hi = c == 0xF4 ? 0x8F : 0xBF;
                } else
                        return toml_error(p, i, "invalid UTF-8 byte 0x%02X", c);
                if (p->len - i - 1 < n || s[i + 1] < lo || s[i + 1] > hi)
                        return toml_error(p, i, "invalid UTF-8 sequence");
                for (size_t k = 2; k <= n; k++)
                        if ((s[i + k] & 0xC0) != 0x80)
                                return toml_error(p, i, "invalid UTF-8 sequence");
                i += n + 1;
        }
        return 0;
}

static int hex_value(int c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* \uXXXX or \UXXXXXXXX at p->pos. */
static int parse_unicode_escape(TomlParser *p, size_t digits, TomlBuffer *b) {
        int letter = toml_peek_at(p, 1);
        uint32_t cp = 0;
        char utf8[4];

        for (size_t i = 0; i < digits; i++) {
                int v = hex_value(toml_peek_at(p, 2 + i));

                if (v < 0)
                        return toml_error(p, p->pos, "escape \\%c needs %zu hexadecimal digits", letter,
                                          digits);
                cp = cp << 4 | (uint32_t) v;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return toml_error(p, p->pos, "escape \\%c%.*s is not a Unicode scalar value", letter,
                                  (int) digits, p->text + p->pos + 2);
        p->pos += 2 + digits;
        return toml_buffer_append(b, utf8, utf8_encode(cp, utf8));
}

static int parse_escape(TomlParser *p, TomlBuffer *b) {
        static const char simple[][2] = {
                { 'b', '\b' }, { 't', '\t' }, { 'n', '\n' },  { 'f', '\f' },
                { 'r', '\r' }, { '"', '"' },  { '\\', '\\' },
        };
        int c = toml_peek_at(p, 1);
        char name[TOML_CHAR_NAME_MAX];

        if (c == 'u' || c == 'U')
                return parse_unicode_escape(p, c == 'u' ? 4 : 8, b);
        for (size_t i = 0; i < ELEMENTSOF(simple); i++)
                if (simple[i][0] == c) {
                        p->pos += 2;
                        return toml_buffer_append(b, &simple[i][1], 1);
                }
        if (c == ' ' || c == '\t')
                return toml_error(p, p->pos, "invalid escape: a backslash before blanks must end the line");
        return toml_error(p, p->pos, "invalid escape sequence: backslash followed by %s",
                          toml_char_name(p, p->pos + 1, name));
}

/* In a multi-line basic string a backslash at the end of a line (blanks may follow it) removes the line
 * break and all blanks and line breaks after it. Returns 1 if it did that, 0 if this is another escape. */
static int skip_line_ending_backslash(TomlParser *p) {
        size_t i = p->pos + 1;
        bool newline;
        int r;

        while (i < p->len && (p->text[i] == ' ' || p->text[i] == '\t'))
                i++;
        if (i >= p->len || (p->text[i] != '\n' && p->text[i] != '\r'))
                return 0;
        p->pos = i;
        do {
                toml_skip_ws(p);
                r = toml_skip_newline(p, &newline);
                if (r < 0)
                        return r;
        } while (newline);
        return 1;
}

static bool ends_run(unsigned char c, char quote) {
        return c == (unsigned char) quote || (quote == '"' && c == '\\') || toml_is_control(c);
}

/* A closing delimiter of a multi-line string may be preceded by up to two quotes that belong to the
 * content: """a""""" is the string a"". Returns 1 at the end of the string, 0 to go on. */
static int multiline_quotes(TomlParser *p, char quote, TomlBuffer *b) {
        size_t n = 0;

        while (toml_peek_at(p, n) == quote)
                n++;
        if (n >= 3) {
                n = MIN(n, (size_t) 5) - 3;
                p->pos += n + 3;
                /* Any further quote is not part of the string; the caller rejects what follows it. */
                return toml_buffer_append(b, p->text + p->pos - 3 - n, n) < 0 ? -ENOMEM : 1;
        }
        p->pos += n;
        return toml_buffer_append(b, p->text + p->pos - n, n);
}

static int parse_body(TomlParser *p, char quote, bool multiline, size_t start, TomlBuffer *b) {
        for (;;) {
                size_t run = p->pos;
                int c, r;

                while (p->pos < p->len && !ends_run((unsigned char) p->text[p->pos], quote))
                        p->pos++;
                if (toml_buffer_append(b, p->text + run, p->pos - run) < 0)
                        return toml_oom(p);

                c = toml_peek(p);
                if (c == TOML_EOF)
                        return toml_error(p, start, "string is not closed");
                if (c == quote && !multiline) {
                        p->pos++;
                        return 0;
                }
                if (c == quote)
                        r = multiline_quotes(p, quote, b);
                else if (c == '\\') {
                        r = multiline ? skip_line_ending_backslash(p) : 0;
                        if (r == 0)
                                r = parse_escape(p, b);
                        else if (r > 0)
                                r = 0;
                } else if (c == '\n' || c == '\r') {
                        bool newline;

                        if (!multiline)
                                return toml_error(p, p->pos,
                                                  "string is not closed before the end of the line");
                        r = toml_skip_newline(p, &newline);
                        /* CRLF in the document is a line break; in the string it becomes the platform's. */
                        if (r >= 0)
                                r = toml_buffer_append(b, "\n", 1);
                } else
                        return toml_error(p, p->pos, "control character U+%04X in a string must be escaped",
                                          (unsigned) c);
                if (r == -ENOMEM)
                        return toml_oom(p);
                if (r < 0)
                        return r;
                if (r > 0)
                        return 0;
        }
}

int toml_parse_string(TomlParser *p, bool allow_multiline, TomlBuffer *ret) {
        size_t start = p->pos;
        char quote = p->text[p->pos];
        bool multiline = toml_looking_at(p, quote == '"' ? "\"\"\"" : "'''");
        int r;

        assert(quote == '"' || quote == '\'');
        if (multiline && !allow_multiline)
                return toml_error(p, start, "a multi-line string cannot be a key");
        p->pos += multiline ? 3 : 1;
        if (multiline) {
                bool newline;

                /* A line break right after the opening delimiter is not part of the string. */
                r = toml_skip_newline(p, &newline);
                if (r < 0)
                        return r;
        }
        r = parse_body(p, quote, multiline, start, ret);
        if (r < 0)
                return r;
        /* Callers rely on data being set, also for "". */
        if (!ret->data && toml_buffer_append(ret, "", 0) < 0)
                return toml_oom(p);
        return 0;
}
