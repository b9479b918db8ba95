/* SPDX-License-Identifier: MIT */
/* Strict parsing of TUF metadata: types, ranges and shapes are checked field by field, unknown fields are
 * kept; and the small rules around it (delegation paths, safe target paths, role file names). */
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
#include "tuf-client-internal.h"
#include "tuf-glob.h"
#include "tuf-metadata.h"
#include "tuf-test-util.h"

#define SIGS   "\"signatures\":[]"
#define COMMON "\"spec_version\":\"1.0.31\",\"expires\":\"2030-01-01T00:00:00Z\""
#define HASH64 "65b8c67f51c993d898250f40aa57a317d854900b3a04895464313e48785440da"
#define ED_KEY "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"" HASH64 "\"}}"

static int parse(const char *json, TufRoleType type, TufMetadata **ret, char **ret_error) {
        TufMetadata *m = NULL;
        int r = tuf_metadata_parse(json, strlen(json), type, "test.json", &m, ret_error);

        if (ret)
                *ret = m;
        else
                tuf_metadata_free(m);
        return r;
}

/* Asserts that json is refused with a message containing needle. */
static void refused(const char *json, TufRoleType type, const char *needle) {
        _cleanup_free_ char *why = NULL;
        int r = parse(json, type, NULL, &why);

        if (r >= 0)
                fail_msg("accepted: %s", json);
        assert_non_null(why);
        if (!strstr(why, needle))
                fail_msg("expected '%s' in '%s'", needle, why);
}

static void test_timestamp(void **state) {
        TufMetadata *m;

        assert_int_equal(
                parse("{" SIGS ",\"signed\":{\"_type\":\"timestamp\"," COMMON ",\"version\":7,\"meta\":"
                      "{\"snapshot.json\":{\"version\":3,\"length\":515,\"hashes\":{\"sha256\":\"" HASH64
                      "\"}}},\"x-extra\":{\"kept\":[1]}}}",
                      TUF_ROLE_TIMESTAMP, &m, NULL),
                0);
        assert_int_equal(m->type, TUF_ROLE_TIMESTAMP);
        assert_int_equal(m->version, 7);
        assert_int_equal(m->n_meta, 1);
        assert_string_equal(m->meta[0].name, "snapshot.json");
        assert_int_equal(m->meta[0].version, 3);
        assert_true(m->meta[0].has_length);
        assert_int_equal(m->meta[0].length, 515);
        assert_true(m->meta[0].hashes.present[TUF_HASH_SHA256]);
        /* Unknown fields stay in what the signatures cover. */
        assert_non_null(strstr(m->canonical, "\"x-extra\":{\"kept\":[1]}"));
        tuf_metadata_free(m);

        refused("{" SIGS ",\"signed\":{\"_type\":\"timestamp\"," COMMON ",\"version\":1,\"meta\":{}}}",
                TUF_ROLE_TIMESTAMP, "meta must list exactly snapshot.json");
        refused("{" SIGS ",\"signed\":{\"_type\":\"timestamp\"," COMMON
                ",\"version\":1,\"meta\":{\"snapshot.json\":"
                "{\"version\":1},\"targets.json\":{\"version\":1}}}}",
                TUF_ROLE_TIMESTAMP, "meta must list exactly snapshot.json");
        refused("{" SIGS ",\"signed\":{\"_type\":\"timestamp\"," COMMON
                ",\"version\":1,\"meta\":{\"snapshot.json\":"
                "{\"version\":1,\"hashes\":{\"md5\":\"00\"}}}}}",
                TUF_ROLE_TIMESTAMP, "hash algorithm 'md5' of 'snapshot.json' is not supported");
        refused("{" SIGS ",\"signed\":{\"_type\":\"timestamp\"," COMMON
                ",\"version\":1,\"meta\":{\"snapshot.json\":"
                "{\"version\":1,\"hashes\":{\"sha256\":\"abcd\"}}}}}",
                TUF_ROLE_TIMESTAMP, "sha256 hash of 'snapshot.json' is not 32 hex bytes");
        refused("{" SIGS ",\"signed\":{\"_type\":\"timestamp\"," COMMON
                ",\"version\":1,\"meta\":{\"snapshot.json\":"
                "{\"version\":1,\"length\":-1}}}}",
                TUF_ROLE_TIMESTAMP, "field 'length' is out of range");
        refused("{" SIGS ",\"signed\":{\"_type\":\"snapshot\"," COMMON
                ",\"version\":1,\"meta\":{\"role1.json\":"
                "{\"version\":1}}}}",
                TUF_ROLE_SNAPSHOT, "meta does not list targets.json");
}

