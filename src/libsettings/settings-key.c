/* SPDX-License-Identifier: MIT */
/* Key paths: settings.a.b."c.d" <-> ["a", "b", "c.d"]. Only one spelling of each path is accepted, the one
 * settings_key_format() writes, so that a path read back from the store compares equal as text. */
#include <stdio.h>

#include "settings-internal.h"

int settings_error(SettingsError *ret_error, int r, const char *key, const char *fmt, ...) {
        va_list ap;

        if (!ret_error)
                return r;
        snprintf(ret_error->key, sizeof(ret_error->key), "%s", key ?: "");
        va_start(ap, fmt);
        vsnprintf(ret_error->message, sizeof(ret_error->message), fmt, ap);
        va_end(ap);
        return r;
}

static bool char_is_plain(unsigned char c) {
        return c > 0x20 && c < 0x7f && c != '.' && c != '"' && c != '\\';
}

static bool char_is_control(unsigned char c) {
        return c < 0x20 || c == 0x7f;
}

int settings_key_append(char *buf, size_t size, size_t *len, const char *name, bool strict) {
        bool quote = !*name;
        size_t need = 1, l = *len;

        for (const unsigned char *p = (const unsigned char *) name; *p; p++) {
                if (strict && char_is_control(*p))
                        return -EINVAL;
                if (!char_is_plain(*p))
                        quote = true;
                need += *p == '"' || *p == '\\' ? 2 : 1;
        }
        need += quote ? 2 : 0;
        if (l + need >= size)
                return -ENAMETOOLONG;
        buf[l++] = '.';
        if (quote)
                buf[l++] = '"';
        for (const unsigned char *p = (const unsigned char *) name; *p; p++) {
                if (*p == '"' || *p == '\\')
                        buf[l++] = '\\';
                buf[l++] = char_is_control(*p) ? '?' : (char) *p;
        }
        if (quote)
                buf[l++] = '"';
        buf[l] = 0;
        *len = l;
        return 0;
}

int settings_key_format(char *const *names, size_t n, char **ret) {
        char buf[SETTINGS_KEY_MAX_LENGTH + 1] = "settings";
        size_t len = strlen(buf);
        char *s;
        int r;

        for (size_t i = 0; i < n; i++) {
                r = settings_key_append(buf, sizeof(buf), &len, names[i], true);
                if (r < 0)
                        return r;
        }
        s = strdup(buf);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

void settings_key_done(SettingsKey *k) {
        for (size_t i = 0; i < k->n; i++)
                free(k->names[i]);
        free(k->names);
        k->names = NULL;
        k->n = 0;
}

/* Reads one name starting at *p into a malloc()ed string and moves *p past it. */
static int parse_name(const char **p, char **ret, const char *text, SettingsError *ret_error) {
        const char *s = *p;
        _cleanup_free_ char *name = malloc(strlen(s) + 1);
        size_t l = 0;

        if (!name)
                return -ENOMEM;
        if (*s == '"') {
                for (s++; *s != '"'; s++) {
                        if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
                                s++;
                        else if (*s == '\\' || !*s)
                                return settings_error(ret_error, -EINVAL, text, "%s in a quoted name",
                                                      *s ? "bad escape" : "missing closing quote");
                        if (char_is_control((unsigned char) *s))
                                return settings_error(ret_error, -EINVAL, text,
                                                      "control character in a name");
                        name[l++] = *s;
                }
                s++;
                name[l] = 0;
                /* A name that needs no quotes must not have them: one spelling per path. */
                bool plain = l > 0;
                for (size_t i = 0; i < l; i++)
                        plain = plain && char_is_plain((unsigned char) name[i]);
                if (plain)
                        return settings_error(ret_error, -EINVAL, text, "needless quotes around '%s'", name);
        } else {
                while (char_is_plain((unsigned char) *s))
                        name[l++] = *s++;
                name[l] = 0;
                if (l == 0)
                        return settings_error(ret_error, -EINVAL, text, "empty name");
        }
        if (*s && *s != '.')
                return settings_error(ret_error, -EINVAL, text, "unexpected character after a name");
        *p = s;
        *ret = TAKE_PTR(name);
        return 0;
}

int settings_key_parse(const char *text, SettingsKey *ret, SettingsError *ret_error) {
        _cleanup_free_ char **names = NULL;
        SettingsKey k = {};
        const char *p;
        int r;

        if (strlen(text) > SETTINGS_KEY_MAX_LENGTH)
                return settings_error(ret_error, -EINVAL, "", "key path longer than %d bytes",
                                      SETTINGS_KEY_MAX_LENGTH);
        if (!strneq(text, "settings", 8) || (text[8] && text[8] != '.'))
                return settings_error(ret_error, -EINVAL, text, "key path does not start with 'settings'");
        names = calloc(SETTINGS_KEY_MAX_DEPTH, sizeof(char *));
        if (!names)
                return -ENOMEM;
        k.names = TAKE_PTR(names);
        for (p = text + 8; *p;) {
                if (k.n >= SETTINGS_KEY_MAX_DEPTH) {
                        settings_key_done(&k);
                        return settings_error(ret_error, -EINVAL, text, "key path deeper than %d names",
                                              SETTINGS_KEY_MAX_DEPTH);
                }
                p++; /* the dot */
                r = parse_name(&p, &k.names[k.n], text, ret_error);
                if (r < 0) {
                        settings_key_done(&k);
                        return r;
                }
                k.n++;
        }
        *ret = k;
        return 0;
}
