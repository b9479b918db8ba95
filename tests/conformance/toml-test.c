/* SPDX-License-Identifier: MIT */
/* Runs toml-test's decoder cases for TOML 1.0.0 against libtoml, the way the toml-test tool would with
 * toml2json: each valid/X.toml must parse to the tagged JSON in valid/X.json, each invalid/X.toml must be
 * rejected with a position. Only the files the list names are run: the tree also holds TOML 1.1 cases.
 *
 * Usage: toml-test TESTS-DIR LIST      (LIST relative to TESTS-DIR, e.g. files-toml-1.0.0)
 *
 * Values are compared as toml-test compares them: integers as int64, floats by value (any nan equals any
 * nan), offset date-times as instants, local dates and times field by field after reading 't', 'z' and a
 * space as 'T', 'Z' and 'T', and fractions as numbers (.6 equals .600). */
#include <inttypes.h>
#include <json-c/json.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include "fileio.h"
#include "macro.h"
#include "toml.h"

#define CASE_MAX_SIZE (16 * 1024 * 1024)

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

typedef struct Moment {
        bool has_date, has_time, has_offset;
        int year, month, day, hour, minute, second;
        long nanos;
        int offset_minutes;
} Moment;

/* Parses JSON text with a depth limit beyond json-c's default of 32, as deep as libtoml may nest. */
static struct json_object *json_parse(const char *text, size_t len) {
        struct json_tokener *tok = json_tokener_new_ex(2 * TOML_MAX_DEPTH_LIMIT + 8);
        struct json_object *o;

        if (!tok)
                return NULL;
        o = json_tokener_parse_ex(tok, text, (int) len);
        if (json_tokener_get_error(tok) != json_tokener_success) {
                json_object_put(o);
                o = NULL;
        }
        json_tokener_free(tok);
        return o;
}

static bool is_tagged(struct json_object *o) {
        struct json_object *type, *value;

        return json_object_is_type(o, json_type_object) && json_object_object_length(o) == 2 &&
               json_object_object_get_ex(o, "type", &type) && json_object_is_type(type, json_type_string) &&
               json_object_object_get_ex(o, "value", &value) && json_object_is_type(value, json_type_string);
}