static void test_common_fields(void **state) {
#define TS(fields) \
        "{" SIGS   \
        ",\"signed\":{\"_type\":\"timestamp\",\"meta\":{\"snapshot.json\":{\"version\":1}}," fields "}}"
        assert_int_equal(
                parse(TS("\"spec_version\":\"1.0\",\"expires\":\"2030-01-01T00:00:00Z\",\"version\":1"),
                      TUF_ROLE_TIMESTAMP, NULL, NULL),
                0);
        refused(TS(COMMON ",\"version\":1"), TUF_ROLE_SNAPSHOT, "_type is 'timestamp', expected 'snapshot'");
        refused(TS("\"spec_version\":\"2.0.0\",\"expires\":\"2030-01-01T00:00:00Z\",\"version\":1"),
                TUF_ROLE_TIMESTAMP, "spec_version '2.0.0' is not 1.x");
        refused(TS("\"spec_version\":\"1\",\"expires\":\"2030-01-01T00:00:00Z\",\"version\":1"),
                TUF_ROLE_TIMESTAMP, "spec_version '1' is malformed");
        refused(TS("\"spec_version\":\"1.0.0.0\",\"expires\":\"2030-01-01T00:00:00Z\",\"version\":1"),
                TUF_ROLE_TIMESTAMP, "is malformed");
        refused(TS("\"spec_version\":\"1.a\",\"expires\":\"2030-01-01T00:00:00Z\",\"version\":1"),
                TUF_ROLE_TIMESTAMP, "is malformed");
        refused(TS("\"spec_version\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"version\":1"),
                TUF_ROLE_TIMESTAMP, "field 'spec_version' must be a string");
        refused(TS(COMMON ",\"version\":0"), TUF_ROLE_TIMESTAMP, "field 'version' is out of range");
        refused(TS(COMMON ",\"version\":\"1\""), TUF_ROLE_TIMESTAMP, "field 'version' must be an integer");
        refused(TS(COMMON ",\"version\":1.0"), TUF_ROLE_TIMESTAMP, "field 'version' must be an integer");
        refused(TS(COMMON ",\"version\":9223372036854775807"), TUF_ROLE_TIMESTAMP, "out of range");
        refused(TS(COMMON ",\"version\":18446744073709551616"), TUF_ROLE_TIMESTAMP, "out of range");
        refused(TS("\"spec_version\":\"1.0\",\"expires\":\"2030-01-01\",\"version\":1"), TUF_ROLE_TIMESTAMP,
                "expires '2030-01-01' is not an RFC 3339 time");
        refused(TS(COMMON), TUF_ROLE_TIMESTAMP, "required field 'version' is missing");
        refused(TS(COMMON ",\"version\":1,\"x\":1.5"), TUF_ROLE_TIMESTAMP,
                "contains a number that is not an integer");
        refused("{\"signatures\":{},\"signed\":{}}", TUF_ROLE_ANY, "field 'signatures' must be an array");
        refused("{\"signatures\":[{\"keyid\":1,\"sig\":\"00\"}],\"signed\":{}}", TUF_ROLE_ANY,
                "field 'keyid' must be a string");
        refused("{" SIGS ",\"signed\":{\"_type\":\"mirrors\"}}", TUF_ROLE_ANY, "unknown _type 'mirrors'");
        /* Not JSON the way every other parser would read it. */
        refused(TS(COMMON ",\"version\":1") " x", TUF_ROLE_TIMESTAMP, "not valid JSON");
        refused("{" SIGS ",\"signed\":{},}", TUF_ROLE_ANY, "not valid JSON");
        refused("{" SIGS ",\"signed\":{\"_type\":\"\xff\"}}", TUF_ROLE_ANY, "not valid JSON");
        refused("[1]", TUF_ROLE_ANY, "not a JSON object");
        refused("{" SIGS ",\"signed\":{\"_type\":\"root\\u0000x\"}}", TUF_ROLE_ANY,
                "contains a NUL character");
#undef TS
}

