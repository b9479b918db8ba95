/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hexutil.h"
#include "tuf-client-internal.h"
#include "tuf-error.h"

typedef struct TargetSink {
        TufHasher hasher;
        TufSink sink;
        void *userdata;
        uint64_t max_size;
} TargetSink;

static int target_sink(const void *data, size_t size, void *userdata) {
        TargetSink *t = userdata;
        int r;

        if (size > t->max_size - t->hasher.size)
                return -EFBIG;
        r = tuf_hasher_update(&t->hasher, data, size);
        if (r < 0)
                return r;
        return t->sink ? t->sink(data, size, t->userdata) : 0;
}

/* With consistent snapshots a target is stored as "<dir>/<hash>.<name>", so that a file being replaced
 * is never the one a client is downloading. */
int tuf_client_target_filename(const TufClient *c, const TufTarget *t, char **ret) {
        TufHashAlg alg = tuf_hashes_preferred(&t->hashes);
        const char *base = strrchr(t->path, '/');
        char hex[2 * TUF_HASH_MAX_SIZE + 1];

        if (!c->root->consistent_snapshot) {
                *ret = strdup(t->path);
                return *ret ? 0 : -ENOMEM;
        }
        hex_encode(t->hashes.digest[alg], tuf_hash_alg_size(alg), hex);
        base = base ? base + 1 : t->path;
        if (asprintf(ret, "%.*s%s.%s", (int) (base - t->path), t->path, hex, base) < 0)
                return -ENOMEM;
        return 0;
}

int tuf_client_fetch_target(TufClient *c, const TufTarget *t, TufSink sink, void *userdata,
                            uint8_t ret_sha256[32], char **ret_error) {
        TargetSink ts = { .sink = sink, .userdata = userdata, .max_size = t->length };
        _cleanup_free_ char *name = NULL, *why = NULL;
        TufHashAlg bad;
        int r;

        if (!c->refreshed)
                return -ESTALE;
        if (!tuf_path_is_safe(t->path))
                return tuf_error(ret_error, -EBADMSG, "%s: target path '%s' is not a safe relative path",
                                 t->listed_by, t->path);
        r = tuf_client_target_filename(c, t, &name);
        if (r < 0)
                return r;
        r = tuf_hasher_init(&ts.hasher, &t->hashes);
        if (r < 0)
                return r;
        r = c->fetcher->fetch(c->fetcher, TUF_AREA_TARGETS, name, t->length, target_sink, &ts, &why);
        if (r == -ENOENT)
                r = tuf_error(ret_error, r, "%s: not found in the repository", name);
        else if (r == -EFBIG)
                r = tuf_error(ret_error, r,
                              "%s: longer than the %" PRIu64 " bytes %s declares (endless data)", t->path,
                              t->length, t->listed_by);
        else if (r < 0)
                r = tuf_error(ret_error, r, "%s: download failed: %s", name, why ?: strerror(-r));
        else if (ts.hasher.size != t->length)
                r = tuf_error(ret_error, -EBADMSG, "%s: %" PRIu64 " bytes, but %s declares %" PRIu64,
                              t->path, ts.hasher.size, t->listed_by, t->length);
        else {
                r = tuf_hasher_check(&ts.hasher, &t->hashes, &bad, ret_sha256);
                if (r == -EBADMSG)
                        r = tuf_error(ret_error, r, "%s: %s hash does not match %s (arbitrary software)",
                                      t->path, tuf_hash_alg_name(bad), t->listed_by);
        }
        tuf_hasher_done(&ts.hasher);
        return r;
}
