/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <openssl/evp.h>

#include "macro.h"

/* A signing key of one role: the private key, its TUF public key object and the keyid clients know it by. */
typedef struct RepoKey {
        char *path; /* where it was read from or written to, for messages */
        EVP_PKEY *pkey;
        json_object *public; /* {"keytype", "scheme", "keyval": {"public"}} */
        char keyid[65];      /* hex sha256 of the canonical public object */
} RepoKey;

typedef enum RepoKeyType {
        REPO_KEY_ED25519,
        REPO_KEY_ECDSA,
        REPO_KEY_RSA,
} RepoKeyType;

#define REPO_RSA_BITS 3072

/* "ed25519", "ecdsa", "rsa" → type. Returns 0 or -EINVAL. */
int repo_key_type_from_string(const char *s, RepoKeyType *ret);

/* Makes a new key of type and writes it to path as PKCS#8 PEM, mode 0600. An existing file is never
 * replaced: a key that clients trust must not disappear by a slip of the command line (-EEXIST). */
int repo_key_generate(RepoKeyType type, const char *path, RepoKey **ret);

/* Reads a PEM private key. The file must not be readable by group or others (-EPERM) and must hold an
 * unencrypted key of a type TUF clients can check (-EBADMSG). */
int repo_key_load(const char *path, RepoKey **ret);

RepoKey *repo_key_free(RepoKey *k);
DEFINE_TRIVIAL_CLEANUP_FUNC(RepoKey *, repo_key_free);

/* Signs data with k in k's TUF scheme; *ret is the hex signature (free() it). Returns 0, -EIO or -ENOMEM. */
int repo_key_sign(const RepoKey *k, const void *data, size_t size, char **ret);