static void test_nul_and_depth(void **state) {
        static const char with_nul[] = "{\"signed\":{}}\0 ";
        _cleanup_free_ char *why = NULL, *deep = NULL;
        TufMetadata *m = NULL;
        size_t n = 200;

        assert_int_equal(tuf_metadata_parse(with_nul, sizeof(with_nul) - 1, TUF_ROLE_ANY, "x", &m, &why),
                         -EBADMSG);
        assert_non_null(strstr(why, "NUL byte"));
        deep = malloc(2 * n + 32);
        assert_non_null(deep);
        strcpy(deep, "{\"a\":");
        memset(deep + 5, '[', n);
        memset(deep + 5 + n, ']', n);
        strcpy(deep + 5 + 2 * n, "}");
        refused(deep, TUF_ROLE_ANY, "not valid JSON");
}

#define ROOT(keys, roles)                                                                   \
        "{" SIGS ",\"signed\":{\"_type\":\"root\"," COMMON ",\"version\":1,\"keys\":{" keys \
        "},\"roles\":{" roles "}}}"
#define ROLE(name, ids) "\"" name "\":{\"keyids\":[" ids "],\"threshold\":1}"
/* timestamp and snapshot, both with key "k": the parts the root cases below do not vary */
#define TS_SNAP    ROLE("timestamp", "\"k\"") "," ROLE("snapshot", "\"k\"")
#define FOUR_ROLES ROLE("root", "\"k\"") "," TS_SNAP "," ROLE("targets", "\"k\"")
#define ED_KEYS    "\"k\":" ED_KEY

static void test_root(void **state) {
        TufMetadata *m;

        assert_int_equal(parse(ROOT(ED_KEYS, FOUR_ROLES), TUF_ROLE_ROOT, &m, NULL), 0);
        assert_false(m->consistent_snapshot);
        assert_int_equal(m->keys.n_keys, 1);
        assert_int_equal(m->roles[TUF_ROLE_SNAPSHOT].threshold, 1);
        assert_string_equal(m->roles[TUF_ROLE_TARGETS].keyids[0], "k");
        tuf_metadata_free(m);

        refused(ROOT(ED_KEYS, ROLE("root", "\"k\"") "," TS_SNAP), TUF_ROLE_ROOT,
                "roles must list exactly root, timestamp, snapshot and targets");
        refused(ROOT(ED_KEYS, FOUR_ROLES "," ROLE("mirror", "\"k\"")), TUF_ROLE_ROOT,
                "roles must list exactly");
        refused(ROOT(ED_KEYS, ROLE("root", "\"k\"") "," TS_SNAP "," ROLE("targetz", "\"k\"")), TUF_ROLE_ROOT,
                "required field 'targets' is missing");
        refused(ROOT(ED_KEYS, ROLE("root", "\"k\",\"k\"") "," TS_SNAP "," ROLE("targets", "\"k\"")),
                TUF_ROLE_ROOT, "'keyids' lists 'k' twice");
        refused(ROOT(ED_KEYS, ROLE("root", "\"j\"") "," TS_SNAP "," ROLE("targets", "\"k\"")), TUF_ROLE_ROOT,
                "role 'root' names keyid 'j', which is not in keys");
        refused(ROOT("\"k\":{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\"}", FOUR_ROLES), TUF_ROLE_ROOT,
                "required field 'keyval' is missing");
        refused(ROOT("\"k\":{\"keytype\":\"sm2\",\"scheme\":\"sm2\",\"keyval\":{\"public\":\"00\"}}",
                     FOUR_ROLES),
                TUF_ROLE_ROOT, "keytype 'sm2' with scheme 'sm2', which is not a supported pair");
        refused("{" SIGS ",\"signed\":{\"_type\":\"root\"," COMMON ",\"version\":1,"
                "\"consistent_snapshot\":\"yes\",\"keys\":{},\"roles\":{}}}",
                TUF_ROLE_ROOT, "field 'consistent_snapshot' must be a boolean");
        refused(ROOT(ED_KEYS,
                     ROLE("root", "\"k\"") "," TS_SNAP ",\"targets\":{\"keyids\":[\"k\"],\"threshold\":0}"),
                TUF_ROLE_ROOT, "field 'threshold' is out of range");
}

#define TARGETS(targets, delegations)                                                                \
        "{" SIGS ",\"signed\":{\"_type\":\"targets\"," COMMON ",\"version\":1,\"targets\":{" targets \
        "}" delegations "}}"
#define TARGET             "\"a/b.txt\":{\"length\":3,\"hashes\":{\"sha256\":\"" HASH64 "\"},\"custom\":{\"x\":1}}"
#define DELEGATIONS(roles) ",\"delegations\":{\"keys\":{\"k\":" ED_KEY "},\"roles\":[" roles "]}"
#define DROLE(name, more) \
        "{\"name\":\"" name "\",\"keyids\":[\"k\"],\"threshold\":1,\"terminating\":true" more "}"

