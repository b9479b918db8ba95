/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "update-stream.h"

#if HAVE_ZSTD
#include <zstd.h>
#endif
#if HAVE_XZ
#include <lzma.h>
#endif
#if HAVE_LZ4
#include <lz4frame.h>
#endif

/* The decompressor fills slots; a worker thread hashes each full one and writes it to the partition, so
 * that decompressing (and the download's own hashing) runs beside hashing and writing. A slot is written
 * whole, so writes are large. SLOTS * SLOT_SIZE bounds the memory between the two. */
#define SLOT_SIZE (1024 * 1024)
#define SLOTS     4
/* Writeback is started every this many bytes, so that the final fsync waits for the last few only. */
#define WRITEBACK_STEP (8 * 1024 * 1024)
/* Read-back buffer. */
#define READ_SIZE (1024 * 1024)

struct UpdateWriter {
        int fd;
        uint64_t offset, limit;
        UpdateCompression compression;
        bool ended;        /* the decompressor saw the end of its (last) frame */
        uint64_t produced; /* bytes the decompressor put out, the worker's queue included */
        size_t fill;       /* bytes in the slot being filled (slot number `submitted`) */

        /* Shared with the worker, under lock. Slot number n is slot[n % SLOTS]; the caller fills slot
         * number `submitted` while fewer than SLOTS are queued, the worker writes `retired` while it is
         * below `submitted`. */
        pthread_mutex_t lock;
        pthread_cond_t changed;
        uint8_t *slot[SLOTS];
        size_t slot_size[SLOTS];
        uint64_t submitted, retired;
        bool closing;
        int error; /* the worker's first error; slots after it are dropped */
        bool worker_started;
        pthread_t worker;

        /* The worker's alone while it runs. */
        EVP_MD_CTX *sha256;
        uint64_t written, writeback_from;
#if HAVE_ZSTD
        ZSTD_DStream *zstd;
#endif
#if HAVE_XZ
        lzma_stream xz;
        bool xz_init;
#endif
#if HAVE_LZ4
        LZ4F_dctx *lz4;
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
        if (HAVE_LZ4 && streq(name, "lz4")) {
                *ret = UPDATE_COMPRESSION_LZ4;
                return 0;
        }
        return -EOPNOTSUPP;
}

/* Writes one slot: hashed, written at its place, writeback started every WRITEBACK_STEP bytes. */
static int write_slot(UpdateWriter *w, const uint8_t *data, size_t size) {
        int r;

        if (!EVP_DigestUpdate(w->sha256, data, size))
                return -ENOMEM;
        r = pwrite_full(w->fd, data, size, (off_t) (w->offset + w->written));
        if (r < 0)
                return r;
        w->written += size;
        if (w->written - w->writeback_from >= WRITEBACK_STEP) {
                /* A hint: the fsync after the last slot is what makes the data durable. It fails with
                 * ESPIPE or EINVAL where it does not apply, and then the fsync does all the work. */
                (void) sync_file_range(w->fd, (off_t) (w->offset + w->writeback_from),
                                       (off_t) (w->written - w->writeback_from), SYNC_FILE_RANGE_WRITE);
                w->writeback_from = w->written;
        }
        return 0;
}

static void *worker_main(void *userdata) {
        UpdateWriter *w = userdata;

        pthread_mutex_lock(&w->lock);
        for (;;) {
                size_t i, size;
                int error, r = 0;

                while (w->retired == w->submitted && !w->closing)
                        pthread_cond_wait(&w->changed, &w->lock);
                if (w->retired == w->submitted)
                        break;
                i = (size_t) (w->retired % SLOTS);
                size = w->slot_size[i];
                error = w->error;
                pthread_mutex_unlock(&w->lock);
                if (error == 0)
                        r = write_slot(w, w->slot[i], size);
                pthread_mutex_lock(&w->lock);
                if (r < 0 && w->error == 0)
                        w->error = r;
                w->retired++;
                pthread_cond_broadcast(&w->changed);
        }
        pthread_mutex_unlock(&w->lock);
        return NULL;
}

/* Waits for the worker to write what is queued and stop. Returns its first error. */
static int stop_worker(UpdateWriter *w) {
        int r;

        if (!w->worker_started)
                return 0;
        pthread_mutex_lock(&w->lock);
        w->closing = true;
        pthread_cond_broadcast(&w->changed);
        pthread_mutex_unlock(&w->lock);
        (void) pthread_join(w->worker, NULL);
        w->worker_started = false;
        r = w->error;
        return r;
}

