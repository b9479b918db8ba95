/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/stat.h>

#include "fileio.h"
#include "hexutil.h"
#include "repo-key.h"
#include "tuf-json.h"
#include "tuf-key.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_PKEY *, EVP_PKEY_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(BIO *, BIO_free);

/* A private key file holds nothing larger than an RSA-8192 key in PEM. */
#define KEY_FILE_MAX (16 * 1024)

int repo_key_type_from_string(const char *s, RepoKeyType *ret) {
        if (streq(s, "ed25519"))
                *ret = REPO_KEY_ED25519;
        else if (streq(s, "ecdsa"))
                *ret = REPO_KEY_ECDSA;
        else if (streq(s, "rsa"))
                *ret = REPO_KEY_RSA;
        else
                return -EINVAL;
        return 0;
}

RepoKey *repo_key_free(RepoKey *k) {
        if (!k)
                return NULL;
        free(k->path);
        EVP_PKEY_free(k->pkey);
        json_object_put(k->public);
        free(k);
        return NULL;
}

static int pem_public(EVP_PKEY *pkey, char **ret) {
        _cleanup_(BIO_freep) BIO *bio = BIO_new(BIO_s_mem());
        char *data;
        long n;

        if (!bio || PEM_write_bio_PUBKEY(bio, pkey) != 1)
                return -ENOMEM;
        n = BIO_get_mem_data(bio, &data);
        *ret = n > 0 ? strndup(data, (size_t) n) : NULL;
        return *ret ? 0 : -ENOMEM;
}

/* The public half as TUF writes it: ed25519 as the hex of the raw key, the others as SubjectPublicKeyInfo
 * PEM, which is what python-tuf and go-tuf write today and what libtuf reads. */
static int public_object(EVP_PKEY *pkey, json_object **ret) {
        _cleanup_(json_object_putp) json_object *o = NULL, *keyval = NULL;
        _cleanup_free_ char *value = NULL;
        const char *keytype, *scheme;
        int r;

        if (EVP_PKEY_is_a(pkey, "ED25519")) {
                uint8_t raw[32];
                size_t n = sizeof(raw);

                if (EVP_PKEY_get_raw_public_key(pkey, raw, &n) != 1 || n != sizeof(raw))
                        return -EBADMSG;
                value = malloc(2 * n + 1);
                if (!value)
                        return -ENOMEM;
                hex_encode(raw, n, value);
                keytype = scheme = "ed25519";
        } else if (EVP_PKEY_is_a(pkey, "EC")) {
                keytype = "ecdsa";
                scheme = "ecdsa-sha2-nistp256";
        } else if (EVP_PKEY_is_a(pkey, "RSA")) {
                if (EVP_PKEY_get_bits(pkey) < TUF_RSA_MIN_BITS)
                        return -EBADMSG;
                keytype = "rsa";
                scheme = "rsassa-pss-sha256";
        } else
                return -EBADMSG;
        if (!value && (r = pem_public(pkey, &value)) < 0)
                return r;
        o = json_object_new_object();
        keyval = json_object_new_object();
        if (!o || !keyval || json_object_object_add(keyval, "public", json_object_new_string(value)) < 0 ||
            json_object_object_add(o, "keytype", json_object_new_string(keytype)) < 0 ||
            json_object_object_add(o, "scheme", json_object_new_string(scheme)) < 0 ||
            json_object_object_add(o, "keyval", TAKE_PTR(keyval)) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

/* Wraps pkey (taking it) into a RepoKey and parses the public object back with libtuf, so that a key the
 * clients would refuse (an EC key on another curve, a short RSA key) is refused here, at signing time. */
static int key_new(EVP_PKEY *pkey, const char *path, RepoKey **ret) {
        _cleanup_(repo_key_freep) RepoKey *k = calloc(1, sizeof(RepoKey));
        TufKey check;
        int r;

        if (!k) {
                EVP_PKEY_free(pkey);
                return -ENOMEM;
        }
        k->pkey = pkey;
        k->path = strdup(path);
        if (!k->path)
                return -ENOMEM;
        r = public_object(pkey, &k->public);
        if (r < 0)
                return r;
        r = tuf_keyid_compute(k->public, k->keyid);
        if (r < 0)
                return r;
        r = tuf_key_parse(path, k->keyid, k->public, &check, NULL);
        if (r < 0)
                return r == -ENOMEM ? r : -EBADMSG;
        tuf_key_done(&check);
        *ret = TAKE_PTR(k);
        return 0;
}

static EVP_PKEY *generate(RepoKeyType type) {
        switch (type) {
        case REPO_KEY_ED25519:
                return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        case REPO_KEY_ECDSA:
                return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        case REPO_KEY_RSA:
                return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) REPO_RSA_BITS);
        }
        return NULL;
}

