/* SPDX-License-Identifier: MIT */
/* Keys: bare (A-Za-z0-9_-), "basic" or 'literal', joined by dots with optional blanks around them. */
#include <stdio.h>

#include "toml-internal.h"

static bool is_bare_key_char(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '-';
}

void toml_key_done(TomlKey *key) {
        for (size_t i = 0; i < key->n_parts; i++)
                free(key->parts[i].name);
        free(key->parts);
        *key = (TomlKey){};
}

/* json-c keys are C strings: a U+0000 becomes C0 80 (see toml.h). */
static char *key_name_from(const char *s, size_t len) {
        size_t nuls = 0, o = 0;
        char *name;

        for (size_t i = 0; i < len; i++)
                nuls += s[i] == 0;
        name = malloc(len + nuls + 1);
        if (!name)
                return NULL;
        for (size_t i = 0; i < len; i++)
                if (s[i] == 0) {
                        name[o++] = (char) 0xC0;
                        name[o++] = (char) 0x80;
                } else
                        name[o++] = s[i];
        name[o] = 0;
        return name;
}

static int parse_key_part(TomlParser *p, TomlKeyPart *ret) {
        _cleanup_(toml_buffer_done) TomlBuffer b = {};
        size_t start = p->pos;
        int c = toml_peek(p), r;
        char name[TOML_CHAR_NAME_MAX];
        const char *s;
        size_t len;

        if (c == '"' || c == '\'') {
                r = toml_parse_string(p, /* allow_multiline= */ false, &b);
                if (r < 0)
                        return r;
                s = b.data ? b.data : "";
                len = b.len;
        } else if (is_bare_key_char(c)) {
                while (is_bare_key_char(toml_peek(p)))
                        p->pos++;
                s = p->text + start;
                len = p->pos - start;
        } else
                return toml_error(p, start, "expected a key, found %s", toml_char_name(p, start, name));

        ret->name = key_name_from(s, len);
        if (!ret->name)
                return toml_oom(p);
        ret->offset = start;
        return 0;
}

int toml_parse_key(TomlParser *p, TomlKey *ret) {
        _cleanup_(toml_key_done) TomlKey key = {};
        size_t cap = 0;
        int r;

        for (;;) {
                if (key.n_parts == cap) {
                        TomlKeyPart *n;

                        cap = cap ? cap * 2 : 4;
                        n = reallocarray(key.parts, cap, sizeof(*n));
                        if (!n)
                                return toml_oom(p);
                        key.parts = n;
                }
                /* Every part but the last names a table: part max_depth + 1 would be one too deep even at
                 * the root. The exact depth is checked where the key is used; this only bounds memory. */
                if (key.n_parts > p->max_depth + 1)
                        return toml_fail(p, key.parts[p->max_depth].offset, -ELOOP,
                                         "nesting deeper than the limit of %zu levels", p->max_depth);
                r = parse_key_part(p, &key.parts[key.n_parts]);
                if (r < 0)
                        return r;
                key.n_parts++;

                toml_skip_ws(p);
                if (toml_peek(p) != '.')
                        break;
                p->pos++;
                toml_skip_ws(p);
        }
        *ret = key;
        key = (TomlKey){};
        return 0;
}

static bool is_bare_key(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (!is_bare_key_char((unsigned char) *s))
                        return false;
        return true;
}

void toml_key_describe(const TomlKey *key, size_t n_parts, char *buf, size_t size) {
        size_t o = 0;

        assert(size >= 8);
        for (size_t i = 0; i < n_parts && o + 1 < size; i++) {
                const char *name = key->parts[i].name;
                int n;

                if (is_bare_key(name))
                        n = snprintf(buf + o, size - o, "%s%s", i > 0 ? "." : "", name);
                else {
                        char quoted[64];

                        toml_quote(name, strlen(name), quoted, sizeof(quoted));
                        /* toml_quote() uses single quotes; a key in a message reads better in TOML's. */
                        quoted[0] = quoted[strlen(quoted) - 1] = '"';
                        n = snprintf(buf + o, size - o, "%s%s", i > 0 ? "." : "", quoted);
                }
                if (n < 0)
                        break;
                o = MIN(o + (size_t) n, size - 1);
        }
        buf[o] = 0;
}
