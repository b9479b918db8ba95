/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tuf-client-internal.h"
#include "tuf-error.h"

typedef struct Buffer {
        uint8_t *data;
        size_t size, allocated;
        uint64_t max_size;
} Buffer;

static int buffer_sink(const void *data, size_t size, void *userdata) {
        Buffer *b = userdata;

        /* Enforced here too: the fetcher is not trusted to honour the bound. */
        if (size > b->max_size - b->size)
                return -EFBIG;
        if (b->size + size > b->allocated) {
                size_t n = MAX(b->allocated * 2, b->size + size);
                uint8_t *p = realloc(b->data, MIN((uint64_t) n, b->max_size));

                if (!p)
                        return -ENOMEM;
                b->data = p;
                b->allocated = MIN((uint64_t) n, b->max_size);
        }
        memcpy(b->data + b->size, data, size);
        b->size += size;
        return 0;
}

int tuf_download_metadata(TufClient *c, const char *name, const char *file, uint64_t max_size,
                          const char *bound_by, void **ret, size_t *ret_size, char **ret_error) {
        Buffer b = { .max_size = MIN(max_size, (uint64_t) SIZE_MAX / 2) };
        _cleanup_free_ char *why = NULL;
        int r;

        for (unsigned attempt = 0;; attempt++) {
                r = c->fetcher->fetch(c->fetcher, TUF_AREA_METADATA, name, b.max_size, buffer_sink, &b,
                                      &why);
                if (r != -EAGAIN || attempt == TUF_FETCH_RETRIES)
                        break;
                /* The transfer broke off: metadata is small, so it is fetched again from the start. */
                tuf_fetcher_notify(c->fetcher,
                                   "download of '%s' broke off (%s); fetching it again, attempt %u of %u",
                                   name, why ?: "no reason given", attempt + 1, TUF_FETCH_RETRIES);
                b.size = 0;
                free(why);
                why = NULL;
                tuf_fetch_backoff(attempt + 1);
        }
        if (r < 0) {
                free(b.data);
                if (r == -ENOENT)
                        return tuf_error(ret_error, r, "%s: not found in the repository", name);
                if (r == -EFBIG)
                        return tuf_error(ret_error, r,
                                         "%s: longer than the %" PRIu64 " bytes %s (endless data)", file,
                                         b.max_size, bound_by);
                return tuf_error(ret_error, r, "%s: download failed: %s", name, why ?: strerror(-r));
        }
        *ret = b.data ?: malloc(1);
        if (!*ret)
                return -ENOMEM;
        *ret_size = b.size;
        return 0;
}

static int check_meta_file(const char *file, const void *data, size_t size, const TufMetaFile *mf,
                           const char *listed_by, char **ret_error) {
        TufHasher h;
        TufHashAlg bad;
        int r;

        if (mf->has_length && size != mf->length)
                return tuf_error(ret_error, -EBADMSG, "%s: %zu bytes, but %s declares %" PRIu64, file, size,
                                 listed_by, mf->length);
        if (!tuf_hashes_any(&mf->hashes))
                return 0;
        r = tuf_hasher_init(&h, &mf->hashes);
        if (r < 0)
                return r;
        r = tuf_hasher_update(&h, data, size);
        if (r >= 0)
                r = tuf_hasher_check(&h, &mf->hashes, &bad, NULL);
        tuf_hasher_done(&h);
        if (r == -EBADMSG)
                return tuf_error(ret_error, r, "%s: %s hash does not match %s", file, tuf_hash_alg_name(bad),
                                 listed_by);
        return r;
}

int tuf_load_metadata(TufClient *c, TufRoleType type, const char *name, const char *file, uint64_t max_size,
                      const TufMetaFile *mf, const char *listed_by, TufMetadata **ret, char **ret_error) {
        _cleanup_free_ char *bound_by = NULL;
        _cleanup_free_ void *data = NULL;
        size_t size;
        int r;

        /* A declared length above our own bound does not raise it. */
        if (mf && mf->has_length && mf->length <= max_size) {
                max_size = mf->length;
                if (asprintf(&bound_by, "declared by %s", listed_by) < 0)
                        return -ENOMEM;
        }
        r = tuf_download_metadata(c, name, file, max_size, bound_by ?: "allowed", &data, &size, ret_error);
        if (r < 0)
                return r;
        if (mf) {
                r = check_meta_file(file, data, size, mf, listed_by, ret_error);
                if (r < 0)
                        return r;
        }
        return tuf_metadata_parse(data, size, type, file, ret, ret_error);
}

int tuf_metadata_filename(const char *role, bool consistent, uint64_t version, char **ret) {
        _cleanup_free_ char *encoded = malloc(strlen(role) * 3 + 1);
        char *p = encoded;
        int r;

        if (!encoded)
                return -ENOMEM;
        /* Role names are arbitrary strings: "../a" must not become a path. */
        for (const unsigned char *s = (const unsigned char *) role; *s; s++)
                if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
                    *s == '.' || *s == '_' || *s == '-')
                        *p++ = (char) *s;
                else
                        p += sprintf(p, "%%%02X", *s);
        *p = 0;
        r = consistent ? asprintf(ret, "%" PRIu64 ".%s.json", version, encoded)
                       : asprintf(ret, "%s.json", encoded);
        return r < 0 ? -ENOMEM : 0;
}

int tuf_check_expiry(const TufClient *c, const TufMetadata *m, char **ret_error) {
        if (tuf_time_compare(m->expires, c->now) > 0)
                return 0;
        return tuf_error(ret_error, -ESTALE, "%s: expired at %s (freeze)", m->file, m->expires_text);
}
