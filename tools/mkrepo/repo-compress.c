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
#if HAVE_LZ4
#include <lz4frame.h>
#endif

/* zstd level 19 takes minutes per 256 MiB root on two cores for a few percent; 12 is a fair trade. xz
 * preset 6 is its default. */
#define ZSTD_LEVEL 12
#define XZ_PRESET  6
/* lz4hc's default level. Blocks of 256 KiB, linked (matches reach across them, as far as lz4's 64 KiB
 * window goes), with the frame's own checksum: the decoder stays small and checks what it decodes. */
#define LZ4_LEVEL 9
#define LZ4_CHUNK (64 * 1024)

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
#if HAVE_LZ4
        LZ4F_cctx *lz4;
        LZ4F_preferences_t lz4_prefs;
        uint8_t *lz4_out; /* room for one LZ4_CHUNK's worst case, the buffered block included */
        size_t lz4_out_size;
        bool lz4_begun;
#endif
};

int compression_from_string(const char *s, Compression *ret) {
        if (streq(s, "none"))
                *ret = COMPRESSION_NONE;
        else if (streq(s, "zstd"))
                *ret = COMPRESSION_ZSTD;
        else if (streq(s, "xz"))
                *ret = COMPRESSION_XZ;
        else if (streq(s, "lz4"))
                *ret = COMPRESSION_LZ4;
        else
                return -EINVAL;
        if ((*ret == COMPRESSION_ZSTD && !HAVE_ZSTD) || (*ret == COMPRESSION_XZ && !HAVE_XZ) ||
            (*ret == COMPRESSION_LZ4 && !HAVE_LZ4))
                return -EOPNOTSUPP;
        return 0;
}

const char *compression_suffix(Compression c) {
        return c == COMPRESSION_ZSTD  ? ".zst"
               : c == COMPRESSION_XZ  ? ".xz"
               : c == COMPRESSION_LZ4 ? ".lz4"
                                      : "";
}

const char *compression_name(Compression c) {
        return c == COMPRESSION_ZSTD  ? "zstd"
               : c == COMPRESSION_XZ  ? "xz"
               : c == COMPRESSION_LZ4 ? "lz4"
                                      : "none";
}

/* lz4 first: the root is an erofs image already compressed with lz4hc, on which zstd saves a fifth more of
 * the download but costs every node three times the CPU to decompress, which bounds how fast an update
 * writes (decision 0009). */
Compression compression_default(void) {
        return HAVE_LZ4    ? COMPRESSION_LZ4
               : HAVE_ZSTD ? COMPRESSION_ZSTD
               : HAVE_XZ   ? COMPRESSION_XZ
                           : COMPRESSION_NONE;
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
#if HAVE_LZ4
        if (c == COMPRESSION_LZ4) {
                z->lz4_prefs = (LZ4F_preferences_t){
                        .frameInfo = { .blockSizeID = LZ4F_max256KB,
                                       .blockMode = LZ4F_blockLinked,
                                       .contentChecksumFlag = LZ4F_noContentChecksum },
                        .compressionLevel = LZ4_LEVEL,
                };
                if (LZ4F_isError(LZ4F_createCompressionContext(&z->lz4, LZ4F_VERSION)))
                        return -ENOMEM;
                z->lz4_out_size =
                        MAX(LZ4F_compressBound(LZ4_CHUNK, &z->lz4_prefs), (size_t) LZ4F_HEADER_SIZE_MAX);
                z->lz4_out = malloc(z->lz4_out_size);
                if (!z->lz4_out)
                        return -ENOMEM;
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

#if HAVE_LZ4
static int feed_lz4(Compressor *z, const uint8_t *data, size_t size, bool finish) {
        size_t n;
        int r;

        if (!z->lz4_begun) {
                n = LZ4F_compressBegin(z->lz4, z->lz4_out, z->lz4_out_size, &z->lz4_prefs);
                if (LZ4F_isError(n))
                        return -EIO;
                if ((r = z->emit(z->lz4_out, n, z->userdata)) < 0)
                        return r;
                z->lz4_begun = true;
        }
        while (size > 0) {
                size_t chunk = MIN(size, (size_t) LZ4_CHUNK);

                n = LZ4F_compressUpdate(z->lz4, z->lz4_out, z->lz4_out_size, data, chunk, NULL);
                if (LZ4F_isError(n))
                        return -EIO;
                if (n > 0 && (r = z->emit(z->lz4_out, n, z->userdata)) < 0)
                        return r;
                data += chunk;
                size -= chunk;
        }
        if (!finish)
                return 0;
        n = LZ4F_compressEnd(z->lz4, z->lz4_out, z->lz4_out_size, NULL);
        if (LZ4F_isError(n))
                return -EIO;
        return z->emit(z->lz4_out, n, z->userdata);
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
#if HAVE_LZ4
        if (z->type == COMPRESSION_LZ4)
                return feed_lz4(z, data, size, finish);
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
#if HAVE_LZ4
        LZ4F_freeCompressionContext(z->lz4);
        free(z->lz4_out);
#endif
        free(z);
        return NULL;
}
