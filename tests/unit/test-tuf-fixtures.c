/* SPDX-License-Identifier: MIT */
/* The TUF client on the published fixtures: python-tuf's repository (RSA root, ed25519 roles, two levels
 * of delegation), go-tuf's (RSA everywhere, consistent snapshots, fractional-second expiry) and
 * python-tuf's generated ed25519 metadata. Each must verify as published. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <string.h>

#include "fileio.h"
#include "hexutil.h"
#include "macro.h"
#include "tuf-test-util.h"

static void test_python_tuf_repository(void **state) {
        const char *repo = tuf_testdata("python-tuf-repository_data/repository");
        char root[PATH_MAX], metadata[PATH_MAX], targets[PATH_MAX];
        Verify v = { .root = root, .metadata = metadata, .targets = targets };

        assert_true(snprintf_ok(root, "%s/metadata/root.json", repo));
        assert_true(snprintf_ok(metadata, "%s/metadata", repo));
        assert_true(snprintf_ok(targets, "%s/targets", repo));
        /* file1.txt and file2.txt from targets, file3.txt through the delegation to role1. */
        assert_int_equal(verify_ok(&v), 3);
        v.target = "file3.txt";
        assert_int_equal(verify_ok(&v), 1);
        v.curl = true; /* the same through libcurl and file:// URLs */
        v.target = NULL;
        assert_int_equal(verify_ok(&v), 3);
}

static void test_delegated_target_role(void **state) {
        const char *repo = tuf_testdata("python-tuf-repository_data/repository");
        _cleanup_free_ char *root = NULL, *why = NULL;
        char metadata[PATH_MAX], targets[PATH_MAX], path[PATH_MAX];
        const TufTarget *t;
        const char *role;
        TufFetcher *f;
        TufClient *c;
        size_t size;

        assert_true(snprintf_ok(path, "%s/metadata/root.json", repo));
        assert_true(snprintf_ok(metadata, "%s/metadata", repo));
        assert_true(snprintf_ok(targets, "%s/targets", repo));
        assert_int_equal(read_full_file(path, 1 << 20, &root, &size), 0);
        assert_int_equal(tuf_fetcher_dir_new(metadata, targets, &f, NULL), 0);
        assert_int_equal(tuf_client_new(root, size, f, NULL, &c, NULL), 0);
        assert_int_equal(tuf_client_find_target(c, "file1.txt", &t, NULL, NULL),
                         -ESTALE); /* not refreshed */
        tuf_client_set_now(c, (TufTime){ .sec = 1735689600 });
        assert_int_equal(tuf_client_refresh(c, &why), 0);
        assert_int_equal(tuf_client_find_target(c, "file3.txt", &t, &role, NULL), 0);
        assert_string_equal(role, "role1.json");
        assert_int_equal(t->length, 28);
        assert_int_equal(tuf_client_find_target(c, "file1.txt", &t, &role, NULL), 0);
        assert_string_equal(role, "targets.json");
        assert_int_equal(tuf_client_find_target(c, "file9.txt", &t, &role, NULL), -ENOENT);
        assert_non_null(tuf_client_trusted(c, TUF_ROLE_SNAPSHOT));
        assert_int_equal(tuf_client_trusted(c, TUF_ROLE_ROOT)->version, 1);
        tuf_client_free(c);
        tuf_fetcher_free(f);
}

/* Lays a published repository out as a consistent-snapshot repository serves it: VERSION.ROLE.json and
 * targets under HASH.NAME. (go-tuf publishes its fixture with plain names.) */
static void consistent_copy(TestRepo *r, const char *fixture, const char *const *roles) {
        char from[PATH_MAX], to[PATH_MAX];
        const char *names[] = { "file1.txt", "file2.txt", "file3.txt" };

        repo_empty(r);
        assert_true(snprintf_ok(from, "%s/metadata/timestamp.json", fixture));
        copy_file(from, repo_path(r, "timestamp.json"));
        for (size_t i = 0; roles[i]; i++) {
                char name[64];

                assert_true(snprintf_ok(from, "%s/metadata/%s.json", fixture, roles[i]));
                assert_true(snprintf_ok(name, "1.%s.json", roles[i]));
                copy_file(from, repo_path(r, name));
        }
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *data = NULL;
                uint8_t digest[32];
                char hex[65];
                size_t size;

                assert_true(snprintf_ok(from, "%s/targets/%s", fixture, names[i]));
                assert_int_equal(read_full_file(from, 1 << 20, &data, &size), 0);
                assert_int_equal(EVP_Digest(data, size, digest, NULL, EVP_sha256(), NULL), 1);
                hex_encode(digest, sizeof(digest), hex);
                assert_true(snprintf_ok(to, "%s/%s.%s", r->targets, hex, names[i]));
                copy_file(from, to);
        }
}

