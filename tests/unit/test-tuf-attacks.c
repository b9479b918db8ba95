/* SPDX-License-Identifier: MIT */
/* The TUF client against forged signatures, keys and roots: tampered copies of the python-tuf fixture,
 * re-signed with its private keys where the attack needs valid signatures. Each test names the attack of
 * the TUF specification it plays (section 1.5.2, "Goals to protect against specific attacks"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <string.h>

#include "fileio.h"
#include "hexutil.h"
#include "macro.h"
#include "tuf-test-util.h"

/* Writes a modified trusted root (signed by the root key) and points the client at it. */
static void use_trusted_root(Fixture *f, json_object *root) {
        doc_sign(root, key_path(KEY_ROOT), key_id(KEY_ROOT), false);
        f->v.root = save_outside(f, "trusted-root.json", root, f->root);
}

static void test_arbitrary_software(void **state) {
        Fixture f;
        json_object *doc;
        char *data;
        size_t size;
        char path[PATH_MAX];

        /* A target replaced by other content of the same length. */
        fixture_setup(&f);
        assert_true(snprintf_ok(path, "%s/file1.txt", f.repo.targets));
        assert_int_equal(read_full_file(path, 4096, &data, &size), 0);
        data[0] ^= 1;
        assert_int_equal(write_file_atomic(path, data, size, 0644), 0);
        free(data);
        verify_refused(&f.v, "file1.txt: sha256 hash does not match targets.json (arbitrary software)");
        fixture_teardown(&f);

        /* targets.json edited without its key: the signature no longer covers it. */
        fixture_setup(&f);
        doc = repo_load(&f.repo, "targets.json");
        json_object_object_del(doc_signed(doc), "delegations");
        repo_save(&f.repo, "targets.json", doc);
        json_object_put(doc);
        verify_refused(&f.v, "targets.json: signed by 0 of the 1 keys required for role targets");
        fixture_teardown(&f);

        /* role1.json re-signed by the top-level targets key, which was not delegated role1. */
        fixture_setup(&f);
        doc = repo_load(&f.repo, "role1.json");
        doc_sign(doc, key_path(KEY_TARGETS), key_id(KEY_DELEGATION), false);
        repo_save(&f.repo, "role1.json", doc);
        json_object_put(doc);
        verify_refused(&f.v, "role1.json: signed by 0 of the 1 keys required for role role1");
        fixture_teardown(&f);
}

/* Recovery from a fast-forward attack: whoever held the old timestamp and snapshot keys pushed the
 * client's trusted versions to 5 and 9. Without a key rotation the client rightly refuses the real,
 * lower versions; once root version 2 rotates those keys, the old floors are dropped. */
static void test_fast_forward(void **state) {
        const char *const new_key[] = { key_id(KEY_DELEGATION), NULL };
        char trusted_ts[PATH_MAX], trusted_snap[PATH_MAX];
        json_object *doc;
        Fixture f;

        fixture_setup(&f);
        doc = repo_load(&f.repo, "timestamp.json");
        doc_set_int(doc, "version", 5);
        doc_sign(doc, key_path(KEY_TIMESTAMP), key_id(KEY_TIMESTAMP), false);
        f.v.trusted_timestamp = save_outside(&f, "trusted-timestamp.json", doc, trusted_ts);
        json_object_put(doc);
        doc = repo_load(&f.repo, "snapshot.json");
        doc_set_int(doc, "version", 9);
        doc_sign(doc, key_path(KEY_SNAPSHOT), key_id(KEY_SNAPSHOT), false);
        f.v.trusted_snapshot = save_outside(&f, "trusted-snapshot.json", doc, trusted_snap);
        json_object_put(doc);
        verify_refused(&f.v, "timestamp.json: version 1 is older than trusted version 5 (rollback)");

        /* A new root that rotates nothing does not lift the floor. */
        doc = repo_load(&f.repo, "root.json");
        doc_set_int(doc, "version", 2);
        resign(&f, "2.root.json", doc, KEY_ROOT);
        json_object_put(doc);
        verify_refused(&f.v, "timestamp.json: version 1 is older than trusted version 5 (rollback)");

        /* Root version 3 rotates the timestamp key (to the delegation key, for want of another); the
         * repository re-signs timestamp version 1 with it. */
        doc = repo_load(&f.repo, "root.json");
        doc_set_int(doc, "version", 3);
        add_delegation_key(doc);
        root_set_role(doc, "timestamp", new_key, 1);
        resign(&f, "3.root.json", doc, KEY_ROOT);
        json_object_put(doc);
        doc = repo_load(&f.repo, "timestamp.json");
        resign(&f, "timestamp.json", doc, KEY_DELEGATION);
        json_object_put(doc);
        assert_int_equal(verify_ok(&f.v), 3);
        fixture_teardown(&f);
}

