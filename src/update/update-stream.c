/* SPDX-License-Identifier: MIT */
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>

#include "fileio.h"
#include "update-stream.h"

#if HAVE_ZSTD
#include <zstd.h>
#endif
#if HAVE_XZ
#include <lzma.h>
#endif

#define OUT_SIZE (256 * 1024)

struct UpdateWriter {
        int fd;
        uint64_t offset, limit, written;
        UpdateCompression compression;
        EVP_MD_CTX *sha256;
        uint8_t *out;
        bool ended; /* the decompressor saw the end of its (last) frame */
#if HAVE_ZSTD
        ZSTD_DStream *zstd;
#endif
#if HAVE_XZ
        lzma_stream xz;
        bool xz_init;
#endif
};

int update_compression_parse(const char *name, UpdateCompression *ret) {
        if (!name || streq(name, "none")) {
                *ret = UPDATE_COMPRESSION_NONE;
                return 0;
        }
        if (HAVE_ZSTD && streq(name, "zstd")) {
                *ret = UPDATE_COMPRESSION_ZSTD;
                return 0;
        }
        if (HAVE_XZ && streq(name, "xz")) {
                *ret = UPDATE_COMPRESSION_XZ;
                return 0;
        }
        return -EOPNOTSUPP;
}

UpdateWriter *update_writer_free(UpdateWriter *w) {
        if (!w)
                return NULL;
#if HAVE_ZSTD
        ZSTD_freeDStream(w->zstd);
#endif
#if HAVE_XZ
        if (w->xz_init)
                lzma_end(&w->xz);
#endif
        EVP_MD_CTX_free(w->sha256);
        free(w->out);
        free(w);
        return NULL;
}

int update_writer_new(int fd, uint64_t offset, uint64_t limit, UpdateCompression c, UpdateWriter **ret) {
        _cleanup_(update_writer_freep) UpdateWriter *w = calloc(1, sizeof(UpdateWriter));

        if (!w)
                return -ENOMEM;
        *w = (UpdateWriter){ .fd = fd, .offset = offset, .limit = limit, .compression = c };
        w->sha256 = EVP_MD_CTX_new();
        w->out = malloc(OUT_SIZE);
        if (!w->sha256 || !w->out || !EVP_DigestInit_ex(w->sha256, EVP_sha256(), NULL))
                return -ENOMEM;
        switch (c) {
        case UPDATE_COMPRESSION_NONE:
                break;
        case UPDATE_COMPRESSION_ZSTD:
#if HAVE_ZSTD
                w->zstd = ZSTD_createDStream();
                if (!w->zstd || ZSTD_isError(ZSTD_initDStream(w->zstd)))
                        return -ENOMEM;
                break;
#else
                return -EOPNOTSUPP;
#endif
        case UPDATE_COMPRESSION_XZ:
#if HAVE_XZ
                w->xz = (lzma_stream) LZMA_STREAM_INIT;
                /* 256 MiB of decoder memory at most: xz -9 needs 65 MiB; a bigger claim is an attack. */
                if (lzma_stream_decoder(&w->xz, 256u << 20, 0) != LZMA_OK)
                        return -ENOMEM;
                w->xz_init = true;
                break;
#else
                return -EOPNOTSUPP;
#endif
        }
        *ret = TAKE_PTR(w);
        return 0;
}

/* Uncompressed bytes: bounded, hashed, written in order. */
static int emit(UpdateWriter *w, const void *data, size_t size) {
        int r;

        if (size == 0)
                return 0;
        if (size > w->limit - w->written)
                return -EFBIG;
        if (!EVP_DigestUpdate(w->sha256, data, size))
                return -ENOMEM;
        r = pwrite_full(w->fd, data, size, (off_t) (w->offset + w->written));
        if (r < 0)
                return r;
        w->written += size;
        return 0;
}

