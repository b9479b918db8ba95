/* SPDX-License-Identifier: MIT */
/* The TUF client against stale, inconsistent or oversized repositories: rollback, indefinite freeze,
 * endless data, extraneous dependencies and mix-and-match, played on tampered copies of the python-tuf
 * fixture (re-signed with its private keys, so that only the property under test is wrong). */
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
#include "tuf-test-util.h"

static void append_file(const char *path, const char *data, size_t n) {
        _cleanup_free_ char *old = NULL, *new = NULL;
        size_t size;

        assert_int_equal(read_full_file(path, 1 << 20, &old, &size), 0);
        new = malloc(size + n);
        assert_non_null(new);
        memcpy(new, old, size);
        memcpy(new + size, data, n);
        assert_int_equal(write_file_atomic(path, new, size + n, 0644), 0);
}

static void set_meta_version(json_object *doc, const char *name, int64_t version) {
        doc_set_meta(doc, name, version, NULL, NULL);
}

static void test_rollback(void **state) {
        char trusted_ts[PATH_MAX], trusted_snap[PATH_MAX];
        json_object *doc, *meta;
        Fixture f;

        /* The repository serves timestamp 1 to a client that trusts timestamp 2. */
        fixture_setup(&f);
        doc = repo_load(&f.repo, "timestamp.json");
        doc_set_int(doc, "version", 2);
        doc_sign(doc, key_path(KEY_TIMESTAMP), key_id(KEY_TIMESTAMP), false);
        f.v.trusted_timestamp = save_outside(&f, "trusted-timestamp.json", doc, trusted_ts);
        verify_refused(&f.v, "timestamp.json: version 1 is older than trusted version 2 (rollback)");
        /* A newer timestamp that points at an older snapshot than the trusted one did. */
        set_meta_version(doc, "snapshot.json", 2);
        doc_sign(doc, key_path(KEY_TIMESTAMP), key_id(KEY_TIMESTAMP), false);
        save_outside(&f, "trusted-timestamp.json", doc, trusted_ts);
        json_object_put(doc);
        doc = repo_load(&f.repo, "timestamp.json");
        doc_set_int(doc, "version", 3);
        resign(&f, "timestamp.json", doc, KEY_TIMESTAMP);
        json_object_put(doc);
        verify_refused(&f.v,
                       "timestamp.json: snapshot.json version 1 is older than trusted version 2 (rollback)");
        fixture_teardown(&f);

        /* The trusted snapshot had targets.json version 2; the new one goes back to 1. */
        fixture_setup(&f);
        doc = repo_load(&f.repo, "snapshot.json");
        set_meta_version(doc, "targets.json", 2);
        doc_sign(doc, key_path(KEY_SNAPSHOT), key_id(KEY_SNAPSHOT), false);
        f.v.trusted_snapshot = save_outside(&f, "trusted-snapshot.json", doc, trusted_snap);
        verify_refused(&f.v,
                       "snapshot.json: targets.json version 1 is older than trusted version 2 (rollback)");
        /* ... or drops a role file the trusted snapshot listed. */
        set_meta_version(doc, "targets.json", 1);
        json_object_object_add(doc_signed(doc), "version", json_object_new_int(1));
        doc_sign(doc, key_path(KEY_SNAPSHOT), key_id(KEY_SNAPSHOT), false);
        save_outside(&f, "trusted-snapshot.json", doc, trusted_snap);
        json_object_put(doc);
        doc = repo_load(&f.repo, "snapshot.json");
        assert_true(json_object_object_get_ex(doc_signed(doc), "meta", &meta));
        json_object_object_del(meta, "role2.json");
        resign(&f, "snapshot.json", doc, KEY_SNAPSHOT);
        json_object_put(doc);
        verify_refused(&f.v,
                       "snapshot.json: role2.json, listed in the trusted snapshot, is missing (rollback)");
        fixture_teardown(&f);

        /* The trusted snapshot is version 4; the repository (consistently) serves version 3. */
        fixture_setup(&f);
        doc = repo_load(&f.repo, "snapshot.json");
        doc_set_int(doc, "version", 4);
        doc_sign(doc, key_path(KEY_SNAPSHOT), key_id(KEY_SNAPSHOT), false);
        f.v.trusted_snapshot = save_outside(&f, "trusted-snapshot.json", doc, trusted_snap);
        doc_set_int(doc, "version", 3);
        resign(&f, "snapshot.json", doc, KEY_SNAPSHOT);
        json_object_put(doc);
        verify_refused(&f.v, "snapshot.json: version 3 is older than trusted version 4 (rollback)");
        fixture_teardown(&f);
}