static void test_threshold_below_need(void **state) {
        const char *const two[] = { key_id(KEY_TIMESTAMP), key_id(KEY_DELEGATION), NULL };
        const char *const aliased[] = { key_id(KEY_TIMESTAMP), "aa", NULL };
        json_object *root, *doc, *timestamp_key;
        Fixture f;

        /* Timestamp needs 2 of {timestamp, delegation}; the repository has one signature, then the same
         * key's signature twice. */
        fixture_setup(&f);
        root = repo_load(&f.repo, "root.json");
        add_delegation_key(root);
        root_set_role(root, "timestamp", two, 2);
        use_trusted_root(&f, root);
        verify_refused(&f.v, "timestamp.json: signed by 1 of the 2 keys required for role timestamp");
        doc = repo_load(&f.repo, "timestamp.json");
        doc_sign(doc, key_path(KEY_TIMESTAMP), key_id(KEY_TIMESTAMP), true);
        repo_save(&f.repo, "timestamp.json", doc);
        verify_refused(&f.v, "timestamp.json: signed by 1 of the 2 keys required for role timestamp");
        /* With both keys it passes. */
        doc_sign(doc, key_path(KEY_DELEGATION), key_id(KEY_DELEGATION), true);
        repo_save(&f.repo, "timestamp.json", doc);
        assert_int_equal(verify_ok(&f.v), 3);
        json_object_put(doc);

        /* One key listed under two keyids counts once. */
        assert_true(json_object_object_get_ex(root_keys(root), key_id(KEY_TIMESTAMP), &timestamp_key));
        json_object_object_add(root_keys(root), "aa", json_object_get(timestamp_key));
        root_set_role(root, "timestamp", aliased, 2);
        use_trusted_root(&f, root);
        doc = repo_load(&f.repo, "timestamp.json");
        doc_sign(doc, key_path(KEY_TIMESTAMP), key_id(KEY_TIMESTAMP), false);
        doc_sign(doc, key_path(KEY_TIMESTAMP), "aa", true);
        repo_save(&f.repo, "timestamp.json", doc);
        verify_refused(&f.v, "timestamp.json: signed by 1 of the 2 keys required for role timestamp");
        json_object_put(doc);
        json_object_put(root);
        fixture_teardown(&f);

        /* Signatures by keyids the role does not list are ignored, not an error. */
        fixture_setup(&f);
        doc = repo_load(&f.repo, "timestamp.json");
        doc_sign(doc, key_path(KEY_DELEGATION), key_id(KEY_DELEGATION), true);
        doc_sign(doc, key_path(KEY_DELEGATION), "unknown-keyid", true);
        repo_save(&f.repo, "timestamp.json", doc);
        json_object_put(doc);
        assert_int_equal(verify_ok(&f.v), 3);
        fixture_teardown(&f);
}

static void rotate_expect(Fixture *f, json_object *root, TestKey signer, bool append_root_key,
                          const char *needle) {
        doc_sign(root, key_path(signer), key_id(signer), false);
        if (append_root_key)
                doc_sign(root, key_path(KEY_ROOT), key_id(KEY_ROOT), true);
        repo_save(&f->repo, "2.root.json", root);
        verify_refused(&f->v, needle);
}

