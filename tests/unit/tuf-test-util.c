/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <dirent.h>
#include <ftw.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "hexutil.h"
#include "macro.h"
#include "tuf-canonical.h"
#include "tuf-test-util.h"

const char *tuf_testdata(const char *rel) {
        static char path[PATH_MAX];
        const char *base = getenv("BULKHEAD_TESTDATA");

        assert_non_null(base);
        assert_true(snprintf_ok(path, "%s/tuf/%s", base, rel));
        return path;
}

void copy_file(const char *from, const char *to) {
        _cleanup_free_ char *data = NULL;
        size_t size;

        assert_int_equal(read_full_file(from, 64 * 1024 * 1024, &data, &size), 0);
        assert_int_equal(write_file_atomic(to, data, size, 0644), 0);
}

static void copy_dir(const char *from, const char *to) {
        DIR *d = opendir(from);
        struct dirent *de;

        assert_non_null(d);
        assert_int_equal(mkdir(to, 0755), 0);
        while ((de = readdir(d))) {
                char src[PATH_MAX], dst[PATH_MAX];

                if (de->d_type != DT_REG)
                        continue;
                assert_true(snprintf_ok(src, "%s/%s", from, de->d_name));
                assert_true(snprintf_ok(dst, "%s/%s", to, de->d_name));
                copy_file(src, dst);
        }
        closedir(d);
}

static void repo_init(TestRepo *r) {
        char dir[] = "/tmp/test-tuf-XXXXXX";

        assert_non_null(mkdtemp(dir));
        assert_true(snprintf_ok(r->dir, "%s", dir));
        assert_true(snprintf_ok(r->metadata, "%s/metadata", dir));
        assert_true(snprintf_ok(r->targets, "%s/targets", dir));
}

void repo_copy(TestRepo *r, const char *fixture) {
        char from[PATH_MAX];

        repo_init(r);
        assert_true(snprintf_ok(from, "%s/metadata", fixture));
        copy_dir(from, r->metadata);
        assert_true(snprintf_ok(from, "%s/targets", fixture));
        copy_dir(from, r->targets);
}

void repo_empty(TestRepo *r) {
        repo_init(r);
        assert_int_equal(mkdir(r->metadata, 0755), 0);
        assert_int_equal(mkdir(r->targets, 0755), 0);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        return remove(path);
}

void repo_remove(TestRepo *r) {
        assert_int_equal(nftw(r->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

const char *repo_path(const TestRepo *r, const char *file) {
        static char path[PATH_MAX];

        assert_true(snprintf_ok(path, "%s/%s", r->metadata, file));
        return path;
}

json_object *repo_load(const TestRepo *r, const char *file) {
        json_object *doc = json_object_from_file(repo_path(r, file));

        assert_non_null(doc);
        return doc;
}

void repo_save(const TestRepo *r, const char *file, const json_object *doc) {
        assert_int_equal(json_object_to_file_ext(repo_path(r, file), (json_object *) doc,
                                                 JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE),
                         0);
}

json_object *doc_signed(json_object *doc) {
        json_object *s;

        assert_true(json_object_object_get_ex(doc, "signed", &s));
        return s;
}

void doc_set_int(json_object *doc, const char *key, int64_t v) {
        assert_int_equal(json_object_object_add(doc_signed(doc), key, json_object_new_int64(v)), 0);
}

void doc_set_string(json_object *doc, const char *key, const char *v) {
        assert_int_equal(json_object_object_add(doc_signed(doc), key, json_object_new_string(v)), 0);
}

static char *sign_hex(EVP_PKEY *pkey, const char *data, size_t size) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = NULL;
        bool ed25519 = EVP_PKEY_is_a(pkey, "ED25519");
        uint8_t *sig;
        size_t n = 0;
        char *hex;

        assert_non_null(ctx);
        assert_int_equal(EVP_DigestSignInit(ctx, &pctx, ed25519 ? NULL : EVP_sha256(), NULL, pkey), 1);
        if (EVP_PKEY_is_a(pkey, "RSA")) {
                assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
                assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 1);
                assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()), 1);
        }
        assert_int_equal(EVP_DigestSign(ctx, NULL, &n, (const uint8_t *) data, size), 1);
        sig = malloc(n);
        assert_non_null(sig);
        assert_int_equal(EVP_DigestSign(ctx, sig, &n, (const uint8_t *) data, size), 1);
        hex = malloc(2 * n + 1);
        assert_non_null(hex);
        hex_encode(sig, n, hex);
        free(sig);
        EVP_MD_CTX_free(ctx);
        return hex;
}