static void test_targets(void **state) {
        TufMetadata *m;

        assert_int_equal(parse(TARGETS(TARGET, DELEGATIONS(DROLE("r1", ",\"paths\":[\"a/*\"]") "," DROLE(
                                                       "r2", ",\"path_hash_prefixes\":[\"8f\"]"))),
                               TUF_ROLE_TARGETS, &m, NULL),
                         0);
        assert_int_equal(m->n_targets, 1);
        assert_string_equal(m->targets[0].path, "a/b.txt");
        assert_int_equal(m->targets[0].length, 3);
        assert_int_equal(m->n_delegations, 2);
        assert_true(m->delegations[0].terminating);
        assert_false(m->delegations[0].hash_prefixes);
        assert_true(m->delegations[1].hash_prefixes);
        assert_non_null(tuf_metadata_target(m, "a/b.txt"));
        assert_null(tuf_metadata_target(m, "a/c.txt"));
        tuf_metadata_free(m);

        refused(TARGETS("\"a\":{\"length\":3}", ""), TUF_ROLE_TARGETS, "required field 'hashes' is missing");
        refused(TARGETS("\"a\":{\"length\":3,\"hashes\":{}}", ""), TUF_ROLE_TARGETS,
                "must be a non-empty object");
        refused(TARGETS("\"\":{\"length\":3,\"hashes\":{\"sha256\":\"" HASH64 "\"}}", ""), TUF_ROLE_TARGETS,
                "a target has an empty path");
        refused(TARGETS(TARGET, DELEGATIONS(DROLE("r1", ""))), TUF_ROLE_TARGETS,
                "must have exactly one of paths and path_hash_prefixes");
        refused(TARGETS(TARGET, DELEGATIONS(DROLE("r1", ",\"paths\":[],\"path_hash_prefixes\":[]"))),
                TUF_ROLE_TARGETS, "must have exactly one of paths and path_hash_prefixes");
        refused(TARGETS(TARGET, DELEGATIONS(DROLE("targets", ",\"paths\":[]"))), TUF_ROLE_TARGETS,
                "'targets' is not a valid delegated role name");
        refused(TARGETS(TARGET, DELEGATIONS(DROLE("r", ",\"paths\":[]") "," DROLE("r", ",\"paths\":[]"))),
                TUF_ROLE_TARGETS, "role 'r' is delegated twice");
        refused(TARGETS(TARGET, DELEGATIONS(DROLE("r", ",\"path_hash_prefixes\":[\"8G\"]"))),
                TUF_ROLE_TARGETS, "not lowercase hex");
        refused(TARGETS(TARGET,
                        DELEGATIONS("{\"name\":\"r\",\"keyids\":[\"k\"],\"threshold\":1,\"paths\":[]}")),
                TUF_ROLE_TARGETS, "required field 'terminating' is missing");
        refused(TARGETS(TARGET, ",\"delegations\":{\"keys\":{},\"succinct_roles\":{}}"), TUF_ROLE_TARGETS,
                "succinct_roles delegations are not supported");
}

static void test_go_tuf_parse_fixture(void **state) {
        _cleanup_free_ char *data = NULL;
        TufMetadata *m;
        size_t size;

        /* Tabs, an unknown field "test" (kept), fractional-second expiry. */
        assert_int_equal(
                read_full_file(tuf_testdata("go-tuf-repository_data/repository/metadata/1.root.json"),
                               1 << 20, &data, &size),
                0);
        assert_int_equal(tuf_metadata_parse(data, size, TUF_ROLE_ROOT, "1.root.json", &m, NULL), 0);
        assert_true(m->consistent_snapshot);
        assert_int_equal(m->expires.nsec, 100);
        assert_non_null(strstr(m->canonical, "\"test\":\"true\""));
        tuf_metadata_free(m);
}

