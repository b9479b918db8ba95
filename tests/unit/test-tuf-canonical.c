/* SPDX-License-Identifier: MIT */
/* OLPC canonical JSON as TUF signs it, keyids, and RFC 3339 times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "tuf-canonical.h"
#include "tuf-json.h"
#include "tuf-key.h"
#include "tuf-test-util.h"
#include "tuf-time.h"

/* Parses json (any value, not only objects) and returns its canonical form, or NULL and *ret_r. */
static char *canonical(const char *json, int *ret_r) {
        json_object *o = json_tokener_parse(json);
        char *out = NULL;
        int r;

        assert_true(o || streq(json, "null"));
        r = tuf_canonical_json(o, &out, NULL);
        json_object_put(o);
        if (ret_r)
                *ret_r = r;
        return r < 0 ? NULL : out;
}

static void assert_canonical(const char *json, const char *expected) {
        _cleanup_free_ char *out = canonical(json, NULL);

        assert_non_null(out);
        assert_string_equal(out, expected);
}

static void test_canonical_json(void **state) {
        int r;

        /* Keys sorted, no whitespace, at every level; arrays keep their order. */
        assert_canonical("{ \"b\": 1, \"a\": [3, 1, 2], \"c\": { \"z\": true, \"y\": false, \"x\": null } }",
                         "{\"a\":[3,1,2],\"b\":1,\"c\":{\"x\":null,\"y\":false,\"z\":true}}");
        assert_canonical("{}", "{}");
        assert_canonical("[]", "[]");
        assert_canonical("[[], {}, [[]]]", "[[],{},[[]]]");
        /* Sorting is by bytes (code points): upper case before lower, "_type" after "Z". */
        assert_canonical("{\"a\":1,\"_type\":2,\"Z\":3,\"aa\":4,\"\":5}",
                         "{\"\":5,\"Z\":3,\"_type\":2,\"a\":1,\"aa\":4}");
        /* Only '"' and '\' are escaped; control characters and UTF-8 go out raw. */
        assert_canonical("\"quote \\\" backslash \\\\ slash \\/ tab \\t nl \\n\"",
                         "\"quote \\\" backslash \\\\ slash / tab \t nl \n\"");
        assert_canonical("\"\\u00f6 \\u20ac \xf0\x9f\x94\x91\"",
                         "\"\xc3\xb6 \xe2\x82\xac \xf0\x9f\x94\x91\"");
        /* Integers, including the extremes json-c keeps. */
        assert_canonical("[0, -1, 9223372036854775807, 18446744073709551615, -9223372036854775808]",
                         "[0,-1,9223372036854775807,18446744073709551615,-9223372036854775808]");
        /* No floating point in canonical JSON. */
        assert_null(canonical("{\"a\": 1.0}", &r));
        assert_int_equal(r, -EDOM);
        assert_null(canonical("[1e3]", &r));
        assert_int_equal(r, -EDOM);
}

static void test_canonical_depth(void **state) {
        json_object *top = json_object_new_array(), *o = top;
        char *out = NULL;

        /* Deeper than any parse would allow: built by hand. */
        for (int i = 0; i < TUF_JSON_MAX_DEPTH + 8; i++) {
                json_object *inner = json_object_new_array();

                json_object_array_add(o, inner);
                o = inner;
        }
        assert_int_equal(tuf_canonical_json(top, &out, NULL), -ELOOP);
        assert_null(out);
        json_object_put(top);
}

/* securesystemslib derived the fixture's keyids as sha256 over the canonical key object: matching them
 * proves the serializer byte-exact on real keys (RSA PEM with newlines included). */
static void check_keyids(json_object *keys) {
        json_object_object_foreach(keys, keyid, key) {
                char computed[65];

                assert_int_equal(tuf_keyid_compute(key, computed), 0);
                assert_string_equal(computed, keyid);
        }
}

static void test_fixture_keyids(void **state) {
        json_object *doc, *keys, *delegations;

        doc = json_object_from_file(
                tuf_testdata("python-tuf-repository_data/repository/metadata/root.json"));
        assert_non_null(doc);
        assert_true(json_object_object_get_ex(doc_signed(doc), "keys", &keys));
        assert_int_equal(json_object_object_length(keys), 4);
        check_keyids(keys);
        json_object_put(doc);
        doc = json_object_from_file(
                tuf_testdata("python-tuf-repository_data/repository/metadata/targets.json"));
        assert_non_null(doc);
        assert_true(json_object_object_get_ex(doc_signed(doc), "delegations", &delegations));
        assert_true(json_object_object_get_ex(delegations, "keys", &keys));
        check_keyids(keys);
        json_object_put(doc);
}

static void assert_time(const char *s, int64_t sec, uint32_t nsec) {
        TufTime t;

        assert_int_equal(tuf_time_parse(s, &t), 0);
        assert_int_equal(t.sec, sec);
        assert_int_equal(t.nsec, nsec);
}

static void test_rfc3339(void **state) {
        static const char *const bad[] = {
                "",
                "2030-01-01",
                "2030-01-01T00:00:00",
                "2030-01-01 00:00:00Z",
                "2030-13-01T00:00:00Z",
                "2030-00-01T00:00:00Z",
                "2030-02-29T00:00:00Z",
                "1900-02-29T00:00:00Z",
                "2030-04-31T00:00:00Z",
                "2030-01-01T24:00:00Z",
                "2030-01-01T00:60:00Z",
                "2030-12-31T23:59:60Z",
                "2030-01-01T00:00:00.Z",
                "2030-01-01T00:00:00ZZ",
                "2030-01-01T00:00:00+1:00",
                "2030-01-01T00:00:00+24:00",
                "30-01-01T00:00:00Z",
                "2030-1-01T00:00:00Z",
                "+030-01-01T00:00:00Z",
                "2030-01-01T00:00:00 Z",
        };
        char buf[TUF_TIME_MAX];
        TufTime t, u;

        assert_time("1970-01-01T00:00:00Z", 0, 0);
        assert_time("2030-01-01T00:00:00Z", 1893456000, 0);
        assert_time("2030-08-15T14:30:45.0000001Z", 1913034645, 100);
        assert_time("2030-08-15T14:30:45.123456789999Z", 1913034645, 123456789);
        assert_time("2000-02-29T12:00:00z", 951825600, 0);
        assert_time("2030-01-01T01:30:00+01:30", 1893456000, 0);
        assert_time("2029-12-31T22:00:00-02:00", 1893456000, 0);
        assert_time("1969-12-31T23:59:59Z", -1, 0);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (tuf_time_parse(bad[i], &t) != -EINVAL)
                        fail_msg("'%s' parsed as a time", bad[i]);
        assert_int_equal(tuf_time_parse("2030-08-15T14:30:45.0000001Z", &t), 0);
        assert_int_equal(tuf_time_parse("2030-08-15T14:30:45Z", &u), 0);
        assert_true(tuf_time_compare(u, t) < 0);
        assert_true(tuf_time_compare(t, u) > 0);
        assert_int_equal(tuf_time_compare(t, t), 0);
        assert_string_equal(tuf_time_format(t, buf), "2030-08-15T14:30:45Z");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_canonical_json),
                cmocka_unit_test(test_canonical_depth),
                cmocka_unit_test(test_fixture_keyids),
                cmocka_unit_test(test_rfc3339),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