UpdateWriter *update_writer_free(UpdateWriter *w) {
        if (!w)
                return NULL;
        if (w->worker_started) {
                /* Abandoned mid-stream: what is still queued is dropped, not written. */
                pthread_mutex_lock(&w->lock);
                if (w->error == 0)
                        w->error = -ECANCELED;
                pthread_mutex_unlock(&w->lock);
                (void) stop_worker(w);
        }
        pthread_cond_destroy(&w->changed);
        pthread_mutex_destroy(&w->lock);
#if HAVE_ZSTD
        ZSTD_freeDStream(w->zstd);
#endif
#if HAVE_XZ
        if (w->xz_init)
                lzma_end(&w->xz);
#endif
#if HAVE_LZ4
        LZ4F_freeDecompressionContext(w->lz4);
#endif
        EVP_MD_CTX_free(w->sha256);
        for (size_t i = 0; i < SLOTS; i++)
                free(w->slot[i]);
        free(w);
        return NULL;
}

int update_writer_new(int fd, uint64_t offset, uint64_t limit, UpdateCompression c, UpdateWriter **ret) {
        _cleanup_(update_writer_freep) UpdateWriter *w = calloc(1, sizeof(UpdateWriter));
        int r;

        if (!w)
                return -ENOMEM;
        *w = (UpdateWriter){ .fd = fd, .offset = offset, .limit = limit, .compression = c };
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->changed, NULL);
        w->sha256 = EVP_MD_CTX_new();
        if (!w->sha256 || !EVP_DigestInit_ex(w->sha256, EVP_sha256(), NULL))
                return -ENOMEM;
        for (size_t i = 0; i < SLOTS; i++) {
                w->slot[i] = malloc(SLOT_SIZE);
                if (!w->slot[i])
                        return -ENOMEM;
        }
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
        case UPDATE_COMPRESSION_LZ4:
#if HAVE_LZ4
                if (LZ4F_isError(LZ4F_createDecompressionContext(&w->lz4, LZ4F_VERSION)))
                        return -ENOMEM;
                break;
#else
                return -EOPNOTSUPP;
#endif
        }
        r = -pthread_create(&w->worker, NULL, worker_main, w);
        if (r < 0)
                return r;
        w->worker_started = true;
        *ret = TAKE_PTR(w);
        return 0;
}

/* The free part of the slot being filled. When it is a new slot, waits until the worker has written the
 * slot's previous content. Returns the worker's error, if it had one. */
static int slot_space(UpdateWriter *w, uint8_t **ret, size_t *ret_size) {
        int r;

        pthread_mutex_lock(&w->lock);
        if (w->fill == 0)
                while (w->submitted - w->retired >= SLOTS && w->error == 0)
                        pthread_cond_wait(&w->changed, &w->lock);
        r = w->error;
        pthread_mutex_unlock(&w->lock);
        if (r < 0)
                return r;
        *ret = w->slot[w->submitted % SLOTS] + w->fill;
        *ret_size = SLOT_SIZE - w->fill;
        return 0;
}

/* Hands the slot being filled to the worker. */
static int submit(UpdateWriter *w) {
        int r;

        if (w->fill == 0)
                return 0;
        pthread_mutex_lock(&w->lock);
        w->slot_size[w->submitted % SLOTS] = w->fill;
        w->submitted++;
        pthread_cond_broadcast(&w->changed);
        r = w->error;
        pthread_mutex_unlock(&w->lock);
        w->fill = 0;
        return r;
}

/* Takes size uncompressed bytes that were put at the free part of the slot: bounded, and queued in order
 * once the slot is full. Past the limit nothing more is queued, so nothing past it is written. */
static int produced(UpdateWriter *w, size_t size) {
        if (size > w->limit - w->produced)
                return -EFBIG;
        w->produced += size;
        w->fill += size;
        return w->fill == SLOT_SIZE ? submit(w) : 0;
}

static int feed_none(UpdateWriter *w, const uint8_t *data, size_t size) {
        while (size > 0) {
                uint8_t *out;
                size_t room, n;
                int r;

                r = slot_space(w, &out, &room);
                if (r < 0)
                        return r;
                n = MIN(room, size);
                memcpy(out, data, n);
                r = produced(w, n);
                if (r < 0)
                        return r;
                data += n;
                size -= n;
        }
        return 0;
}

