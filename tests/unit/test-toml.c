/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <math.h>
#include <string.h>

#include "macro.h"
#include "toml.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

/* Parses text that must fail with code, and checks where and why. */
static void assert_rejected_with(const char *text, const TomlOptions *options, int code, unsigned line,
                                 unsigned column, const char *reason) {
        struct json_object *doc = NULL;
        TomlError error;
        char want[256];

        assert_int_equal(toml_parse(text, strlen(text), options, &doc, &error), code);
        assert_null(doc);
        snprintf(want, sizeof(want), "line %u, column %u: %s", line, column, reason);
        assert_string_equal(error.message, want);
        assert_int_equal(error.line, line);
        assert_int_equal(error.column, column);
}

#define assert_rejected(text, line, column, reason) \
        assert_rejected_with(text, NULL, -EINVAL, line, column, reason)

static struct json_object *parse_ok(const char *text) {
        struct json_object *doc = NULL;
        TomlError error;
        int r = toml_parse(text, strlen(text), NULL, &doc, &error);

        if (r < 0)
                fail_msg("'%s' rejected: %s", text, error.message);
        return doc;
}

/* Plain JSON text of a document, for compact comparisons. */
static char *plain(const char *text) {
        _cleanup_(json_object_putp) struct json_object *doc = parse_ok(text), *json = NULL;
        char *out = NULL;

        assert_int_equal(toml_to_json(doc, &json), 0);
        assert_int_equal(toml_json_serialize(json, JSON_C_TO_STRING_PLAIN, &out), 0);
        return out;
}

static void assert_plain(const char *text, const char *want) {
        _cleanup_free_ char *have = plain(text);

        assert_string_equal(have, want);
}

static void test_error_positions(void **state) {
        assert_rejected("a = 1\nb = 2\na = 3\n", 3, 1, "duplicate key 'a'");
        /* Columns count characters: é is two bytes but one column. */
        assert_rejected("s = \"é\" x\n", 1, 9, "expected end of line after the value, found 'x'");
        assert_rejected("a = \"abc\nb = 1\n", 1, 9, "string is not closed before the end of the line");
        assert_rejected("a = 1\r\nb = \r\n", 2, 5, "expected a value, found end of line");
        assert_rejected("a = 1\rb = 2\n", 1, 6, "carriage return not followed by a line feed");
        assert_rejected("a = \"\\uD800\"\n", 1, 6, "escape \\uD800 is not a Unicode scalar value");
        assert_rejected("a = \"\xff\"\n", 1, 6, "invalid UTF-8 byte 0xFF");
        assert_rejected("[a]\nx = 1\n[a]\n", 3, 2, "table 'a' is defined twice");
        assert_rejected("[t]\nk.\"x y\".z = 1\n[t.k]\n", 3, 4,
                        "cannot define table 't.k' with a header: dotted keys did");
        assert_rejected("a = {b = 1}\na.c = 2\n", 2, 1, "cannot add keys to 'a': it is an inline table");
        assert_rejected("a = 2006-02-29\n", 1, 5, "invalid date: 2006-02 has no day 29");
        assert_rejected("n = 9223372036854775808\n", 1, 5,
                        "integer out of the 64-bit range: '9223372036854775808'");
        assert_rejected("s = \"tab\\\tx\"\n", 1, 9,
                        "invalid escape: a backslash before blanks must end the line");
        assert_rejected("# comment \x01\n", 1, 11, "control character U+0001 in comment");
}

static void test_error_pointer_optional(void **state) {
        struct json_object *doc = NULL;

        assert_int_equal(toml_parse("a = ", 4, NULL, &doc, NULL), -EINVAL);
        assert_null(doc);
        assert_int_equal(toml_parse("", 0, NULL, &doc, NULL), 0);
        assert_int_equal(json_object_object_length(doc), 0);
        json_object_put(doc);
}

/* a = [[[...]]] with n brackets. */
static char *nested_arrays(size_t n) {
        char *s = malloc(4 + 2 * n + 1);

        assert_non_null(s);
        memcpy(s, "a = ", 4);
        memset(s + 4, '[', n);
        memset(s + 4 + n, ']', n);
        s[4 + 2 * n] = 0;
        return s;
}

