/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "hexutil.h"
#include "macro.h"
#include "tuf-error.h"
#include "tuf-hash.h"
#include "tuf-json.h"

static const struct {
        const char *name;
        size_t size;
} algs[_TUF_HASH_MAX] = {
        [TUF_HASH_SHA256] = { "sha256", 32 },
        [TUF_HASH_SHA384] = { "sha384", 48 },
        [TUF_HASH_SHA512] = { "sha512", 64 },
};

const char *tuf_hash_alg_name(TufHashAlg alg) {
        return algs[alg].name;
}

size_t tuf_hash_alg_size(TufHashAlg alg) {
        return algs[alg].size;
}

static const EVP_MD *alg_md(TufHashAlg alg) {
        switch (alg) {
        case TUF_HASH_SHA384:
                return EVP_sha384();
        case TUF_HASH_SHA512:
                return EVP_sha512();
        default:
                return EVP_sha256();
        }
}

int tuf_hashes_parse(const char *file, const char *what, json_object *o, TufHashes *ret, char **ret_error) {
        TufHashes h = {};

        if (!json_object_is_type(o, json_type_object) || json_object_object_length(o) == 0)
                return tuf_error(ret_error, -EBADMSG, "%s: hashes of '%s' must be a non-empty object", file,
                                 what);
        json_object_object_foreach(o, name, value) {
                const char *hex;
                size_t n;
                int a, r;

                for (a = 0; a < _TUF_HASH_MAX; a++)
                        if (streq(name, algs[a].name))
                                break;
                if (a == _TUF_HASH_MAX)
                        return tuf_error(ret_error, -EBADMSG,
                                         "%s: hash algorithm '%s' of '%s' is not supported", file, name,
                                         what);
                r = tuf_json_string_value(file, value, "hash", &hex, ret_error);
                if (r < 0)
                        return r;
                if (hex_decode(hex, h.digest[a], sizeof(h.digest[a]), &n) < 0 || n != algs[a].size)
                        return tuf_error(ret_error, -EBADMSG, "%s: %s hash of '%s' is not %zu hex bytes",
                                         file, name, what, algs[a].size);
                h.present[a] = true;
        }
        *ret = h;
        return 0;
}

bool tuf_hashes_any(const TufHashes *h) {
        for (int a = 0; a < _TUF_HASH_MAX; a++)
                if (h->present[a])
                        return true;
        return false;
}

TufHashAlg tuf_hashes_preferred(const TufHashes *h) {
        for (int a = 0; a < _TUF_HASH_MAX; a++)
                if (h->present[a])
                        return (TufHashAlg) a;
        return TUF_HASH_SHA256;
}

int tuf_hasher_init(TufHasher *h, const TufHashes *want) {
        *h = (TufHasher){};
        for (int a = 0; a < _TUF_HASH_MAX; a++) {
                if (a != TUF_HASH_SHA256 && !(want && want->present[a]))
                        continue;
                h->ctx[a] = EVP_MD_CTX_new();
                if (!h->ctx[a] || EVP_DigestInit_ex(h->ctx[a], alg_md((TufHashAlg) a), NULL) != 1) {
                        tuf_hasher_done(h);
                        return -ENOMEM;
                }
        }
        return 0;
}

int tuf_hasher_update(TufHasher *h, const void *data, size_t size) {
        for (int a = 0; a < _TUF_HASH_MAX; a++)
                if (h->ctx[a] && EVP_DigestUpdate(h->ctx[a], data, size) != 1)
                        return -EIO;
        h->size += size;
        return 0;
}

int tuf_hasher_check(TufHasher *h, const TufHashes *want, TufHashAlg *ret_mismatch, uint8_t ret_sha256[32]) {
        uint8_t digest[_TUF_HASH_MAX][EVP_MAX_MD_SIZE];
        int r = 0;

        for (int a = 0; a < _TUF_HASH_MAX; a++)
                if (h->ctx[a] && EVP_DigestFinal_ex(h->ctx[a], digest[a], NULL) != 1)
                        return -EIO;
        for (int a = 0; want && a < _TUF_HASH_MAX && r == 0; a++)
                if (want->present[a] && !h->ctx[a])
                        r = -EINVAL;
                else if (want->present[a] && memcmp(digest[a], want->digest[a], algs[a].size) != 0) {
                        if (ret_mismatch)
                                *ret_mismatch = (TufHashAlg) a;
                        r = -EBADMSG;
                }
        if (ret_sha256)
                memcpy(ret_sha256, digest[TUF_HASH_SHA256], 32);
        return r;
}

void tuf_hasher_done(TufHasher *h) {
        for (int a = 0; a < _TUF_HASH_MAX; a++)
                EVP_MD_CTX_free(h->ctx[a]);
        *h = (TufHasher){};
}