#if HAVE_ZSTD
static int feed_zstd(UpdateWriter *w, const void *data, size_t size) {
        ZSTD_inBuffer in = { data, size, 0 };
        bool more;

        do {
                ZSTD_outBuffer out;
                uint8_t *p;
                size_t room, z;
                int r;

                r = slot_space(w, &p, &room);
                if (r < 0)
                        return r;
                out = (ZSTD_outBuffer){ p, room, 0 };
                z = ZSTD_decompressStream(w->zstd, &out, &in);
                if (ZSTD_isError(z))
                        return -EBADMSG;
                r = produced(w, out.pos);
                if (r < 0)
                        return r;
                /* 0: a frame ended here. Another may follow (zstd allows concatenated frames). */
                w->ended = z == 0;
                /* A full output buffer may leave decoded bytes inside zstd with all input taken: call
                 * again with room until it has none left, unless the frame is done. */
                more = out.pos == out.size && z != 0;
        } while (in.pos < in.size || more);
        return 0;
}
#endif

#if HAVE_XZ
static int feed_xz(UpdateWriter *w, const void *data, size_t size, bool finish) {
        w->xz.next_in = data;
        w->xz.avail_in = size;
        for (;;) {
                lzma_ret z;
                uint8_t *p;
                size_t room;
                bool had_room;
                int r;

                r = slot_space(w, &p, &room);
                if (r < 0)
                        return r;
                w->xz.next_out = p;
                w->xz.avail_out = room;
                z = lzma_code(&w->xz, finish ? LZMA_FINISH : LZMA_RUN);
                had_room = w->xz.avail_out != 0;
                r = produced(w, room - w->xz.avail_out);
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
                if (w->xz.avail_in == 0 && had_room && !finish)
                        return 0;
        }
}
#endif

#if HAVE_LZ4
static int feed_lz4(UpdateWriter *w, const uint8_t *data, size_t size) {
        bool more;

        do {
                uint8_t *p;
                size_t avail, out, in = size, z;
                int r;

                r = slot_space(w, &p, &avail);
                if (r < 0)
                        return r;
                out = avail;
                z = LZ4F_decompress(w->lz4, p, &out, data, &in, NULL);
                if (LZ4F_isError(z))
                        return -EBADMSG;
                data += in;
                size -= in;
                r = produced(w, out);
                if (r < 0)
                        return r;
                /* 0: a frame ended here, its checksum checked. Another may follow. */
                w->ended = z == 0;
                /* A full slot may leave decoded bytes inside lz4: call again until one is left with room. */
                more = out == avail && z != 0;
        } while (size > 0 || more);
        return 0;
}
#endif

int update_writer_sink(const void *data, size_t size, void *userdata) {
        UpdateWriter *w = userdata;

        switch (w->compression) {
#if HAVE_ZSTD
        case UPDATE_COMPRESSION_ZSTD:
                return feed_zstd(w, data, size);
#endif
#if HAVE_LZ4
        case UPDATE_COMPRESSION_LZ4:
                return feed_lz4(w, data, size);
#endif
#if HAVE_XZ
        case UPDATE_COMPRESSION_XZ:
                if (w->ended)
                        return size == 0 ? 0 : -EBADMSG;
                return feed_xz(w, data, size, false);
#endif
        case UPDATE_COMPRESSION_NONE:
                return feed_none(w, data, size);
        default:
                return -EOPNOTSUPP;
        }
}

int update_writer_finish(UpdateWriter *w, uint64_t *ret_length, uint8_t ret_sha256[32]) {
        unsigned n = 0;
        int r;

#if HAVE_XZ
        if (w->compression == UPDATE_COMPRESSION_XZ && !w->ended) {
                r = feed_xz(w, NULL, 0, true);
                if (r < 0)
                        return r;
        }
#endif
        if (w->compression != UPDATE_COMPRESSION_NONE && !w->ended)
                return -EBADMSG;
        r = submit(w);
        if (r < 0)
                return r;
        r = stop_worker(w);
        if (r < 0)
                return r;
        if (!EVP_DigestFinal_ex(w->sha256, ret_sha256, &n) || n != 32)
                return -ENOMEM;
        *ret_length = w->written;
        return 0;
}

int update_range_sha256(int fd, uint64_t offset, uint64_t length, uint8_t ret[32]) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        _cleanup_free_ uint8_t *buf = malloc(READ_SIZE);
        unsigned n = 0;
        int r = 0;

        if (!ctx || !buf || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
                r = -ENOMEM;
        for (uint64_t done = 0; r >= 0 && done < length;) {
                size_t k = (size_t) MIN((uint64_t) READ_SIZE, length - done);

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