static void test_delegation_paths(void **state) {
        char *globs[] = { "*.txt", "dir/*.bin", "file-?.tgz" };
        char *prefixes[] = { "55ae75d9", "00" };
        TufDelegation d = { .patterns = globs, .n_patterns = ELEMENTSOF(globs) };

        assert_true(tuf_delegation_matches(&d, "a.txt"));
        assert_false(tuf_delegation_matches(&d, "dir/a.txt")); /* '*' stops at '/' */
        assert_true(tuf_delegation_matches(&d, "dir/a.bin"));
        assert_false(tuf_delegation_matches(&d, "dir/sub/a.bin"));
        assert_true(tuf_delegation_matches(&d, "file-2.tgz"));
        assert_false(tuf_delegation_matches(&d, "file-22.tgz"));
        d.n_patterns = 0;
        assert_false(tuf_delegation_matches(&d, "a.txt"));
        /* sha256("file1.txt") = 55ae75d9..., sha256("file3.txt") = 4532257a... */
        d = (TufDelegation){ .hash_prefixes = true,
                             .patterns = prefixes,
                             .n_patterns = ELEMENTSOF(prefixes) };
        assert_true(tuf_delegation_matches(&d, "file1.txt"));
        assert_false(tuf_delegation_matches(&d, "file3.txt"));
        prefixes[1] = "4532";
        assert_true(tuf_delegation_matches(&d, "file3.txt"));
}

static void test_glob(void **state) {
        static const struct {
                const char *pattern, *path;
                bool match;
        } cases[] = {
                { "*.txt", "a.txt", true },
                { "*.txt", "dir/a.txt", false },
                { "*/*", "a/b", true },
                { "*/*", "a", false },
                { "*/*", "a/b/c", false },
                { "**", "abc", true },
                { "*a*b", "xaxb", true },
                { "*a*b", "xaxa", false },
                { "a*", "a", true },
                { "?", "", false },
                { "?", "ab", false },
                { "[ab]*", "a1", true },
                { "[ab]*", "c1", false },
                { "[!ab]x", "cx", true },
                { "[!ab]x", "ax", false },
                { "[a-c]", "b", true },
                { "[a-c]", "d", false },
                { "[a-]", "-", true },
                { "[]]", "]", true },
                { "[", "[", true },
                { "a[b", "a[b", true },
                { "file3.txt", "file3.txt", true },
                { "file3.txt", "file3.txt2", false },
                { "\\*", "\\x", true }, /* no escapes: the backslash is literal */
        };
        char text[4001];

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                if (tuf_glob_match(cases[i].pattern, cases[i].path) != cases[i].match)
                        fail_msg("'%s' against '%s' should be %s", cases[i].pattern, cases[i].path,
                                 cases[i].match ? "a match" : "no match");
        /* Backtracking that a naive matcher would take exponential time over. */
        memset(text, 'a', sizeof(text) - 1);
        text[sizeof(text) - 1] = 0;
        assert_false(tuf_glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
        assert_true(tuf_glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*", text));
}

static void test_safe_paths_and_names(void **state) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        assert_true(tuf_path_is_safe("a.txt"));
        assert_true(tuf_path_is_safe("dir/sub/a.txt"));
        assert_true(tuf_path_is_safe("..a"));
        assert_false(tuf_path_is_safe(""));
        assert_false(tuf_path_is_safe("/etc/passwd"));
        assert_false(tuf_path_is_safe("../a"));
        assert_false(tuf_path_is_safe("a/../../b"));
        assert_false(tuf_path_is_safe("a/./b"));
        assert_false(tuf_path_is_safe("a//b"));
        assert_false(tuf_path_is_safe("a/"));
        assert_false(tuf_path_is_safe("a\\b"));
        assert_false(tuf_path_is_safe("a\nb"));

        assert_int_equal(tuf_metadata_filename("role1", false, 5, &a), 0);
        assert_string_equal(a, "role1.json");
        assert_int_equal(tuf_metadata_filename("role1", true, 5, &b), 0);
        assert_string_equal(b, "5.role1.json");
        /* python-tuf's fishy role names: none may become a path. */
        assert_int_equal(tuf_metadata_filename("../a", false, 1, &c), 0);
        assert_string_equal(c, "..%2Fa.json");
        assert_int_equal(tuf_metadata_filename("\xc3\xb6 %", true, 1, &d), 0);
        assert_string_equal(d, "1.%C3%B6%20%25.json");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_timestamp),
                cmocka_unit_test(test_common_fields),
                cmocka_unit_test(test_nul_and_depth),
                cmocka_unit_test(test_root),
                cmocka_unit_test(test_targets),
                cmocka_unit_test(test_go_tuf_parse_fixture),
                cmocka_unit_test(test_delegation_paths),
                cmocka_unit_test(test_glob),
                cmocka_unit_test(test_safe_paths_and_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