static const char *member(struct json_object *o, const char *key) {
        struct json_object *v;

        return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static bool parse_digits(const char **s, size_t n, int *ret) {
        int v = 0;

        for (size_t i = 0; i < n; i++, (*s)++) {
                if (**s < '0' || **s > '9')
                        return false;
                v = v * 10 + (**s - '0');
        }
        *ret = v;
        return true;
}

static bool parse_moment(const char *s, Moment *m) {
        *m = (Moment){};
        if (strlen(s) >= 10 && s[4] == '-') {
                if (!parse_digits(&s, 4, &m->year) || *s++ != '-' || !parse_digits(&s, 2, &m->month) ||
                    *s++ != '-' || !parse_digits(&s, 2, &m->day))
                        return false;
                m->has_date = true;
                if (!*s)
                        return true;
                if (*s != 'T' && *s != 't' && *s != ' ')
                        return false;
                s++;
        }
        if (!parse_digits(&s, 2, &m->hour) || *s++ != ':' || !parse_digits(&s, 2, &m->minute) ||
            *s++ != ':' || !parse_digits(&s, 2, &m->second))
                return false;
        m->has_time = true;
        if (*s == '.') {
                long scale = 100000000;

                for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
                        m->nanos += (*s - '0') * scale;
        }
        if (*s == 'Z' || *s == 'z') {
                m->has_offset = true;
                s++;
        } else if (*s == '+' || *s == '-') {
                int sign = *s++ == '-' ? -1 : 1, h, min;

                if (!parse_digits(&s, 2, &h) || *s++ != ':' || !parse_digits(&s, 2, &min))
                        return false;
                m->has_offset = true;
                m->offset_minutes = sign * (h * 60 + min);
        }
        return *s == 0;
}

/* Days since 1970-01-01 in the proleptic Gregorian calendar: counts whole 400-year eras (146097 days each)
 * from a year that starts in March, so that the leap day is the last day of its year. */
static long long days_from_civil(int year, int month, int day) {
        long long y = year - (month <= 2), era = (y >= 0 ? y : y - 399) / 400;
        long long year_of_era = y - era * 400;
        long long day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        long long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;

        return era * 146097 + day_of_era - 719468;
}

static long long instant_seconds(const Moment *m) {
        return days_from_civil(m->year, m->month, m->day) * 86400 + m->hour * 3600 + m->minute * 60 +
               m->second - m->offset_minutes * 60;
}

static bool moments_equal(const char *type, const char *want, const char *have) {
        Moment a, b;

        if (!parse_moment(want, &a) || !parse_moment(have, &b))
                return false;
        if (a.has_date != b.has_date || a.has_time != b.has_time || a.has_offset != b.has_offset)
                return false;
        if (streq(type, "datetime"))
                return a.has_offset && instant_seconds(&a) == instant_seconds(&b) && a.nanos == b.nanos;
        return a.year == b.year && a.month == b.month && a.day == b.day && a.hour == b.hour &&
               a.minute == b.minute && a.second == b.second && a.nanos == b.nanos;
}

static bool scalars_equal(struct json_object *want, struct json_object *have) {
        const char *type = member(want, "type"), *w = member(want, "value"), *h = member(have, "value");
        struct json_object *wv, *hv;

        if (!streq(type, member(have, "type")))
                return false;
        if (streq(type, "integer")) {
                char *we, *he;
                int64_t a, b;

                errno = 0;
                a = strtoll(w, &we, 10);
                b = strtoll(h, &he, 10);
                return errno == 0 && !*we && !*he && a == b;
        }
        if (streq(type, "float")) {
                char *we, *he;
                double a = strtod(w, &we), b = strtod(h, &he);

                return !*we && !*he && ((isnan(a) && isnan(b)) || a == b);
        }
        if (streq(type, "datetime") || streq(type, "datetime-local") || streq(type, "date-local") ||
            streq(type, "time-local"))
                return moments_equal(type, w, h);
        /* Strings may hold U+0000: compare lengths and bytes. */
        json_object_object_get_ex(want, "value", &wv);
        json_object_object_get_ex(have, "value", &hv);
        return json_object_get_string_len(wv) == json_object_get_string_len(hv) &&
               memcmp(w, h, (size_t) json_object_get_string_len(wv)) == 0;
}

/* Compares expected and actual tagged JSON; on a difference prints where it is into why. */
static bool equal(struct json_object *want, struct json_object *have, const char *path, char *why,
                  size_t size) {
        if (is_tagged(want)) {
                if (is_tagged(have) && scalars_equal(want, have))
                        return true;
                snprintf(why, size, "%s: want %s, have %s", path, json_object_to_json_string(want),
                         json_object_to_json_string(have));
                return false;
        }
        if (json_object_get_type(want) != json_object_get_type(have) || is_tagged(have)) {
                snprintf(why, size, "%s: want %s, have %s", path, json_object_to_json_string(want),
                         json_object_to_json_string(have));
                return false;
        }
        if (json_object_is_type(want, json_type_array)) {
                size_t n = json_object_array_length(want);

                if (json_object_array_length(have) != n) {
                        snprintf(why, size, "%s: want %zu elements, have %zu", path, n,
                                 json_object_array_length(have));
                        return false;
                }
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *sub = NULL;

                        if (asprintf(&sub, "%s[%zu]", path, i) < 0)
                                return false;
                        if (!equal(json_object_array_get_idx(want, i), json_object_array_get_idx(have, i),
                                   sub, why, size))
                                return false;
                }
                return true;
        }
        if (json_object_object_length(want) != json_object_object_length(have)) {
                snprintf(why, size, "%s: want %d keys, have %d: %s", path, json_object_object_length(want),
                         json_object_object_length(have), json_object_to_json_string(have));
                return false;
        }
        json_object_object_foreach(want, key, child) {
                _cleanup_free_ char *sub = NULL;
                struct json_object *other;

                if (!json_object_object_get_ex(have, key, &other)) {
                        snprintf(why, size, "%s: key '%s' missing", path, key);
                        return false;
                }
                if (asprintf(&sub, "%s.%s", path, key) < 0)
                        return false;
                if (!equal(child, other, sub, why, size))
                        return false;
        }
        return true;
}