static void expire(Fixture *f, const char *file, TestKey k, const char *needle) {
        json_object *doc = repo_load(&f->repo, file);

        doc_set_string(doc, "expires", "2024-12-31T23:59:59.999Z");
        resign(f, file, doc, k);
        json_object_put(doc);
        verify_refused(&f->v, needle);
}

static void test_indefinite_freeze(void **state) {
        Fixture f;

        fixture_setup(&f);
        f.v.now = "2030-01-01T00:00:00Z";
        verify_refused(&f.v, "root.json: expired at 2030-01-01T00:00:00Z (freeze)");
        f.v.now = "2029-12-31T23:59:59.999999999Z";
        assert_int_equal(verify_ok(&f.v), 3);
        f.v.now = NULL;
        /* Each role, expired in an otherwise valid repository (default now: 2025-01-01). */
        expire(&f, "targets.json", KEY_TARGETS,
               "targets.json: expired at 2024-12-31T23:59:59.999Z (freeze)");
        fixture_teardown(&f);
        fixture_setup(&f);
        expire(&f, "role1.json", KEY_DELEGATION, "role1.json: expired at 2024-12-31T23:59:59.999Z (freeze)");
        fixture_teardown(&f);
        fixture_setup(&f);
        expire(&f, "snapshot.json", KEY_SNAPSHOT,
               "snapshot.json: expired at 2024-12-31T23:59:59.999Z (freeze)");
        fixture_teardown(&f);
        fixture_setup(&f);
        expire(&f, "timestamp.json", KEY_TIMESTAMP, "timestamp.json: expired at 2024-12-31T23:59:59.999Z");
        fixture_teardown(&f);
}

static void test_endless_data(void **state) {
        _cleanup_free_ char *pad = NULL;
        char path[PATH_MAX];
        json_object *doc;
        Fixture f;

        pad = malloc(600 * 1024);
        assert_non_null(pad);
        memset(pad, ' ', 600 * 1024);

        /* A target longer than targets.json declares, then one shorter. */
        fixture_setup(&f);
        assert_true(snprintf_ok(path, "%s/file1.txt", f.repo.targets));
        append_file(path, "more", 4);
        verify_refused(&f.v, "file1.txt: longer than the 31 bytes targets.json declares (endless data)");
        assert_int_equal(truncate(path, 30), 0);
        verify_refused(&f.v, "file1.txt: 30 bytes, but targets.json declares 31");
        fixture_teardown(&f);

        /* Trailing whitespace keeps the signatures valid: only the length bounds stop it. snapshot.json
         * beyond the length timestamp.json declares; timestamp.json beyond its fixed bound. */
        fixture_setup(&f);
        append_file(repo_path(&f.repo, "snapshot.json"), pad, 100);
        verify_refused(&f.v,
                       "snapshot.json: longer than the 515 bytes declared by timestamp.json (endless data)");
        fixture_teardown(&f);
        fixture_setup(&f);
        append_file(repo_path(&f.repo, "timestamp.json"), pad, 20 * 1024);
        verify_refused(&f.v, "timestamp.json: longer than the 16384 bytes allowed (endless data)");
        fixture_teardown(&f);

        /* A next root of 600 KiB. */
        fixture_setup(&f);
        doc = repo_load(&f.repo, "root.json");
        doc_set_int(doc, "version", 2);
        resign(&f, "2.root.json", doc, KEY_ROOT);
        json_object_put(doc);
        append_file(repo_path(&f.repo, "2.root.json"), pad, 600 * 1024);
        verify_refused(&f.v, "2.root.json: longer than the 524288 bytes allowed (endless data)");
        fixture_teardown(&f);
}