static void test_malicious_root_rotation(void **state) {
        const char *const new_root_key[] = { key_id(KEY_DELEGATION), NULL };
        json_object *root;
        Fixture f;

        fixture_setup(&f);
        /* A root 2 that moves the root role to a key of the attacker's, signed only by that key. */
        root = repo_load(&f.repo, "root.json");
        doc_set_int(root, "version", 2);
        add_delegation_key(root);
        root_set_role(root, "root", new_root_key, 1);
        rotate_expect(&f, root, KEY_DELEGATION, false,
                      "2.root.json: signed by 0 of the 1 keys required for role root in trusted version 1");
        /* Signed by the old root key only: the new root's own keys did not accept it. */
        rotate_expect(&f, root, KEY_ROOT, false,
                      "2.root.json: signed by 0 of the 1 keys required for role root in version 2 itself");
        /* Signed by both, it rotates (and the new root key signs nothing else, so all still verifies). */
        doc_sign(root, key_path(KEY_ROOT), key_id(KEY_ROOT), false);
        doc_sign(root, key_path(KEY_DELEGATION), key_id(KEY_DELEGATION), true);
        repo_save(&f.repo, "2.root.json", root);
        assert_int_equal(verify_ok(&f.v), 3);
        json_object_put(root);

        /* 2.root.json must be version 2: not a jump to 3, not a replay of 1. */
        root = repo_load(&f.repo, "root.json");
        doc_set_int(root, "version", 3);
        rotate_expect(&f, root, KEY_ROOT, false,
                      "2.root.json: version 3, but a root rotation must go from "
                      "version 1 to exactly 2");
        doc_set_int(root, "version", 1);
        rotate_expect(&f, root, KEY_ROOT, false, "2.root.json: version 1, but");
        /* Not a root at all. */
        doc_set_int(root, "version", 2);
        doc_set_string(root, "_type", "timestamp");
        rotate_expect(&f, root, KEY_ROOT, false, "2.root.json: _type is 'timestamp', expected 'root'");
        json_object_put(root);
        fixture_teardown(&f);
}

static void replace_timestamp_key(Fixture *f, json_object *key, const char *needle) {
        json_object *root = repo_load(&f->repo, "root.json");

        json_object_object_add(root_keys(root), key_id(KEY_TIMESTAMP), key);
        use_trusted_root(f, root);
        verify_refused(&f->v, needle);
        json_object_put(root);
}

static void test_wrong_key_type(void **state) {
        const char *rsa_pem;
        json_object *root, *doc, *k, *keyval, *pem;
        Fixture f;

        fixture_setup(&f);
        root = repo_load(&f.repo, "root.json");
        assert_true(json_object_object_get_ex(root_keys(root), key_id(KEY_ROOT), &k));
        assert_true(json_object_object_get_ex(k, "keyval", &keyval));
        assert_true(json_object_object_get_ex(keyval, "public", &pem));
        rsa_pem = strdupa(json_object_get_string(pem));
        json_object_put(root);

        /* Key type and scheme that do not belong together. */
        replace_timestamp_key(&f, key_object("rsa", "ed25519", ED25519_DELEGATION_PUBLIC),
                              "keytype 'rsa' with scheme 'ed25519', which is not a supported pair");
        replace_timestamp_key(
                &f, key_object("ed25519", "rsassa-pss-sha256", ED25519_DELEGATION_PUBLIC),
                "keytype 'ed25519' with scheme 'rsassa-pss-sha256', which is not a supported pair");
        /* Key material of the wrong kind for the declared type. */
        replace_timestamp_key(&f, key_object("rsa", "rsassa-pss-sha256", ED25519_DELEGATION_PUBLIC),
                              "is not a valid rsassa-pss-sha256 public key");
        replace_timestamp_key(&f, key_object("ed25519", "ed25519", rsa_pem),
                              "is not a valid ed25519 public key");
        replace_timestamp_key(&f, key_object("ecdsa", "ecdsa-sha2-nistp256", rsa_pem),
                              "is not a valid ecdsa-sha2-nistp256 public key");
        replace_timestamp_key(&f, key_object("ed25519", "ed25519", "00"),
                              "is not a valid ed25519 public key");
        fixture_teardown(&f);

        /* An RSA signature (by the root key) filed under the ed25519 timestamp keyid. */
        fixture_setup(&f);
        doc = repo_load(&f.repo, "timestamp.json");
        doc_sign(doc, key_path(KEY_ROOT), key_id(KEY_TIMESTAMP), false);
        repo_save(&f.repo, "timestamp.json", doc);
        json_object_put(doc);
        verify_refused(&f.v, "timestamp.json: signed by 0 of the 1 keys required for role timestamp");
        fixture_teardown(&f);
}

