/* SPDX-License-Identifier: MIT */
/* Integers (decimal, 0x, 0o, 0b; int64) and floats (float64, inf, nan). Both take the whole token, so a
 * number followed by anything but a delimiter is rejected here. */
#include <json-c/json.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>

#include "toml-internal.h"

static int digit_value(char c, unsigned base) {
        int v;

        if (c >= '0' && c <= '9')
                v = c - '0';
        else if (c >= 'a' && c <= 'f')
                v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
                v = c - 'A' + 10;
        else
                return -1;
        return v < (int) base ? v : -1;
}

/* Digits of base with single underscores between digits: 1_000 but not _1, 1_ or 1__0. */
static bool digits_valid(const char *s, size_t len, unsigned base) {
        if (len == 0 || digit_value(s[0], base) < 0 || s[len - 1] == '_')
                return false;
        for (size_t i = 1; i < len; i++)
                if (s[i] == '_' ? s[i - 1] == '_' : digit_value(s[i], base) < 0)
                        return false;
        return true;
}

static int bad_number(TomlParser *p, const char *s, size_t len, size_t offset, const char *why) {
        char quoted[64];

        toml_quote(s, len, quoted, sizeof(quoted));
        return toml_error(p, offset, "%s %s", why, quoted);
}

int toml_parse_integer(TomlParser *p, const char *s, size_t len, size_t offset, struct json_object **ret) {
        unsigned base = 10;
        uint64_t v = 0, limit = INT64_MAX;
        bool negative = false;
        size_t i = 0;

        if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
                base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
                i = 2;
        } else if (len > 0 && (s[0] == '+' || s[0] == '-')) {
                negative = s[0] == '-';
                limit = (uint64_t) INT64_MAX + 1;
                i = 1;
        }
        if (!digits_valid(s + i, len - i, base))
                return bad_number(p, s, len, offset, "invalid integer");
        if (base == 10 && s[i] == '0' && len - i > 1)
                return bad_number(p, s, len, offset, "leading zero in integer");

        for (; i < len; i++) {
                uint64_t d;

                if (s[i] == '_')
                        continue;
                d = (uint64_t) digit_value(s[i], base);
                if (v > (limit - d) / base)
                        return bad_number(p, s, len, offset, "integer out of the 64-bit range:");
                v = v * base + d;
        }
        /* -(INT64_MIN) does not exist as an int64: build the negative value from -(v - 1) - 1. */
        *ret = json_object_new_int64(negative && v > 0 ? -(int64_t) (v - 1) - 1 : (int64_t) v);
        return *ret ? 0 : toml_oom(p);
}

/* Formats d so that strtod() gives d back, with as few digits as that takes, and in the C locale whatever
 * locale the program uses. */
void toml_format_double(double d, char buf[static TOML_DOUBLE_MAX]) {
        locale_t c_locale = newlocale(LC_ALL_MASK, "C", (locale_t) 0), old = (locale_t) 0;

        if (isnan(d)) {
                strcpy(buf, "nan");
                return;
        }
        if (isinf(d)) {
                strcpy(buf, d < 0 ? "-inf" : "inf");
                return;
        }
        if (c_locale)
                old = uselocale(c_locale);
        for (int precision = 1; precision <= 17; precision++) {
                snprintf(buf, TOML_DOUBLE_MAX, "%.*g", precision, d);
                if (strtod(buf, NULL) == d)
                        break;
        }
        if (c_locale) {
                uselocale(old);
                freelocale(c_locale);
        }
        /* "1" would read back as an integer. */
        if (!strpbrk(buf, ".e"))
                strcat(buf, ".0");
}

/* The float grammar: [+-] int-part ( frac [exp] | exp ), int-part without leading zeros, frac and exp
 * digits with underscores between them (exponents may have leading zeros). */
static bool float_valid(const char *s, size_t len) {
        size_t i = 0, j;

        if (s[0] == '+' || s[0] == '-')
                i++;
        for (j = i; j < len && s[j] != '.' && s[j] != 'e' && s[j] != 'E'; j++)
                ;
        if (!digits_valid(s + i, j - i, 10) || (s[i] == '0' && j - i > 1) || j == len)
                return false;
        if (s[j] == '.') {
                i = ++j;
                for (; j < len && s[j] != 'e' && s[j] != 'E'; j++)
                        ;
                if (!digits_valid(s + i, j - i, 10))
                        return false;
                if (j == len)
                        return true;
        }
        i = ++j; /* past the e */
        if (i < len && (s[i] == '+' || s[i] == '-'))
                i++;
        return digits_valid(s + i, len - i, 10);
}

int toml_parse_float(TomlParser *p, const char *s, size_t len, size_t offset, struct json_object **ret) {
        _cleanup_free_ char *clean = NULL;
        const char *word = len > 0 && (s[0] == '+' || s[0] == '-') ? s + 1 : s;
        size_t n = 0, word_len = len - (size_t) (word - s);
        char text[TOML_DOUBLE_MAX];
        locale_t c_locale;
        char *end;
        double d;

        if (word_len == 3 && (memcmp(word, "inf", 3) == 0 || memcmp(word, "nan", 3) == 0)) {
                /* The sign of a nan means nothing: it is dropped. */
                d = word[0] == 'n' ? NAN : s[0] == '-' ? -INFINITY : INFINITY;
                *ret = json_object_new_double(d);
                return *ret ? 0 : toml_oom(p);
        }
        if (len == 0 || !float_valid(s, len))
                return bad_number(p, s, len, offset, "invalid float");

        clean = malloc(len + 1);
        if (!clean)
                return toml_oom(p);
        for (size_t i = 0; i < len; i++)
                if (s[i] != '_')
                        clean[n++] = s[i];
        clean[n] = 0;

        /* strtod() follows the program's locale, which may use a decimal comma. */
        c_locale = newlocale(LC_ALL_MASK, "C", (locale_t) 0);
        if (!c_locale)
                return toml_oom(p);
        errno = 0;
        d = strtod_l(clean, &end, c_locale);
        freelocale(c_locale);
        if (*end != 0)
                return bad_number(p, s, len, offset, "invalid float");
        if (errno == ERANGE && isinf(d))
                return bad_number(p, s, len, offset, "float out of the 64-bit range:");

        toml_format_double(d, text);
        *ret = json_object_new_double_s(d, text);
        return *ret ? 0 : toml_oom(p);
}