static void test_depth_limit(void **state) {
        _cleanup_free_ char *ok = nested_arrays(TOML_DEFAULT_MAX_DEPTH),
                            *deep = nested_arrays(TOML_DEFAULT_MAX_DEPTH + 1);
        _cleanup_free_ char *huge = nested_arrays(200000);
        const TomlOptions three = { .max_depth = 3 };
        struct json_object *doc;

        json_object_put(parse_ok(ok));
        /* The error points at the bracket that went one level too deep. */
        assert_rejected_with(deep, NULL, -ELOOP, 1, 5 + TOML_DEFAULT_MAX_DEPTH,
                             "nesting deeper than the limit of 64 levels");
        /* Far deeper input fails the same way, without exhausting the stack. */
        assert_rejected_with(huge, NULL, -ELOOP, 1, 5 + TOML_DEFAULT_MAX_DEPTH,
                             "nesting deeper than the limit of 64 levels");

        /* Tables count as levels, however they are written. */
        assert_int_equal(toml_parse("a.b.c.d = 1", 11, &three, &doc, NULL), 0);
        json_object_put(doc);
        assert_rejected_with("a.b.c.d.e = 1", &three, -ELOOP, 1, 7,
                             "nesting deeper than the limit of 3 levels");
        assert_int_equal(toml_parse("[a.b.c]", 7, &three, &doc, NULL), 0);
        json_object_put(doc);
        assert_rejected_with("[a.b.c.d]", &three, -ELOOP, 1, 8, "nesting deeper than the limit of 3 levels");
        assert_rejected_with("[[a.b.c]]", &three, -ELOOP, 1, 7, "nesting deeper than the limit of 3 levels");
        assert_rejected_with("[a.b]\nc = {d = {}}", &three, -ELOOP, 2, 10,
                             "nesting deeper than the limit of 3 levels");
        assert_rejected_with("[[a]]\nb = [[]]", &three, -ELOOP, 2, 6,
                             "nesting deeper than the limit of 3 levels");
        assert_rejected_with("[[a]]\n[[a.b]]", &three, -ELOOP, 2, 5,
                             "nesting deeper than the limit of 3 levels");

        assert_int_equal(
                toml_parse("", 0, &(TomlOptions){ .max_depth = TOML_MAX_DEPTH_LIMIT + 1 }, &doc, NULL),
                -ERANGE);
}

/* At the highest allowed limit, parsing, converting and printing still fit the stack (also under ASan). */
static void test_depth_ceiling(void **state) {
        _cleanup_free_ char *deep = nested_arrays(TOML_MAX_DEPTH_LIMIT), *text = NULL;
        const TomlOptions options = { .max_depth = TOML_MAX_DEPTH_LIMIT };
        _cleanup_(json_object_putp) struct json_object *doc = NULL, *tagged = NULL;

        assert_int_equal(toml_parse(deep, strlen(deep), &options, &doc, NULL), 0);
        assert_int_equal(toml_to_tagged_json(doc, &tagged), 0);
        assert_int_equal(toml_json_serialize(tagged, JSON_C_TO_STRING_PLAIN, &text), 0);
        assert_int_equal(strlen(text), strlen("{\"a\":}") + 2 * TOML_MAX_DEPTH_LIMIT);
}

static void test_size_limit(void **state) {
        const TomlOptions small = { .max_size = 16 };
        _cleanup_free_ char *big = malloc(TOML_DEFAULT_MAX_SIZE + 1);
        struct json_object *doc;

        /* 18 bytes: the limit falls at offset 16, line 3 column 5. */
        assert_rejected_with("a = 1\nb = 2\nc = 3\n", &small, -EFBIG, 3, 5,
                             "document is larger than the limit of 16 bytes");
        assert_int_equal(toml_parse("a = 1\nb = 2\nc = 3", 16, &small, &doc, NULL), -EINVAL);

        assert_non_null(big);
        memset(big, '\n', TOML_DEFAULT_MAX_SIZE + 1);
        assert_int_equal(toml_parse(big, TOML_DEFAULT_MAX_SIZE + 1, NULL, &doc, NULL), -EFBIG);
        assert_int_equal(toml_parse(big, TOML_DEFAULT_MAX_SIZE, NULL, &doc, NULL), 0);
        json_object_put(doc);
}

static void test_container_limit(void **state) {
        const TomlOptions three = { .max_containers = 3 };
        _cleanup_free_ char *many = malloc(5 + 3 * 100000 + 2);
        struct json_object *doc;

        /* The root, a and a's array element. */
        assert_int_equal(toml_parse("[[a]]", 5, &three, &doc, NULL), 0);
        json_object_put(doc);
        assert_rejected_with("[[a]]\nb = {}", &three, -EFBIG, 2, 5, "more than 3 tables and arrays");
        assert_rejected_with("x.y.z.w = 1", &three, -EFBIG, 1, 5, "more than 3 tables and arrays");

        /* What would cost ~100 MiB in json-c stops at the default limit. */
        assert_non_null(many);
        memcpy(many, "a = [", 5);
        for (size_t i = 0; i < 100000; i++)
                memcpy(many + 5 + 3 * i, "{},", 3);
        strcpy(many + 5 + 3 * 100000, "]");
        assert_rejected_with(many, NULL, -EFBIG, 1, 6 + 3 * (TOML_DEFAULT_MAX_CONTAINERS - 2),
                             "more than 65536 tables and arrays");
}