void doc_sign(json_object *doc, const char *key_path, const char *keyid, bool append) {
        _cleanup_free_ char *canonical = NULL, *hex = NULL;
        FILE *f = fopen(key_path, "re");
        json_object *sigs, *sig;
        EVP_PKEY *pkey;
        size_t size;

        assert_non_null(f);
        pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        assert_non_null(pkey);
        assert_int_equal(tuf_canonical_json(doc_signed(doc), &canonical, &size), 0);
        hex = sign_hex(pkey, canonical, size);
        EVP_PKEY_free(pkey);
        if (!append || !json_object_object_get_ex(doc, "signatures", &sigs)) {
                sigs = json_object_new_array();
                json_object_object_add(doc, "signatures", sigs);
        }
        sig = json_object_new_object();
        json_object_object_add(sig, "keyid", json_object_new_string(keyid));
        json_object_object_add(sig, "sig", json_object_new_string(hex));
        json_object_array_add(sigs, sig);
}

static void set_hash(json_object *hashes, const char *alg, const EVP_MD *md, const char *data, size_t size) {
        uint8_t digest[EVP_MAX_MD_SIZE];
        char hex[2 * EVP_MAX_MD_SIZE + 1];
        unsigned n;

        if (!json_object_object_get_ex(hashes, alg, NULL))
                return;
        assert_int_equal(EVP_Digest(data, size, digest, &n, md, NULL), 1);
        hex_encode(digest, n, hex);
        json_object_object_add(hashes, alg, json_object_new_string(hex));
}

void doc_set_meta(json_object *doc, const char *name, int64_t version, const TestRepo *r, const char *file) {
        _cleanup_free_ char *data = NULL;
        json_object *meta, *entry, *hashes;
        size_t size;

        assert_true(json_object_object_get_ex(doc_signed(doc), "meta", &meta));
        if (!json_object_object_get_ex(meta, name, &entry)) {
                entry = json_object_new_object();
                json_object_object_add(meta, name, entry);
        }
        json_object_object_add(entry, "version", json_object_new_int64(version));
        if (!r)
                return;
        assert_int_equal(read_full_file(repo_path(r, file), 64 * 1024 * 1024, &data, &size), 0);
        if (json_object_object_get_ex(entry, "length", NULL))
                json_object_object_add(entry, "length", json_object_new_int64((int64_t) size));
        if (json_object_object_get_ex(entry, "hashes", &hashes)) {
                set_hash(hashes, "sha256", EVP_sha256(), data, size);
                set_hash(hashes, "sha512", EVP_sha512(), data, size);
        }
}

static int load_trusted(TufClient *c, TufRoleType type, const char *path, char **ret_error) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        if (!path)
                return 0;
        r = read_full_file(path, 1024 * 1024, &data, &size);
        if (r < 0)
                return r;
        return tuf_client_set_trusted(c, type, data, size, ret_error);
}

static int make_fetcher(const Verify *v, TufFetcher **ret, char **ret_error) {
        char metadata[PATH_MAX + 8], targets[PATH_MAX + 8];

        if (!v->curl)
                return tuf_fetcher_dir_new(v->metadata, v->targets, ret, ret_error);
        assert_true(snprintf_ok(metadata, "file://%s", v->metadata));
        assert_true(snprintf_ok(targets, "file://%s", v->targets));
        return tuf_fetcher_curl_new(metadata, targets, ret, ret_error);
}

static int fetch_targets(TufClient *c, Verify *v, char **ret_error) {
        _cleanup_free_ const TufTarget **all = NULL;
        const TufTarget *one;
        size_t n;
        int r;

        if (v->target) {
                r = tuf_client_find_target(c, v->target, &one, NULL, ret_error);
                all = calloc(1, sizeof(TufTarget *));
                assert_non_null(all);
                all[0] = one;
                n = 1;
        } else
                r = tuf_client_list_targets(c, &all, &n, ret_error);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = tuf_client_fetch_target(c, all[i], NULL, NULL, NULL, ret_error);
                if (r >= 0)
                        v->n_verified++;
        }
        return r;
}

int verify_run(Verify *v, char **ret_error) {
        _cleanup_free_ char *root = NULL;
        TufClient *c = NULL;
        TufFetcher *f = NULL;
        TufTime now;
        size_t size;
        int r;

        v->n_verified = 0;
        assert_int_equal(tuf_time_parse(v->now ?: "2025-01-01T00:00:00Z", &now), 0);
        assert_int_equal(read_full_file(v->root, 1024 * 1024, &root, &size), 0);
        r = make_fetcher(v, &f, ret_error);
        if (r >= 0)
                r = tuf_client_new(root, size, f, NULL, &c, ret_error);
        if (r >= 0) {
                tuf_client_set_now(c, now);
                r = load_trusted(c, TUF_ROLE_TIMESTAMP, v->trusted_timestamp, ret_error);
        }
        if (r >= 0)
                r = load_trusted(c, TUF_ROLE_SNAPSHOT, v->trusted_snapshot, ret_error);
        if (r >= 0)
                r = tuf_client_refresh(c, ret_error);
        if (r >= 0)
                r = fetch_targets(c, v, ret_error);
        tuf_client_free(c);
        tuf_fetcher_free(f);
        return r;
}

