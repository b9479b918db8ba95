/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The signature schemes a key may use, each bound to one key type: ed25519 (keytype "ed25519"),
 * ecdsa-sha2-nistp256 (keytype "ecdsa" or "ecdsa-sha2-nistp256", P-256 only, DER signatures) and
 * rsassa-pss-sha256 (keytype "rsa", at least 2048 bits, MGF1-SHA256, any salt length). */
typedef enum TufScheme {
        TUF_SCHEME_ED25519,
        TUF_SCHEME_ECDSA_P256,
        TUF_SCHEME_RSA_PSS_SHA256,
} TufScheme;

/* Largest signature we accept: RSA-8192. */
#define TUF_SIGNATURE_MAX 1024
#define TUF_RSA_MIN_BITS  2048

typedef struct TufKey {
        char *keyid; /* as the delegating metadata lists it: keyids are trusted, not recomputed */
        TufScheme scheme;
        EVP_PKEY *pkey;
} TufKey;

/* Parses a TUF key object ({"keytype", "scheme", "keyval": {"public"}}) into ret. A key type we do not
 * know, a scheme that does not belong to the key type, or a public key that does not decode is an error:
 * a root naming a key its clients cannot check is refused rather than silently weakened.
 * Returns 0, -EBADMSG (message in *ret_error) or -ENOMEM. */
int tuf_key_parse(const char *file, const char *keyid, json_object *o, TufKey *ret, char **ret_error);

/* Releases what tuf_key_parse() allocated; k itself is not freed. */
void tuf_key_done(TufKey *k);

/* Checks sig over msg with k's scheme. Returns 1 if it verifies, 0 if not, -ENOMEM. */
int tuf_key_verify(const TufKey *k, const void *msg, size_t size, const uint8_t *sig, size_t sig_size);

/* Whether a and b hold the same public key, whatever keyids they are listed under. */
bool tuf_key_same(const TufKey *a, const TufKey *b);

/* The keyid a TUF key object should have: hex sha256 of its canonical JSON. Returns 0, -EDOM, -ENOMEM. */
int tuf_keyid_compute(json_object *key, char ret[static 65]);