static void add_target(json_object *doc, const char *path, const char *sha256, int length) {
        json_object *targets, *t = json_object_new_object(), *hashes = json_object_new_object();

        json_object_object_add(hashes, "sha256", json_object_new_string(sha256));
        json_object_object_add(t, "hashes", hashes);
        json_object_object_add(t, "length", json_object_new_int(length));
        assert_true(json_object_object_get_ex(doc_signed(doc), "targets", &targets));
        json_object_object_add(targets, path, t);
}

#define FILE1_SHA256 "65b8c67f51c993d898250f40aa57a317d854900b3a04895464313e48785440da"

static void test_extraneous_dependencies(void **state) {
        json_object *doc;
        Fixture f;

        /* A target no role lists. */
        fixture_setup(&f);
        f.v.target = "file4.txt";
        verify_refused(&f.v, "target 'file4.txt' is not listed by any trusted role");
        fixture_teardown(&f);

        /* role1 may only list file3.txt; it also lists another file, correctly signed. */
        fixture_setup(&f);
        doc = repo_load(&f.repo, "role1.json");
        add_target(doc, "other.txt", FILE1_SHA256, 31);
        resign(&f, "role1.json", doc, KEY_DELEGATION);
        json_object_put(doc);
        copy_file(tuf_testdata("python-tuf-repository_data/repository/targets/file1.txt"),
                  repo_path(&f.repo, "../targets/other.txt"));
        verify_refused(&f.v,
                       "role1.json: lists target 'other.txt', which is outside the paths delegated to it");
        f.v.target = "other.txt";
        verify_refused(&f.v, "target 'other.txt' is not listed by any trusted role");
        fixture_teardown(&f);

        /* role2 is delegated no paths at all (by role1), yet lists one. */
        fixture_setup(&f);
        doc = repo_load(&f.repo, "role2.json");
        add_target(doc, "file3.txt.sig", FILE1_SHA256, 31);
        resign(&f, "role2.json", doc, KEY_DELEGATION);
        json_object_put(doc);
        verify_refused(&f.v,
                       "role2.json: lists target 'file3.txt.sig', which is outside the paths delegated");
        fixture_teardown(&f);
}

static void test_mix_and_match(void **state) {
        json_object *doc;
        Fixture f;

        /* timestamp.json names snapshot version 2 (with the right hashes); the snapshot is version 1. */
        fixture_setup(&f);
        doc = repo_load(&f.repo, "timestamp.json");
        doc_set_meta(doc, "snapshot.json", 2, &f.repo, "snapshot.json");
        resign(&f, "timestamp.json", doc, KEY_TIMESTAMP);
        json_object_put(doc);
        verify_refused(&f.v, "snapshot.json: version 1 does not match version 2 listed in timestamp.json "
                             "(mix and match)");
        fixture_teardown(&f);

        /* snapshot.json names targets.json version 2, or role1.json version 2; they are version 1. */
        fixture_setup(&f);
        doc = repo_load(&f.repo, "snapshot.json");
        set_meta_version(doc, "targets.json", 2);
        resign(&f, "snapshot.json", doc, KEY_SNAPSHOT);
        verify_refused(&f.v, "targets.json: version 1 does not match version 2 listed in snapshot.json "
                             "(mix and match)");
        set_meta_version(doc, "targets.json", 1);
        set_meta_version(doc, "role1.json", 2);
        resign(&f, "snapshot.json", doc, KEY_SNAPSHOT);
        json_object_put(doc);
        verify_refused(&f.v, "role1.json: version 1 does not match version 2 listed in snapshot.json");
        fixture_teardown(&f);

        /* A snapshot of the same length as the one timestamp.json describes, but another one. */
        fixture_setup(&f);
        doc = repo_load(&f.repo, "snapshot.json");
        resign(&f, "snapshot.json", doc, KEY_SNAPSHOT);
        doc_set_string(doc, "expires", "2029-01-01T00:00:00Z");
        doc_sign(doc, key_path(KEY_SNAPSHOT), key_id(KEY_SNAPSHOT), false);
        repo_save(&f.repo, "snapshot.json", doc);
        json_object_put(doc);
        verify_refused(&f.v, "snapshot.json: sha256 hash does not match timestamp.json");
        fixture_teardown(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rollback),      cmocka_unit_test(test_indefinite_freeze),
                cmocka_unit_test(test_endless_data),  cmocka_unit_test(test_extraneous_dependencies),
                cmocka_unit_test(test_mix_and_match),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