/* A fresh EC key on curve: the private key as PEM in <dir>/<name> (path in key_file), the public key
 * returned as PEM or, with point, as the hex of the uncompressed point. */
static char *ec_key(Fixture *f, const char *curve, const char *name, bool point,
                    char key_file[static PATH_MAX]) {
        EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
        uint8_t octets[133];
        char *public = NULL;
        size_t n;
        FILE *out;
        BIO *bio;

        assert_non_null(pkey);
        assert_true(snprintf(key_file, PATH_MAX, "%s/%s", f->repo.dir, name) < PATH_MAX);
        out = fopen(key_file, "we");
        assert_non_null(out);
        assert_int_equal(PEM_write_PrivateKey(out, pkey, NULL, NULL, 0, NULL, NULL), 1);
        fclose(out);
        if (point) {
                assert_int_equal(EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, octets,
                                                                 sizeof(octets), &n),
                                 1);
                public = malloc(2 * n + 1);
                assert_non_null(public);
                hex_encode(octets, n, public);
        } else {
                char *data;
                long len;

                bio = BIO_new(BIO_s_mem());
                assert_int_equal(PEM_write_bio_PUBKEY(bio, pkey), 1);
                len = BIO_get_mem_data(bio, &data);
                public = strndup(data, (size_t) len);
                BIO_free(bio);
        }
        EVP_PKEY_free(pkey);
        return public;
}

/* ECDSA P-256 timestamp keys, as PEM and as a hex point, sign and verify; a P-384 key does not pass for one.
 */
static void test_ecdsa_keys(void **state) {
        _cleanup_free_ char *p384 = NULL;
        char key_file[PATH_MAX];
        json_object *root, *doc;
        Fixture f;

        for (int point = 0; point <= 1; point++) {
                _cleanup_free_ char *public = NULL;

                fixture_setup(&f);
                public = ec_key(&f, "P-256", "ec_key", point, key_file);
                root = repo_load(&f.repo, "root.json");
                json_object_object_add(root_keys(root), key_id(KEY_TIMESTAMP),
                                       key_object("ecdsa", "ecdsa-sha2-nistp256", public));
                use_trusted_root(&f, root);
                json_object_put(root);
                verify_refused(&f.v,
                               "timestamp.json: signed by 0 of the 1 keys required for role timestamp");
                doc = repo_load(&f.repo, "timestamp.json");
                doc_sign(doc, key_file, key_id(KEY_TIMESTAMP), false);
                repo_save(&f.repo, "timestamp.json", doc);
                json_object_put(doc);
                assert_int_equal(verify_ok(&f.v), 3);
                fixture_teardown(&f);
        }

        fixture_setup(&f);
        p384 = ec_key(&f, "P-384", "ec384_key", false, key_file);
        root = repo_load(&f.repo, "root.json");
        json_object_object_add(root_keys(root), key_id(KEY_TIMESTAMP),
                               key_object("ecdsa", "ecdsa-sha2-nistp256", p384));
        use_trusted_root(&f, root);
        json_object_put(root);
        verify_refused(&f.v, "is not a valid ecdsa-sha2-nistp256 public key");
        fixture_teardown(&f);
}

