/* SPDX-License-Identifier: MIT */
/* Offset date-times, local date-times, local dates and local times (RFC 3339 with TOML's relaxations:
 * 't' or a space for 'T', 'z' for 'Z'). Each is checked field by field, the day against the month. */
#include <json-c/json.h>
#include <stdio.h>

#include "toml-internal.h"

/* Fractional seconds beyond nanoseconds are truncated, as TOML asks of parsers that keep less. */
#define FRACTION_DIGITS_MAX 9

static bool all_digits(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

static unsigned number(const char *s, size_t n) {
        unsigned v = 0;

        for (size_t i = 0; i < n; i++)
                v = v * 10 + (unsigned) (s[i] - '0');
        return v;
}

static unsigned days_in_month(unsigned year, unsigned month) {
        static const unsigned days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

        return month == 2 && leap ? 29 : days[month - 1];
}

/* "1979-05-27" at s, s[0..len) being what is left of the token. Returns the length used or <0. */
static int parse_date(TomlParser *p, const char *s, size_t len, size_t offset) {
        unsigned year, month, day;

        if (len < 10 || !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) || s[7] != '-' ||
            !all_digits(s + 8, 2))
                return toml_error(p, offset, "invalid date: expected YYYY-MM-DD");
        year = number(s, 4);
        month = number(s + 5, 2);
        day = number(s + 8, 2);
        if (month < 1 || month > 12)
                return toml_error(p, offset, "invalid date: month %02u does not exist", month);
        if (day < 1 || day > days_in_month(year, month))
                return toml_error(p, offset, "invalid date: %04u-%02u has no day %02u", year, month, day);
        return 10;
}

/* "07:32:00" and an optional fraction. Returns the length used or <0. */
static int parse_time(TomlParser *p, const char *s, size_t len, size_t offset) {
        size_t n = 8;

        if (len < 8 || !all_digits(s, 2) || s[2] != ':' || !all_digits(s + 3, 2) || s[5] != ':' ||
            !all_digits(s + 6, 2))
                return toml_error(p, offset, "invalid time: expected HH:MM:SS");
        /* RFC 3339 allows second 60 for leap seconds, but no consumer of ours could represent one. */
        if (number(s, 2) > 23 || number(s + 3, 2) > 59 || number(s + 6, 2) > 59)
                return toml_error(p, offset, "invalid time: %.8s is out of range", s);
        if (len > 8 && s[8] == '.') {
                n++;
                while (n < len && all_digits(s + n, 1))
                        n++;
                if (n == 9)
                        return toml_error(p, offset + 8, "invalid time: no digits after the decimal point");
        }
        return (int) n;
}

/* "Z" or "+05:30". Returns the length used or <0. */
static int parse_offset(TomlParser *p, const char *s, size_t len, size_t offset) {
        if (len >= 1 && (s[0] == 'Z' || s[0] == 'z'))
                return 1;
        if (len < 6 || (s[0] != '+' && s[0] != '-') || !all_digits(s + 1, 2) || s[3] != ':' ||
            !all_digits(s + 4, 2))
                return toml_error(p, offset, "invalid time offset: expected Z or +HH:MM");
        if (number(s + 1, 2) > 23 || number(s + 4, 2) > 59)
                return toml_error(p, offset, "invalid time offset: %.6s is out of range", s);
        return 6;
}

struct json_object *toml_new_datetime(const char *text) {
        _cleanup_free_ char *quoted = NULL;
        struct json_object *v;

        /* The userdata serializer prints its text as is; the text needs no escaping, only quotes. It also
         * marks the value as a date or time for toml_type(), and json_object_deep_copy() keeps it. */
        if (asprintf(&quoted, "\"%s\"", text) < 0)
                return NULL;
        v = json_object_new_string(text);
        if (!v)
                return NULL;
        json_object_set_serializer(v, json_object_userdata_to_json_string, TAKE_PTR(quoted),
                                   json_object_free_userdata);
        return v;
}

int toml_parse_datetime(TomlParser *p, const char *s, size_t len, size_t offset, struct json_object **ret) {
        char text[64], quoted[64];
        size_t i = 0, o = 0;
        int n;

        if (len > 2 && s[2] != ':') {
                n = parse_date(p, s, len, offset);
                if (n < 0)
                        return n;
                memcpy(text, s, 10);
                i = o = 10;
                if (i < len && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
                        text[o++] = 'T';
                        i++;
                        if (i == len)
                                return toml_error(p, offset + i,
                                                  "invalid date-time: no time after the date");
                }
        }
        if (i == 0 || o == 11) {
                n = parse_time(p, s + i, len - i, offset + i);
                if (n < 0)
                        return n;
                /* 8 for HH:MM:SS, the decimal point, FRACTION_DIGITS_MAX digits */
                memcpy(text + o, s + i, MIN((size_t) n, 9 + FRACTION_DIGITS_MAX));
                o += MIN((size_t) n, 9 + FRACTION_DIGITS_MAX);
                i += (size_t) n;
                if (o > 11 && i < len) {
                        n = parse_offset(p, s + i, len - i, offset + i);
                        if (n < 0)
                                return n;
                        memcpy(text + o, n == 1 ? "Z" : s + i, (size_t) n);
                        o += (size_t) n;
                        i += (size_t) n;
                }
        }
        if (i != len) {
                toml_quote(s, len, quoted, sizeof(quoted));
                return toml_error(p, offset, "invalid date or time %s", quoted);
        }
        text[o] = 0;
        *ret = toml_new_datetime(text);
        return *ret ? 0 : toml_oom(p);
}

TomlType toml_datetime_kind(const char *text, size_t len) {
        if (len == 10 && text[4] == '-')
                return TOML_TYPE_DATE_LOCAL;
        if (len >= 8 && text[2] == ':')
                return TOML_TYPE_TIME_LOCAL;
        if (len < 19 || text[4] != '-' || text[10] != 'T')
                return TOML_TYPE_INVALID;
        if (text[len - 1] == 'Z' || (text[len - 6] == '+' || text[len - 6] == '-'))
                return TOML_TYPE_DATETIME;
        return TOML_TYPE_DATETIME_LOCAL;
}