static int read_case(const char *dir, const char *name, char **ret, size_t *ret_size) {
        _cleanup_free_ char *path = NULL;

        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        return read_full_file(path, CASE_MAX_SIZE, ret, ret_size);
}

/* Returns true if the case passed, after printing why not. */
static bool run_valid(const char *dir, const char *name) {
        _cleanup_(json_object_putp) struct json_object *doc = NULL, *tagged = NULL, *have = NULL,
                                                       *want = NULL;
        _cleanup_free_ char *toml = NULL, *expected = NULL, *json_name = NULL, *text = NULL;
        size_t toml_size, expected_size;
        char why[1024];
        TomlError error;
        int r;

        if (asprintf(&json_name, "%.*s.json", (int) (strlen(name) - strlen(".toml")), name) < 0)
                return false;
        if (read_case(dir, name, &toml, &toml_size) < 0 ||
            read_case(dir, json_name, &expected, &expected_size) < 0) {
                printf("FAIL %s: cannot read the case\n", name);
                return false;
        }
        r = toml_parse(toml, toml_size, NULL, &doc, &error);
        if (r < 0) {
                printf("FAIL %s: rejected: %s\n", name, error.message);
                return false;
        }
        /* Through JSON text, as toml2json prints it, and back: both sides then read by the same tokener. */
        if (toml_to_tagged_json(doc, &tagged) < 0 ||
            toml_json_serialize(tagged, JSON_C_TO_STRING_PLAIN, &text) < 0 ||
            !(have = json_parse(text, strlen(text))) || !(want = json_parse(expected, expected_size))) {
                printf("FAIL %s: cannot convert or read back the JSON\n", name);
                return false;
        }
        if (!equal(want, have, "$", why, sizeof(why))) {
                printf("FAIL %s: %s\n", name, why);
                return false;
        }
        return true;
}

static bool run_invalid(const char *dir, const char *name) {
        _cleanup_(json_object_putp) struct json_object *doc = NULL;
        _cleanup_free_ char *toml = NULL;
        TomlError error;
        size_t size;
        int r;

        if (read_case(dir, name, &toml, &size) < 0) {
                printf("FAIL %s: cannot read the case\n", name);
                return false;
        }
        r = toml_parse(toml, size, NULL, &doc, &error);
        if (r >= 0) {
                printf("FAIL %s: accepted\n", name);
                return false;
        }
        /* Every rejection must say where. */
        if (error.line == 0 || error.column == 0 || !strneq(error.message, "line ", 5)) {
                printf("FAIL %s: error without a position: '%s'\n", name, error.message);
                return false;
        }
        return true;
}

int main(int argc, char *argv[]) {
        _cleanup_free_ char *list = NULL;
        unsigned valid = 0, valid_passed = 0, invalid = 0, invalid_rejected = 0;
        int r;

        if (argc != 3) {
                fprintf(stderr, "Usage: %s TESTS-DIR LIST\n", argv[0]);
                return EXIT_FAILURE;
        }
        r = read_case(argv[1], argv[2], &list, NULL);
        if (r < 0) {
                fprintf(stderr, "toml-test: cannot read '%s/%s': %s\n", argv[1], argv[2], strerror(-r));
                return EXIT_FAILURE;
        }
        for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
                size_t n = strlen(line);

                if (n < 5 || !streq(line + n - 5, ".toml"))
                        continue;
                if (strneq(line, "valid/", 6)) {
                        valid++;
                        valid_passed += run_valid(argv[1], line);
                } else if (strneq(line, "invalid/", 8)) {
                        invalid++;
                        invalid_rejected += run_invalid(argv[1], line);
                }
        }
        printf("toml-test: valid %u/%u passed, invalid %u/%u rejected\n", valid_passed, valid,
               invalid_rejected, invalid);
        return valid > 0 && invalid > 0 && valid_passed == valid && invalid_rejected == invalid
                       ? EXIT_SUCCESS
                       : EXIT_FAILURE;
}