static void test_types(void **state) {
        _cleanup_(json_object_putp) struct json_object *doc =
                parse_ok("i = -9223372036854775808\nh = 0xDEAD_beef\no = 0o755\nb = 0b11\n"
                         "f = 6.626e-34\ninf = -inf\nnan = +nan\nt = true\n"
                         "odt = 1979-05-27 07:32:00.123456789123z\nldt = 1979-05-27t07:32:00\n"
                         "ld = 1979-05-27\nlt = 07:32:00.5\ns = \"a\\u0000b\"\n");
        struct json_object *v;

        assert_true(json_object_object_get_ex(doc, "i", &v));
        assert_int_equal(toml_type(v), TOML_TYPE_INTEGER);
        assert_true(json_object_get_int64(v) == INT64_MIN);
        assert_true(json_object_object_get_ex(doc, "h", &v));
        assert_int_equal(json_object_get_int64(v), 0xDEADBEEF);
        assert_true(json_object_object_get_ex(doc, "o", &v));
        assert_int_equal(json_object_get_int64(v), 0755);
        assert_true(json_object_object_get_ex(doc, "b", &v));
        assert_int_equal(json_object_get_int64(v), 3);
        assert_true(json_object_object_get_ex(doc, "f", &v));
        assert_int_equal(toml_type(v), TOML_TYPE_FLOAT);
        assert_true(json_object_get_double(v) == 6.626e-34);
        assert_true(json_object_object_get_ex(doc, "inf", &v));
        assert_true(isinf(json_object_get_double(v)) && json_object_get_double(v) < 0);
        assert_true(json_object_object_get_ex(doc, "nan", &v));
        assert_true(isnan(json_object_get_double(v)));
        assert_true(json_object_object_get_ex(doc, "t", &v));
        assert_int_equal(toml_type(v), TOML_TYPE_BOOL);

        /* Dates and times are normalised: 'T', 'Z', at most nine fraction digits. */
        assert_true(json_object_object_get_ex(doc, "odt", &v));
        assert_int_equal(toml_type(v), TOML_TYPE_DATETIME);
        assert_string_equal(json_object_get_string(v), "1979-05-27T07:32:00.123456789Z");
        assert_true(json_object_object_get_ex(doc, "ldt", &v));
        assert_int_equal(toml_type(v), TOML_TYPE_DATETIME_LOCAL);
        assert_string_equal(json_object_get_string(v), "1979-05-27T07:32:00");
        assert_true(json_object_object_get_ex(doc, "ld", &v));
        assert_int_equal(toml_type(v), TOML_TYPE_DATE_LOCAL);
        assert_true(json_object_object_get_ex(doc, "lt", &v));
        assert_int_equal(toml_type(v), TOML_TYPE_TIME_LOCAL);
        assert_string_equal(toml_type_to_string(toml_type(v)), "time-local");

        assert_true(json_object_object_get_ex(doc, "s", &v));
        assert_int_equal(toml_type(v), TOML_TYPE_STRING);
        assert_int_equal(json_object_get_string_len(v), 3);
        assert_memory_equal(json_object_get_string(v), "a\0b", 3);
        assert_int_equal(toml_type(doc), TOML_TYPE_TABLE);
        assert_int_equal(toml_type(NULL), TOML_TYPE_INVALID);
}

static void test_numbers(void **state) {
        assert_plain("a = 9223372036854775807\nb = +0\nc = 1_000\nd = 0x7FFFFFFFFFFFFFFF",
                     "{\"a\":9223372036854775807,\"b\":0,\"c\":1000,\"d\":9223372036854775807}");
        assert_plain("a = 0.1\nb = 1e1_0\nc = -0.0\nd = 1e-400",
                     "{\"a\":0.1,\"b\":1e+10,\"c\":-0.0,\"d\":0.0}");
        assert_plain("a = [inf, -inf, nan]", "{\"a\":[\"inf\",\"-inf\",\"nan\"]}");
        assert_rejected("a = 0x8000000000000000", 1, 5,
                        "integer out of the 64-bit range: '0x8000000000000000'");
        assert_rejected("a = -9223372036854775809", 1, 5,
                        "integer out of the 64-bit range: '-9223372036854775809'");
        assert_rejected("a = 1e400", 1, 5, "float out of the 64-bit range: '1e400'");
        assert_rejected("a = 01", 1, 5, "leading zero in integer '01'");
        assert_rejected("a = 1__0", 1, 5, "invalid integer '1__0'");
        assert_rejected("a = 0X10", 1, 5, "invalid integer '0X10'");
        assert_rejected("a = 1._0", 1, 5, "invalid float '1._0'");
        assert_rejected("a = yes", 1, 5, "invalid value 'yes' (strings need quotes)");
}