static void test_go_tuf_consistent_snapshot(void **state) {
        const char *fixture = tuf_testdata("go-tuf-repository_data/repository");
        const char *const roles[] = { "snapshot", "targets", "role1", "role2", NULL };
        char root[PATH_MAX], metadata[PATH_MAX], targets[PATH_MAX];
        Verify v = { .root = root };
        TestRepo r;

        assert_true(snprintf_ok(root, "%s/metadata/root.json", fixture));
        /* As published the files have plain names, which a consistent-snapshot client does not ask for. */
        assert_true(snprintf_ok(metadata, "%s/metadata", fixture));
        assert_true(snprintf_ok(targets, "%s/targets", fixture));
        v.metadata = metadata;
        v.targets = targets;
        verify_refused(&v, "1.snapshot.json: not found");

        consistent_copy(&r, fixture, roles);
        v.metadata = r.metadata;
        v.targets = r.targets;
        /* file1.txt from targets.json, file3.txt from role1 (python-tuf's, ed25519). */
        assert_int_equal(verify_ok(&v), 2);
        /* Expiry to the tenth of a microsecond: 2030-08-15T14:30:45.0000001Z, but role1 expires earlier. */
        v.now = "2030-08-15T14:30:45.0000001Z";
        verify_refused(&v, "root.json: expired at 2030-08-15T14:30:45.0000001Z (freeze)");
        v.now = "2030-08-15T14:30:45Z";
        verify_refused(&v, "role1.json: expired at 2030-01-01T00:00:00Z");
        v.now = NULL;
        v.target = "file1.txt";
        v.curl = true;
        assert_int_equal(verify_ok(&v), 1);
        repo_remove(&r);
}

static void test_python_generated_ed25519(void **state) {
        static const char *const files[][2] = {
                { "timestamp_with_ed25519.json", "timestamp.json" },
                { "snapshot_with_ed25519.json", "1.snapshot.json" },
                { "targets_with_ed25519.json", "1.targets.json" },
        };
        char root[PATH_MAX], from[PATH_MAX];
        Verify v = { .root = root, .now = "2049-12-31T23:59:59Z" };
        TestRepo r;

        repo_empty(&r);
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                assert_true(snprintf_ok(from, "%s/%s",
                                        tuf_testdata("python-tuf-generated_data/ed25519_metadata"),
                                        files[i][0]));
                copy_file(from, repo_path(&r, files[i][1]));
        }
        assert_true(snprintf_ok(root, "%s",
                                tuf_testdata("python-tuf-generated_data/ed25519_metadata/"
                                             "root_with_ed25519.json")));
        v.metadata = r.metadata;
        v.targets = r.targets;
        assert_int_equal(verify_ok(&v), 0); /* signed, consistent, and empty */
        v.now = "2050-01-01T00:00:00Z";
        verify_refused(&v, "expired at 2050-01-01T00:00:00Z (freeze)");
        repo_remove(&r);
}

/* go-tuf's 1.root.json is a parse fixture with a dummy signature and an extra field "test": as a trusted
 * root it must be refused, because its own key did not sign it. */
static void test_go_tuf_dummy_root(void **state) {
        const char *fixture = tuf_testdata("go-tuf-repository_data/repository");
        char root[PATH_MAX], metadata[PATH_MAX], targets[PATH_MAX];
        Verify v = { .root = root, .metadata = metadata, .targets = targets };

        assert_true(snprintf_ok(root, "%s/metadata/1.root.json", fixture));
        assert_true(snprintf_ok(metadata, "%s/metadata", fixture));
        assert_true(snprintf_ok(targets, "%s/targets", fixture));
        verify_refused(&v, "root.json: signed by 0 of the 1 keys required for role root");
}

/* A proper rotation chain 1 -> 2 -> 3, each signed by the old and the new root key. */
static void test_root_rotation(void **state) {
        Fixture f;
        json_object *root;

        fixture_setup(&f);
        for (int version = 2; version <= 3; version++) {
                char name[32];

                assert_true(snprintf_ok(name, "%d.root.json", version));
                root = repo_load(&f.repo, "root.json");
                doc_set_int(root, "version", version);
                resign(&f, name, root, KEY_ROOT);
                json_object_put(root);
        }
        assert_int_equal(verify_ok(&f.v), 3);
        fixture_teardown(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_python_tuf_repository),
                cmocka_unit_test(test_delegated_target_role),
                cmocka_unit_test(test_go_tuf_consistent_snapshot),
                cmocka_unit_test(test_python_generated_ed25519),
                cmocka_unit_test(test_go_tuf_dummy_root),
                cmocka_unit_test(test_root_rotation),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
