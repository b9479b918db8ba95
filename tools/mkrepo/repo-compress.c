/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "macro.h"
#include "repo-compress.h"

#if HAVE_ZSTD
#include <zstd.h>
#endif
#if HAVE_XZ
#include <lzma.h>
#endif

/* zstd level 19 takes minutes per 256 MiB root on two cores for a few percent; 12 is a fair trade. xz
 * preset 6 is its default. */
#define ZSTD_LEVEL 12
#define XZ_PRESET  6

struct Compressor {
        Compression type;
        CompressEmit emit;
        void *userdata;
        uint8_t out[128 * 1024];
#if HAVE_ZSTD
        ZSTD_CCtx *zstd;
#endif
#if HAVE_XZ
        lzma_stream xz;
        bool xz_init;
#endif
};

int compression_from_string(const char *s, Compression *ret) {
        if (streq(s, "none"))
                *ret = COMPRESSION_NONE;
        else if (streq(s, "zstd"))
                *ret = COMPRESSION_ZSTD;
        else if (streq(s, "xz"))
                *ret = COMPRESSION_XZ;
        else
                return -EINVAL;
        if ((*ret == COMPRESSION_ZSTD && !HAVE_ZSTD) || (*ret == COMPRESSION_XZ && !HAVE_XZ))
                return -EOPNOTSUPP;
        return 0;
}

const char *compression_suffix(Compression c) {
        return c == COMPRESSION_ZSTD ? ".zst" : c == COMPRESSION_XZ ? ".xz" : "";
}

const char *compression_name(Compression c) {
        return c == COMPRESSION_ZSTD ? "zstd" : c == COMPRESSION_XZ ? "xz" : "none";
}

Compression compression_default(void) {
        return HAVE_ZSTD ? COMPRESSION_ZSTD : HAVE_XZ ? COMPRESSION_XZ : COMPRESSION_NONE;
}

int compressor_new(Compression c, CompressEmit emit, void *userdata, Compressor **ret) {
        _cleanup_(compressor_freep) Compressor *z = calloc(1, sizeof(Compressor));

        if (!z)
                return -ENOMEM;
        z->type = c;
        z->emit = emit;
        z->userdata = userdata;
#if HAVE_ZSTD
        if (c == COMPRESSION_ZSTD) {
                z->zstd = ZSTD_createCCtx();
                if (!z->zstd ||
                    ZSTD_isError(ZSTD_CCtx_setParameter(z->zstd, ZSTD_c_compressionLevel, ZSTD_LEVEL)) ||
                    ZSTD_isError(ZSTD_CCtx_setParameter(z->zstd, ZSTD_c_checksumFlag, 1)))
                        return -ENOMEM;
                /* Worker threads where the library has them; without, it compresses in this thread. */
                (void) ZSTD_CCtx_setParameter(z->zstd, ZSTD_c_nbWorkers, 2);
        }
#endif
#if HAVE_XZ
        if (c == COMPRESSION_XZ) {
                z->xz = (lzma_stream) LZMA_STREAM_INIT;
                if (lzma_easy_encoder(&z->xz, XZ_PRESET, LZMA_CHECK_CRC64) != LZMA_OK)
                        return -ENOMEM;
                z->xz_init = true;
        }
#endif
        *ret = TAKE_PTR(z);
        return 0;
}

#if HAVE_ZSTD
static int feed_zstd(Compressor *z, const void *data, size_t size, bool finish) {
        ZSTD_inBuffer in = { .src = data, .size = size };

        for (;;) {
                ZSTD_outBuffer out = { .dst = z->out, .size = sizeof(z->out) };
                size_t left =
                        ZSTD_compressStream2(z->zstd, &out, &in, finish ? ZSTD_e_end : ZSTD_e_continue);
                int r;

                if (ZSTD_isError(left))
                        return -EIO;
                if (out.pos > 0 && (r = z->emit(z->out, out.pos, z->userdata)) < 0)
                        return r;
                if (finish ? left == 0 : in.pos == in.size)
                        return 0;
        }
}
#endif

#if HAVE_XZ
static int feed_xz(Compressor *z, const void *data, size_t size, bool finish) {
        z->xz.next_in = data;
        z->xz.avail_in = size;
        for (;;) {
                lzma_ret ret;
                int r;

                z->xz.next_out = z->out;
                z->xz.avail_out = sizeof(z->out);
                ret = lzma_code(&z->xz, finish ? LZMA_FINISH : LZMA_RUN);
                if (ret != LZMA_OK && ret != LZMA_STREAM_END)
                        return ret == LZMA_MEM_ERROR ? -ENOMEM : -EIO;
                if (z->xz.avail_out < sizeof(z->out) &&
                    (r = z->emit(z->out, sizeof(z->out) - z->xz.avail_out, z->userdata)) < 0)
                        return r;
                if (finish ? ret == LZMA_STREAM_END : z->xz.avail_in == 0)
                        return 0;
        }
}
#endif

int compressor_feed(Compressor *z, const void *data, size_t size, bool finish) {
#if HAVE_ZSTD
        if (z->type == COMPRESSION_ZSTD)
                return feed_zstd(z, data, size, finish);
#endif
#if HAVE_XZ
        if (z->type == COMPRESSION_XZ)
                return feed_xz(z, data, size, finish);
#endif
        return size > 0 ? z->emit(data, size, z->userdata) : 0;
}

Compressor *compressor_free(Compressor *z) {
        if (!z)
                return NULL;
#if HAVE_ZSTD
        ZSTD_freeCCtx(z->zstd);
#endif
#if HAVE_XZ
        if (z->xz_init)
                lzma_end(&z->xz);
#endif
        free(z);
        return NULL;
}