void verify_refused(Verify *v, const char *needle) {
        _cleanup_free_ char *why = NULL;
        int r = verify_run(v, &why);

        print_message("refused (%d): %s\n", r, why ?: "(no message)");
        assert_true(r < 0);
        assert_non_null(why);
        if (!strstr(why, needle))
                fail_msg("expected a refusal mentioning '%s', got '%s'", needle, why);
}

size_t verify_ok(Verify *v) {
        _cleanup_free_ char *why = NULL;
        int r = verify_run(v, &why);

        if (r < 0)
                fail_msg("refused (%d): %s", r, why ?: "(no message)");
        return v->n_verified;
}

static const struct {
        const char *file, *keyid;
} keys[] = {
        [KEY_ROOT] = { "root_key", "4e777de0d275f9d28588dd9a1606cc748e548f9e22b6795b7cb3f63f98035fcb" },
        [KEY_TIMESTAMP] = { "timestamp_key",
                            "8a1c4a3ac2d515dec982ba9910c5fd79b91ae57f625b9cff25d06bf0a61c1758" },
        [KEY_SNAPSHOT] = { "snapshot_key",
                           "59a4df8af818e9ed7abe0764c0b47b4240952aa0d179b5b78346c470ac30278d" },
        [KEY_TARGETS] = { "targets_key",
                          "65171251a9aff5a8b3143a813481cb07f6e0de4eb197c767837fe4491b739093" },
        [KEY_DELEGATION] = { "delegation_key",
                             "c8022fa1e9b9cb239a6b362bbdffa9649e61ad2cb699d2e4bc4fdf7930a0e64a" },
};

const char *key_path(TestKey k) {
        static char path[PATH_MAX];
        char rel[64];

        assert_true(snprintf_ok(rel, "python-tuf-repository_data/keystore/%s", keys[k].file));
        assert_true(snprintf_ok(path, "%s", tuf_testdata(rel)));
        return path;
}

const char *key_id(TestKey k) {
        return keys[k].keyid;
}

void fixture_setup(Fixture *f) {
        *f = (Fixture){};
        repo_copy(&f->repo, tuf_testdata("python-tuf-repository_data/repository"));
        assert_true(snprintf_ok(f->root, "%s/root.json", f->repo.metadata));
        f->v = (Verify){ .root = f->root, .metadata = f->repo.metadata, .targets = f->repo.targets };
}

void fixture_teardown(Fixture *f) {
        repo_remove(&f->repo);
}

void resign(Fixture *f, const char *file, json_object *doc, TestKey k) {
        json_object *timestamp, *version;

        doc_sign(doc, key_path(k), key_id(k), false);
        repo_save(&f->repo, file, doc);
        if (!streq(file, "snapshot.json"))
                return;
        assert_true(json_object_object_get_ex(doc_signed(doc), "version", &version));
        timestamp = repo_load(&f->repo, "timestamp.json");
        doc_set_meta(timestamp, "snapshot.json", json_object_get_int64(version), &f->repo, "snapshot.json");
        doc_sign(timestamp, key_path(KEY_TIMESTAMP), key_id(KEY_TIMESTAMP), false);
        repo_save(&f->repo, "timestamp.json", timestamp);
        json_object_put(timestamp);
}

const char *save_outside(Fixture *f, const char *name, json_object *doc, char buf[static PATH_MAX]) {
        int n = snprintf(buf, PATH_MAX, "%s/%s", f->repo.dir, name);

        assert_true(n > 0 && n < PATH_MAX);
        assert_int_equal(json_object_to_file_ext(buf, doc, JSON_C_TO_STRING_PRETTY), 0);
        return buf;
}

json_object *key_object(const char *keytype, const char *scheme, const char *public) {
        json_object *key = json_object_new_object(), *keyval = json_object_new_object();

        json_object_object_add(keyval, "public", json_object_new_string(public));
        json_object_object_add(key, "keytype", json_object_new_string(keytype));
        json_object_object_add(key, "scheme", json_object_new_string(scheme));
        json_object_object_add(key, "keyval", keyval);
        return key;
}

json_object *root_keys(json_object *root) {
        json_object *ring;

        assert_true(json_object_object_get_ex(doc_signed(root), "keys", &ring));
        return ring;
}

/* Sets the keyids and threshold of a top-level role in root. */
void root_set_role(json_object *root, const char *role, const char *const *keyids, int threshold) {
        json_object *roles, *r = json_object_new_object(), *ids = json_object_new_array();

        for (size_t i = 0; keyids[i]; i++)
                json_object_array_add(ids, json_object_new_string(keyids[i]));
        json_object_object_add(r, "keyids", ids);
        json_object_object_add(r, "threshold", json_object_new_int(threshold));
        assert_true(json_object_object_get_ex(doc_signed(root), "roles", &roles));
        json_object_object_add(roles, role, r);
}

void add_delegation_key(json_object *root) {
        json_object_object_add(root_keys(root), key_id(KEY_DELEGATION),
                               key_object("ed25519", "ed25519", ED25519_DELEGATION_PUBLIC));
}
