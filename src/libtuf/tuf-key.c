/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

#include "hexutil.h"
#include "macro.h"
#include "tuf-canonical.h"
#include "tuf-error.h"
#include "tuf-json.h"
#include "tuf-key.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_PKEY *, EVP_PKEY_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_PKEY_CTX *, EVP_PKEY_CTX_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(BIO *, BIO_free);

#define PEM_PUBLIC_KEY "-----BEGIN PUBLIC KEY-----"

static const struct {
        const char *keytype, *scheme;
        TufScheme id;
} schemes[] = {
        { "ed25519", "ed25519", TUF_SCHEME_ED25519 },
        { "ecdsa", "ecdsa-sha2-nistp256", TUF_SCHEME_ECDSA_P256 },
        { "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", TUF_SCHEME_ECDSA_P256 },
        { "rsa", "rsassa-pss-sha256", TUF_SCHEME_RSA_PSS_SHA256 },
};

static EVP_PKEY *pem_public_key(const char *pem) {
        _cleanup_(BIO_freep) BIO *bio = NULL;
        EVP_PKEY *pkey;

        /* Only SubjectPublicKeyInfo: PEM_read_bio_PUBKEY would not read anything else, but say so. */
        if (!strneq(pem, PEM_PUBLIC_KEY, strlen(PEM_PUBLIC_KEY)))
                return NULL;
        bio = BIO_new_mem_buf(pem, -1);
        if (!bio)
                return NULL;
        pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
        ERR_clear_error();
        return pkey;
}

static EVP_PKEY *ed25519_public_key(const char *hex) {
        uint8_t raw[32];
        size_t n;

        if (hex_decode(hex, raw, sizeof(raw), &n) < 0 || n != sizeof(raw))
                return NULL;
        return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, n);
}

/* Older tools (go-tuf before v2) wrote ECDSA keys as the hex of the uncompressed point. */
static EVP_PKEY *p256_point_public_key(const char *hex) {
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        uint8_t point[65];
        EVP_PKEY *pkey = NULL;
        OSSL_PARAM params[3];
        size_t n;

        if (hex_decode(hex, point, sizeof(point), &n) < 0 || n != sizeof(point) || point[0] != 0x04)
                return NULL;
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *) "prime256v1", 0);
        params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, n);
        params[2] = OSSL_PARAM_construct_end();
        ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
            EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
                pkey = NULL;
        ERR_clear_error();
        return pkey;
}

static bool is_p256(EVP_PKEY *pkey) {
        char group[64];

        return EVP_PKEY_is_a(pkey, "EC") &&
               EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                              NULL) &&
               streq(group, "prime256v1");
}

/* Decodes the public key and checks that it is of the kind the scheme needs. */
static EVP_PKEY *public_key(TufScheme scheme, const char *value) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *pkey = NULL;

        switch (scheme) {
        case TUF_SCHEME_ED25519:
                pkey = ed25519_public_key(value);
                break;
        case TUF_SCHEME_ECDSA_P256:
                pkey = strneq(value, "-----", 5) ? pem_public_key(value) : p256_point_public_key(value);
                if (pkey && !is_p256(pkey))
                        return NULL;
                break;
        case TUF_SCHEME_RSA_PSS_SHA256:
                pkey = pem_public_key(value);
                if (pkey && (!EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_get_bits(pkey) < TUF_RSA_MIN_BITS))
                        return NULL;
                break;
        }
        return TAKE_PTR(pkey);
}

int tuf_key_parse(const char *file, const char *keyid, json_object *o, TufKey *ret, char **ret_error) {
        const char *keytype, *scheme, *value;
        json_object *keyval = NULL;
        EVP_PKEY *pkey;
        size_t i;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return tuf_error(ret_error, -EBADMSG, "%s: key '%s' is not an object", file, keyid);
        if ((r = tuf_json_string(file, o, "keytype", &keytype, ret_error)) < 0 ||
            (r = tuf_json_string(file, o, "scheme", &scheme, ret_error)) < 0 ||
            (r = tuf_json_member(file, o, "keyval", json_type_object, true, &keyval, ret_error)) < 0 ||
            (r = tuf_json_string(file, keyval, "public", &value, ret_error)) < 0)
                return r;
        for (i = 0; i < ELEMENTSOF(schemes); i++)
                if (streq(schemes[i].keytype, keytype) && streq(schemes[i].scheme, scheme))
                        break;
        if (i >= ELEMENTSOF(schemes))
                return tuf_error(ret_error, -EBADMSG,
                                 "%s: key '%s' has keytype '%s' with scheme '%s', "
                                 "which is not a supported pair",
                                 file, keyid, keytype, scheme);
        pkey = public_key(schemes[i].id, value);
        if (!pkey)
                return tuf_error(ret_error, -EBADMSG, "%s: key '%s' is not a valid %s public key", file,
                                 keyid, scheme);
        *ret = (TufKey){ .keyid = strdup(keyid), .scheme = schemes[i].id, .pkey = pkey };
        if (!ret->keyid) {
                tuf_key_done(ret);
                return -ENOMEM;
        }
        return 0;
}

void tuf_key_done(TufKey *k) {
        free(k->keyid);
        EVP_PKEY_free(k->pkey);
        *k = (TufKey){};
}

int tuf_key_verify(const TufKey *k, const void *msg, size_t size, const uint8_t *sig, size_t sig_size) {
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = NULL;
        int r;

        if (!ctx)
                return -ENOMEM;
        /* Ed25519 hashes internally (no digest); the other two sign SHA-256. */
        if (EVP_DigestVerifyInit(ctx, &pctx, k->scheme == TUF_SCHEME_ED25519 ? NULL : EVP_sha256(), NULL,
                                 k->pkey) <= 0)
                goto fail;
        if (k->scheme == TUF_SCHEME_RSA_PSS_SHA256 &&
            (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) <= 0 ||
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) <= 0))
                goto fail;
        r = EVP_DigestVerify(ctx, sig, sig_size, msg, size);
        ERR_clear_error();
        return r == 1;
fail:
        ERR_clear_error();
        return 0;
}

bool tuf_key_same(const TufKey *a, const TufKey *b) {
        return EVP_PKEY_eq(a->pkey, b->pkey) == 1;
}

int tuf_keyid_compute(json_object *key, char ret[static 65]) {
        _cleanup_free_ char *canonical = NULL;
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned digest_size;
        size_t size;
        int r;

        r = tuf_canonical_json(key, &canonical, &size);
        if (r < 0)
                return r;
        if (EVP_Digest(canonical, size, digest, &digest_size, EVP_sha256(), NULL) != 1)
                return -ENOMEM;
        hex_encode(digest, digest_size, ret);
        return 0;
}
