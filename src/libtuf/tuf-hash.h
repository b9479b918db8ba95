/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum TufHashAlg {
        TUF_HASH_SHA256,
        TUF_HASH_SHA384,
        TUF_HASH_SHA512,
        _TUF_HASH_MAX,
} TufHashAlg;

#define TUF_HASH_MAX_SIZE 64

/* The "hashes" of a target or metadata file: each algorithm at most once. */
typedef struct TufHashes {
        bool present[_TUF_HASH_MAX];
        uint8_t digest[_TUF_HASH_MAX][TUF_HASH_MAX_SIZE];
} TufHashes;

const char *tuf_hash_alg_name(TufHashAlg alg);
size_t tuf_hash_alg_size(TufHashAlg alg);

/* Parses a "hashes" object: at least one entry, every algorithm one we can compute (an unknown one could
 * not be checked, so it is an error), every digest hex of the right length. */
int tuf_hashes_parse(const char *file, const char *what, json_object *o, TufHashes *ret, char **ret_error);

/* Whether any hash is present. */
bool tuf_hashes_any(const TufHashes *h);

/* The algorithm to name a consistent-snapshot file by: sha256 if listed, else the first listed. */
TufHashAlg tuf_hashes_preferred(const TufHashes *h);

/* Streams data through the algorithms a TufHashes lists, and sha256 always (for reports). */
typedef struct TufHasher {
        EVP_MD_CTX *ctx[_TUF_HASH_MAX];
        uint64_t size;
} TufHasher;

int tuf_hasher_init(TufHasher *h, const TufHashes *want);
int tuf_hasher_update(TufHasher *h, const void *data, size_t size);
/* Finishes and compares with want. Returns 0 on a match, or -EBADMSG and the first algorithm that differs
 * in *ret_mismatch. ret_sha256 (may be NULL) receives the sha256 of the data. */
int tuf_hasher_check(TufHasher *h, const TufHashes *want, TufHashAlg *ret_mismatch, uint8_t ret_sha256[32]);
void tuf_hasher_done(TufHasher *h);