#if HAVE_ZSTD
static int feed_zstd(UpdateWriter *w, const void *data, size_t size) {
        ZSTD_inBuffer in = { data, size, 0 };

        while (in.pos < in.size) {
                ZSTD_outBuffer out = { w->out, OUT_SIZE, 0 };
                size_t z = ZSTD_decompressStream(w->zstd, &out, &in);
                int r;

                if (ZSTD_isError(z))
                        return -EBADMSG;
                r = emit(w, w->out, out.pos);
                if (r < 0)
                        return r;
                /* 0: a frame ended here. Another may follow (zstd allows concatenated frames). */
                w->ended = z == 0;
        }
        return 0;
}
#endif

#if HAVE_XZ
static int feed_xz(UpdateWriter *w, const void *data, size_t size, bool finish) {
        w->xz.next_in = data;
        w->xz.avail_in = size;
        for (;;) {
                lzma_ret z;
                int r;

                w->xz.next_out = w->out;
                w->xz.avail_out = OUT_SIZE;
                z = lzma_code(&w->xz, finish ? LZMA_FINISH : LZMA_RUN);
                r = emit(w, w->out, OUT_SIZE - w->xz.avail_out);
                if (r < 0)
                        return r;
                if (z == LZMA_STREAM_END) {
                        w->ended = true;
                        return w->xz.avail_in == 0 ? 0 : -EBADMSG;
                }
                if (z == LZMA_BUF_ERROR && finish)
                        return -EBADMSG;
                if (z != LZMA_OK)
                        return z == LZMA_MEM_ERROR || z == LZMA_MEMLIMIT_ERROR ? -ENOMEM : -EBADMSG;
                if (w->xz.avail_in == 0 && w->xz.avail_out != 0 && !finish)
                        return 0;
        }
}
#endif

int update_writer_sink(const void *data, size_t size, void *userdata) {
        UpdateWriter *w = userdata;

        switch (w->compression) {
#if HAVE_ZSTD
        case UPDATE_COMPRESSION_ZSTD:
                return feed_zstd(w, data, size);
#endif
#if HAVE_XZ
        case UPDATE_COMPRESSION_XZ:
                if (w->ended)
                        return size == 0 ? 0 : -EBADMSG;
                return feed_xz(w, data, size, false);
#endif
        case UPDATE_COMPRESSION_NONE:
                return emit(w, data, size);
        default:
                return -EOPNOTSUPP;
        }
}

int update_writer_finish(UpdateWriter *w, uint64_t *ret_length, uint8_t ret_sha256[32]) {
        unsigned n = 0;

#if HAVE_XZ
        if (w->compression == UPDATE_COMPRESSION_XZ && !w->ended) {
                int r = feed_xz(w, NULL, 0, true);
                if (r < 0)
                        return r;
        }
#endif
        if (w->compression != UPDATE_COMPRESSION_NONE && !w->ended)
                return -EBADMSG;
        if (!EVP_DigestFinal_ex(w->sha256, ret_sha256, &n) || n != 32)
                return -ENOMEM;
        *ret_length = w->written;
        return 0;
}

int update_range_sha256(int fd, uint64_t offset, uint64_t length, uint8_t ret[32]) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        _cleanup_free_ uint8_t *buf = malloc(OUT_SIZE);
        unsigned n = 0;
        int r = 0;

        if (!ctx || !buf || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
                r = -ENOMEM;
        for (uint64_t done = 0; r >= 0 && done < length;) {
                size_t k = (size_t) MIN((uint64_t) OUT_SIZE, length - done);

                r = pread_full(fd, buf, k, (off_t) (offset + done));
                if (r >= 0 && !EVP_DigestUpdate(ctx, buf, k))
                        r = -ENOMEM;
                done += k;
        }
        if (r >= 0 && (!EVP_DigestFinal_ex(ctx, ret, &n) || n != 32))
                r = -ENOMEM;
        EVP_MD_CTX_free(ctx);
        return r;
}