int repo_key_generate(RepoKeyType type, const char *path, RepoKey **ret) {
        _cleanup_(BIO_freep) BIO *bio = NULL;
        _cleanup_(repo_key_freep) RepoKey *k = NULL;
        EVP_PKEY *pkey;
        BUF_MEM *mem;
        int r;

        if (access(path, F_OK) == 0)
                return -EEXIST;
        pkey = generate(type);
        if (!pkey) {
                ERR_clear_error();
                return -EIO;
        }
        r = key_new(pkey, path, &k);
        if (r < 0)
                return r;
        bio = BIO_new(BIO_s_mem());
        /* OpenSSL 3 writes PKCS#8 ("BEGIN PRIVATE KEY") for every key type through this call. */
        if (!bio || PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL) != 1)
                return -ENOMEM;
        BIO_get_mem_ptr(bio, &mem);
        r = write_file_atomic(path, mem->data, mem->length, 0600);
        explicit_wipe(mem->data, mem->length);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(k);
        return 0;
}

static int no_passphrase(char *buf, int size, int rwflag, void *userdata) {
        /* An encrypted key would make OpenSSL prompt on the terminal; a signing tool run from make must not.
         */
        return -1;
}

int repo_key_load(const char *path, RepoKey **ret) {
        _cleanup_(BIO_freep) BIO *bio = NULL;
        _cleanup_free_ char *pem = NULL;
        EVP_PKEY *pkey;
        struct stat st;
        size_t size;
        int r;

        if (stat(path, &st) < 0)
                return negative_errno();
        if (st.st_mode & 077)
                return -EPERM;
        r = read_full_file(path, KEY_FILE_MAX, &pem, &size);
        if (r < 0)
                return r;
        bio = BIO_new_mem_buf(pem, (int) size);
        if (!bio)
                r = -ENOMEM;
        pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;
        ERR_clear_error();
        explicit_wipe(pem, size);
        if (!pkey)
                return r < 0 ? r : -EBADMSG;
        return key_new(pkey, path, ret);
}

int repo_key_sign(const RepoKey *k, const void *data, size_t size, char **ret) {
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        _cleanup_free_ uint8_t *sig = NULL;
        bool ed25519 = EVP_PKEY_is_a(k->pkey, "ED25519");
        EVP_PKEY_CTX *pctx = NULL;
        size_t n = 0;
        char *hex;

        if (!ctx)
                return -ENOMEM;
        /* Ed25519 hashes internally; ECDSA signs SHA-256 with a DER signature; RSA is PSS with MGF1-SHA256
         * and a salt as long as the digest, as securesystemslib signs. */
        if (EVP_DigestSignInit(ctx, &pctx, ed25519 ? NULL : EVP_sha256(), NULL, k->pkey) != 1)
                goto fail;
        if (EVP_PKEY_is_a(k->pkey, "RSA") &&
            (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
                goto fail;
        if (EVP_DigestSign(ctx, NULL, &n, data, size) != 1)
                goto fail;
        sig = malloc(n);
        if (!sig)
                return -ENOMEM;
        if (EVP_DigestSign(ctx, sig, &n, data, size) != 1)
                goto fail;
        hex = malloc(2 * n + 1);
        if (!hex)
                return -ENOMEM;
        hex_encode(sig, n, hex);
        *ret = hex;
        return 0;
fail:
        ERR_clear_error();
        return -EIO;
}