static void test_strings(void **state) {
        /* Line-ending backslash, quotes next to the closing delimiter, CRLF read as LF. */
        assert_plain("a = \"\"\"\r\none \\  \r\n\r\n   two\"\"\"\"\"", "{\"a\":\"one two\\\"\\\"\"}");
        assert_plain("a = '''\nx\r\ny'''''", "{\"a\":\"x\\ny''\"}");
        assert_plain("a = 'C:\\path'\nb = \"\\U0001F600\\t\"",
                     "{\"a\":\"C:\\\\path\",\"b\":\"\xF0\x9F\x98\x80\\t\"}");
        assert_rejected("a = \"\"\"x\"\"\"\"\"\"", 1, 14,
                        "expected end of line after the value, found '\"'");
        assert_rejected("a = \"\x7f\"", 1, 6, "control character U+007F in a string must be escaped");
        assert_rejected("\"\"\"k\"\"\" = 1", 1, 1, "a multi-line string cannot be a key");
        assert_rejected("a = \"\\x41\"", 1, 6, "invalid escape sequence: backslash followed by 'x'");
}

static void test_tables(void **state) {
        assert_plain("[a.b.c]\n[a]\nb.d = 1\nb.e = 2\n[a.b.f]\n",
                     "{\"a\":{\"b\":{\"c\":{},\"d\":1,\"e\":2,\"f\":{}}}}");
        assert_plain("[[x]]\n[x.y]\nz = 1\n[[x]]\n[x.y]\nz = 2\n",
                     "{\"x\":[{\"y\":{\"z\":1}},{\"y\":{\"z\":2}}]}");
        assert_plain("t = {a.b = 1, a.c = [{d = 2}]}", "{\"t\":{\"a\":{\"b\":1,\"c\":[{\"d\":2}]}}}");
        assert_rejected("[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n", 4, 3,
                        "cannot add to table 'b.c' with dotted keys: a header defined it");
        assert_rejected("[x]\na.b = 1\n[y]\n[x]\n", 4, 2, "table 'x' is defined twice");
        assert_rejected("[x]\na.b = 1\n[x.a]\n", 3, 4,
                        "cannot define table 'x.a' with a header: dotted keys did");
        assert_rejected("a = []\n[[a]]\n", 2, 3, "cannot define array of tables 'a': it is an array");
        assert_rejected("a = [{}]\n[a.b]\n", 2, 2, "cannot add a table under 'a': it is an array");
        assert_rejected("a = {}\n[a.b]\n", 2, 2, "cannot add a table under 'a': it is an inline table");
        assert_rejected("a = {b = 1, }", 1, 13, "trailing comma in an inline table");
        assert_rejected("a = {b = 1,\nc = 2}", 1, 12, "expected a key, found end of line");
}

static void test_tagged(void **state) {
        _cleanup_(json_object_putp) struct json_object
                *doc = parse_ok("\"k\\u0000\" = [1, 2.5, \"s\", 1979-05-27]\n"),
                *tagged = NULL, *copy = NULL;
        _cleanup_free_ char *text = NULL;
        struct json_object *v;

        assert_int_equal(toml_to_tagged_json(doc, &tagged), 0);
        assert_int_equal(toml_json_serialize(tagged, JSON_C_TO_STRING_PLAIN, &text), 0);
        assert_string_equal(text,
                            "{\"k\\u0000\":[{\"type\":\"integer\",\"value\":\"1\"},"
                            "{\"type\":\"float\",\"value\":\"2.5\"},{\"type\":\"string\",\"value\":\"s\"},"
                            "{\"type\":\"date-local\",\"value\":\"1979-05-27\"}]}");

        /* The date marker survives json-c's deep copy, so copies keep their TOML types. */
        assert_int_equal(json_object_deep_copy(doc, &copy, NULL), 0);
        assert_true(json_object_object_get_ex(copy, "k\xC0\x80", &v));
        assert_int_equal(toml_type(json_object_array_get_idx(v, 3)), TOML_TYPE_DATE_LOCAL);
        assert_int_equal(toml_type(json_object_array_get_idx(v, 2)), TOML_TYPE_STRING);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_error_positions), cmocka_unit_test(test_error_pointer_optional),
                cmocka_unit_test(test_depth_limit),     cmocka_unit_test(test_depth_ceiling),
                cmocka_unit_test(test_size_limit),      cmocka_unit_test(test_container_limit),
                cmocka_unit_test(test_types),           cmocka_unit_test(test_numbers),
                cmocka_unit_test(test_strings),         cmocka_unit_test(test_tables),
                cmocka_unit_test(test_tagged),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