static json_object *delegated_role(const char *name, const char *path, bool terminating) {
        json_object *role = json_object_new_object(), *ids = json_object_new_array(),
                    *paths = json_object_new_array();

        json_object_array_add(ids, json_object_new_string(key_id(KEY_DELEGATION)));
        json_object_array_add(paths, json_object_new_string(path));
        json_object_object_add(role, "name", json_object_new_string(name));
        json_object_object_add(role, "keyids", ids);
        json_object_object_add(role, "threshold", json_object_new_int(1));
        json_object_object_add(role, "terminating", json_object_new_boolean(terminating));
        json_object_object_add(role, "paths", paths);
        return role;
}

/* Rewrites the delegations of file (signed by k) to the given roles, keeping its delegation keys. */
static void set_delegations(Fixture *f, const char *file, TestKey k, json_object *a, json_object *b) {
        json_object *doc = repo_load(&f->repo, file), *delegations, *roles = json_object_new_array();

        if (!json_object_object_get_ex(doc_signed(doc), "delegations", &delegations)) {
                json_object *keys = json_object_new_object();

                json_object_object_add(keys, key_id(KEY_DELEGATION),
                                       key_object("ed25519", "ed25519", ED25519_DELEGATION_PUBLIC));
                delegations = json_object_new_object();
                json_object_object_add(delegations, "keys", keys);
                json_object_object_add(doc_signed(doc), "delegations", delegations);
        }
        json_object_array_add(roles, a);
        if (b)
                json_object_array_add(roles, b);
        json_object_object_add(delegations, "roles", roles);
        resign(f, file, doc, k);
        json_object_put(doc);
}

/* Search order: pre-order, in the order delegations are listed, cut short by a terminating delegation;
 * cycles end at roles already visited. role2 is empty, role1 lists file3.txt. */
static void test_delegation_search_order(void **state) {
        Fixture f;

        fixture_setup(&f);
        /* role2 first and terminating for file3.txt: role1 is never asked. */
        set_delegations(&f, "targets.json", KEY_TARGETS, delegated_role("role2", "file3.txt", true),
                        delegated_role("role1", "file*.txt", false));
        f.v.target = "file3.txt";
        verify_refused(&f.v, "target 'file3.txt' is not listed by any trusted role");
        f.v.target = NULL;
        verify_refused(&f.v,
                       "role1.json: lists target 'file3.txt', which is outside the paths delegated to it "
                       "or shadowed by a terminating delegation");
        /* Not terminating: the search goes on to role1. */
        set_delegations(&f, "targets.json", KEY_TARGETS, delegated_role("role2", "file3.txt", false),
                        delegated_role("role1", "file*.txt", false));
        assert_int_equal(verify_ok(&f.v), 3);
        /* role2 delegates on to role1 (which delegates back to role2): found under role2, no endless loop.
         */
        set_delegations(&f, "role2.json", KEY_DELEGATION, delegated_role("role1", "*", true), NULL);
        set_delegations(&f, "role1.json", KEY_DELEGATION, delegated_role("role2", "*", false), NULL);
        set_delegations(&f, "targets.json", KEY_TARGETS, delegated_role("role2", "*", true), NULL);
        assert_int_equal(verify_ok(&f.v), 3);
        f.v.target = "file9.txt";
        verify_refused(&f.v, "target 'file9.txt' is not listed by any trusted role");
        fixture_teardown(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_arbitrary_software),   cmocka_unit_test(test_fast_forward),
                cmocka_unit_test(test_threshold_below_need), cmocka_unit_test(test_malicious_root_rotation),
                cmocka_unit_test(test_wrong_key_type),       cmocka_unit_test(test_delegation_search_order),
                cmocka_unit_test(test_ecdsa_keys),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
