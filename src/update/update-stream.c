/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "fileio.h"
#include "iobuf.h"
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

/* Four stages, each on its own thread, so that they overlap on two cores: the caller's thread downloads
 * (and TUF hashes the download) and copies the compressed bytes into input slots; a decompressor thread
 * decompresses them into output slots; a hasher thread hashes each full output slot (into the verity tree,
 * or the sha256 of the stream, or both) and notes its CRC-32C; a writer thread writes the hashed slots to
 * the partition, several at once. Uncompressed data goes straight from the caller into output slots. The
 * writer has a thread of its own because a direct write returns only once the device has the bytes: the
 * hasher goes on meanwhile, and the writer's next write takes every slot hashed in the meantime (one large
 * write costs the device about what a small one does). An output slot is also the unit of the read-back:
 * one CRC-32C per slot. The slots bound the memory between the stages. */
#define SLOT_SIZE (1024 * 1024)
#define SLOTS     8
/* The most slots one write takes. */
#define WRITE_BATCH  4
#define IN_SLOT_SIZE (1024 * 1024)
#define IN_SLOTS     4
/* Writeback of buffered writes is started every this many bytes, so that the final fsync waits for the last
 * few only. */
#define WRITEBACK_STEP (8 * 1024 * 1024)
/* What was written directly is flushed from the device's cache every this many bytes while the stream goes
 * on (by the reader, with UpdateWriterOptions.read_back_early): a flush waits for every byte written since
 * the one before, which a virtual disk's host only then writes out, so that the final fsync waits for the
 * last few MiB and not for all of them. */
#define FLUSH_STEP (8 * 1024 * 1024)
/* Direct I/O needs offsets, sizes and buffers aligned to the device's logical block: 4096 covers 512 too. */
#define DIRECT_ALIGN 4096

struct UpdateWriter {
        int fd;
        /* fd opened again with O_DIRECT, -EBADF where that is refused: slots are written and read back
         * through it, around the page cache. A root image is written once and read back once; through the
         * page cache each byte would be copied twice more, and the pages it takes from the running
         * system would have to be written back and dropped again. */
        int direct_fd;
        uint64_t offset, limit;
        UpdateCompression compression;

        /* The producer's of the output slots: the decompressor thread, or the caller's for none. */
        bool ended;        /* the decompressor saw the end of its (last) frame */
        uint64_t produced; /* bytes the decompressor put out, the queue included */
        size_t fill;       /* bytes in the slot being filled (slot number `submitted`) */

        /* The caller's: bytes in the input slot being filled (number `in_submitted`). */
        size_t in_fill;

        /* Shared, under lock. Output slot number n is slot[n % SLOTS]; the producer fills slot number
         * `submitted` while fewer than SLOTS are queued, the hasher hashes `hashed` while it is below
         * `submitted`, the writer writes from `retired` up to `hashed`. Input slots likewise, from the
         * caller to the decompressor. */
        pthread_mutex_t lock;
        pthread_cond_t in_changed, out_changed; /* of the input and the output queue */
        uint8_t *slots;                         /* the SLOTS output slots, one after the other */
        uint8_t *slot[SLOTS];                   /* into slots */
        size_t slot_size[SLOTS];
        uint64_t submitted, hashed, retired;
        uint8_t *in_slots;          /* the IN_SLOTS input slots, one after the other */
        uint8_t *in_slot[IN_SLOTS]; /* into in_slots */
        size_t in_size[IN_SLOTS];
        uint64_t in_submitted, in_retired;
        bool in_done;            /* the caller has no more input */
        bool closing;            /* the hasher stops once the queue is empty */
        bool hasher_done;        /* and then the writer, once it has written what was hashed */
        bool writer_done;        /* and then the reader, once it has read back what was written directly */
        uint64_t direct_written; /* the writer's direct_end, for the reader */
        int error;               /* the first error of any stage; what is queued after it is dropped */
        bool workers_started, decompressor_started, reader_started;
        pthread_t hasher, writer, reader, decompressor;

        /* The reader's (with UpdateWriterOptions.read_back_early): what it has read back of the bytes
         * written directly, and how that went. */
        uint8_t *read_buf;
        uint64_t read_back_to, read_back_at, flushed_to;
        int read_back_r;

        /* The hasher's alone while it runs: sha256, tree, crc. The writer's: written, writeback_from,
         * direct_end, buffered_only. */
        EVP_MD_CTX *sha256; /* NULL when not asked for */
        VerityBuilder *tree;
        uint64_t written, writeback_from;
        uint64_t direct_end; /* the bytes before it were all written directly */
        bool buffered_only;  /* the device refused a direct write: the rest goes through the cache */
        uint32_t *crc;       /* of slot n of the stream, what went to offset + n * SLOT_SIZE */
        size_t n_crc, crc_allocated;
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

/* The CRC-32C of the slot that goes to offset + written, kept for the read-back. */
static int note_crc(UpdateWriter *w, const uint8_t *data, size_t size) {
        if (w->n_crc == w->crc_allocated) {
                size_t n = MAX(w->crc_allocated * 2, (size_t) 64);
                uint32_t *p;

                /* Under the lock: the reader copies CRCs out of the array while it grows. */
                pthread_mutex_lock(&w->lock);
                p = reallocarray(w->crc, n, sizeof(uint32_t));
                if (p) {
                        w->crc = p;
                        w->crc_allocated = n;
                }
                pthread_mutex_unlock(&w->lock);
                if (!p)
                        return -ENOMEM;
        }
        w->crc[w->n_crc++] = crc32c(0, data, size);
        return 0;
}

/* Writes n buffers of size bytes in all at `at`: directly where the offset and the size suit (whole slots),
 * else through the page cache. Returns 1 for a direct write (on the device when this returns), 0 for a
 * buffered one. */
static int write_at(UpdateWriter *w, const struct iovec *iov, size_t n, size_t size, uint64_t at) {
        struct iovec v[WRITE_BATCH];
        int r;

        if (w->direct_fd >= 0 && !w->buffered_only && at % DIRECT_ALIGN == 0 && size % DIRECT_ALIGN == 0) {
                /* A copy: pwritev_full() moves through the iovecs, and a refused write starts over. */
                memcpy(v, iov, n * sizeof(*v));
                r = pwritev_full(w->direct_fd, v, n, (off_t) at);
                if (r != -EINVAL)
                        return r < 0 ? r : 1;
                /* The device wants a larger alignment than ours: buffered from here on. */
                w->buffered_only = true;
        }
        memcpy(v, iov, n * sizeof(*v));
        return pwritev_full(w->fd, v, n, (off_t) at);
}

/* Hashes one slot and notes its CRC: the hashes and the CRC are of the very buffer that is written. */
static int hash_slot(UpdateWriter *w, const uint8_t *data, size_t size) {
        int r;

        if (w->sha256 && !EVP_DigestUpdate(w->sha256, data, size))
                return -ENOMEM;
        if (w->tree && (r = verity_builder_feed(w->tree, data, size)) < 0)
                return r;
        return note_crc(w, data, size);
}

/* Writes n slots (from slot number `first`, consecutive in the stream) at their place with one write, or
 * the one slot that is not whole (the last) on its own; starts writeback of buffered writes every
 * WRITEBACK_STEP bytes. */
static int write_slots(UpdateWriter *w, uint64_t first, size_t n) {
        struct iovec iov[WRITE_BATCH];
        size_t size = 0;
        int r;

        for (size_t k = 0; k < n; k++) {
                size_t i = (size_t) ((first + k) % SLOTS);

                iov[k] = (struct iovec){ w->slot[i], w->slot_size[i] };
                size += w->slot_size[i];
        }
        r = write_at(w, iov, n, size, w->offset + w->written);
        if (r < 0)
                return r;
        if (r > 0 && w->direct_end == w->written)
                w->direct_end += size;
        w->written += size;
        if (r == 0 && w->written - w->writeback_from >= WRITEBACK_STEP) {
                /* A hint: the fsync after the last slot is what makes the data durable. It fails with
                 * ESPIPE or EINVAL where it does not apply, and then the fsync does all the work. */
                (void) sync_file_range(w->fd, (off_t) (w->offset + w->writeback_from),
                                       (off_t) (w->written - w->writeback_from), SYNC_FILE_RANGE_WRITE);
                w->writeback_from = w->written;
        }
        return 0;
}

/* Records a stage's first error, under lock: the other stages see it and drop what they hold. */
static void set_error_locked(UpdateWriter *w, int r) {
        if (r >= 0 || w->error < 0)
                return;
        w->error = r;
        pthread_cond_broadcast(&w->in_changed);
        pthread_cond_broadcast(&w->out_changed);
}

static void set_error(UpdateWriter *w, int r) {
        pthread_mutex_lock(&w->lock);
        set_error_locked(w, r);
        pthread_mutex_unlock(&w->lock);
}

static void *hasher_main(void *userdata) {
        UpdateWriter *w = userdata;

        pthread_mutex_lock(&w->lock);
        for (;;) {
                size_t i;
                int error, r = 0;

                while (w->hashed == w->submitted && !w->closing)
                        pthread_cond_wait(&w->out_changed, &w->lock);
                if (w->hashed == w->submitted)
                        break;
                i = (size_t) (w->hashed % SLOTS);
                error = w->error;
                pthread_mutex_unlock(&w->lock);
                if (error == 0)
                        r = hash_slot(w, w->slot[i], w->slot_size[i]);
                pthread_mutex_lock(&w->lock);
                set_error_locked(w, r);
                w->hashed++;
                pthread_cond_broadcast(&w->out_changed);
        }
        w->hasher_done = true;
        pthread_cond_broadcast(&w->out_changed);
        pthread_mutex_unlock(&w->lock);
        return NULL;
}

/* How many slots from `retired` on the writer takes at once: every hashed one up to WRITE_BATCH, but a slot
 * that is not whole only on its own (it is the last, and may not suit a direct write). */
static size_t write_batch(const UpdateWriter *w) {
        size_t n = 0;

        while (n < WRITE_BATCH && w->retired + n < w->hashed &&
               w->slot_size[(w->retired + n) % SLOTS] == SLOT_SIZE)
                n++;
        return MAX(n, (size_t) 1);
}

static void *writer_main(void *userdata) {
        UpdateWriter *w = userdata;

        pthread_mutex_lock(&w->lock);
        for (;;) {
                uint64_t first;
                size_t n;
                int error, r = 0;

                while (w->retired == w->hashed && !w->hasher_done)
                        pthread_cond_wait(&w->out_changed, &w->lock);
                if (w->retired == w->hashed)
                        break;
                first = w->retired;
                n = write_batch(w);
                error = w->error;
                pthread_mutex_unlock(&w->lock);
                if (error == 0)
                        r = write_slots(w, first, n);
                pthread_mutex_lock(&w->lock);
                set_error_locked(w, r);
                w->retired += n;
                w->direct_written = w->direct_end;
                pthread_cond_broadcast(&w->out_changed);
        }
        w->writer_done = true;
        pthread_cond_broadcast(&w->out_changed);
        pthread_mutex_unlock(&w->lock);
        return NULL;
}

/* Reads back [from, to) of what fd holds, a whole number of slots (the last may be short), into buf of
 * size bytes (a multiple of SLOT_SIZE), against the CRC of each slot as it was written. -EIO and the
 * slot's offset at the first that differs. The CRCs are copied under the lock: the array may grow. */
static int read_back_range(UpdateWriter *w, int fd, uint8_t *buf, size_t size, uint64_t from, uint64_t to,
                           uint64_t *ret_offset) {
        for (uint64_t at = from; at < to;) {
                size_t k = (size_t) MIN((uint64_t) size, to - at);
                uint32_t want[SLOTS];
                int r;

                pthread_mutex_lock(&w->lock);
                for (size_t j = 0; j < k; j += SLOT_SIZE)
                        want[j / SLOT_SIZE] = w->crc[(at + j) / SLOT_SIZE];
                pthread_mutex_unlock(&w->lock);
                r = pread_full(fd, buf, k, (off_t) (w->offset + at));
                if (r < 0)
                        return r;
                for (size_t j = 0; j < k; j += SLOT_SIZE)
                        if (crc32c(0, buf + j, MIN((size_t) SLOT_SIZE, k - j)) != want[j / SLOT_SIZE]) {
                                *ret_offset = at + j;
                                return -EIO;
                        }
                at += k;
        }
        return 0;
}

/* Reads back what the writer wrote directly, as soon as it is written: a direct read returns what the
 * device holds, flushed or not, so the read-back needs not wait for the end and the fsync. It runs while
 * later slots are decompressed, hashed and written, when the device has time for it. It stops at the
 * first slot that reads back differently, or at a read that fails, and keeps the result for
 * update_writer_read_back(). Every FLUSH_STEP bytes it also flushes what it read back. */
static void *reader_main(void *userdata) {
        UpdateWriter *w = userdata;

        pthread_mutex_lock(&w->lock);
        for (;;) {
                uint64_t from = w->read_back_to, to;
                int r;

                while (w->read_back_to == w->direct_written && !w->writer_done && w->error == 0)
                        pthread_cond_wait(&w->out_changed, &w->lock);
                if (w->read_back_to == w->direct_written || w->error < 0)
                        break;
                to = MIN(w->direct_written, from + (uint64_t) WRITE_BATCH * SLOT_SIZE);
                pthread_mutex_unlock(&w->lock);
                r = read_back_range(w, w->direct_fd, w->read_buf, WRITE_BATCH * SLOT_SIZE, from, to,
                                    &w->read_back_at);
                pthread_mutex_lock(&w->lock);
                if (r < 0) {
                        w->read_back_r = r;
                        break;
                }
                w->read_back_to = to;
                if (to - w->flushed_to >= FLUSH_STEP) {
                        /* A head start: the caller's fsync after the last slot is what makes the data
                         * durable, and reports what failed here too (a write-back error reaches every
                         * open file of the device once). */
                        pthread_mutex_unlock(&w->lock);
                        (void) fdatasync(w->direct_fd);
                        pthread_mutex_lock(&w->lock);
                        w->flushed_to = to;
                }
        }
        pthread_mutex_unlock(&w->lock);
        return NULL;
}

/* The free part of the slot being filled. When it is a new slot, waits until the writer has written the
 * slot's previous content. Returns the first error of any stage. */
static int slot_space(UpdateWriter *w, uint8_t **ret, size_t *ret_size) {
        int r;

        pthread_mutex_lock(&w->lock);
        if (w->fill == 0)
                while (w->submitted - w->retired >= SLOTS && w->error == 0)
                        pthread_cond_wait(&w->out_changed, &w->lock);
        r = w->error;
        pthread_mutex_unlock(&w->lock);
        if (r < 0)
                return r;
        *ret = w->slot[w->submitted % SLOTS] + w->fill;
        *ret_size = SLOT_SIZE - w->fill;
        return 0;
}

/* Hands the slot being filled to the hasher. */
static int submit(UpdateWriter *w) {
        int r;

        if (w->fill == 0)
                return 0;
        pthread_mutex_lock(&w->lock);
        w->slot_size[w->submitted % SLOTS] = w->fill;
        w->submitted++;
        pthread_cond_broadcast(&w->out_changed);
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
                        return -ENODATA;
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

/* Decompresses one input slot into output slots (the decompressor's thread; the caller's, for none). */
static int decompress(UpdateWriter *w, const uint8_t *data, size_t size) {
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

/* After the last input: -ENODATA if the compressed data stopped mid-frame; else queues the last, partly
 * filled output slot. */
static int decompress_end(UpdateWriter *w) {
#if HAVE_XZ
        if (w->compression == UPDATE_COMPRESSION_XZ && !w->ended) {
                int r = feed_xz(w, NULL, 0, true);
                if (r < 0)
                        return r;
        }
#endif
        if (w->compression != UPDATE_COMPRESSION_NONE && !w->ended)
                return -ENODATA;
        return submit(w);
}

static void *decompressor_main(void *userdata) {
        UpdateWriter *w = userdata;

        pthread_mutex_lock(&w->lock);
        for (;;) {
                size_t i, size;
                int r;

                while (w->in_retired == w->in_submitted && !w->in_done && w->error == 0)
                        pthread_cond_wait(&w->in_changed, &w->lock);
                if (w->error < 0)
                        break;
                if (w->in_retired == w->in_submitted) {
                        pthread_mutex_unlock(&w->lock);
                        r = decompress_end(w);
                        pthread_mutex_lock(&w->lock);
                        set_error_locked(w, r);
                        break;
                }
                i = (size_t) (w->in_retired % IN_SLOTS);
                size = w->in_size[i];
                pthread_mutex_unlock(&w->lock);
                r = decompress(w, w->in_slot[i], size);
                pthread_mutex_lock(&w->lock);
                set_error_locked(w, r);
                w->in_retired++;
                pthread_cond_broadcast(&w->in_changed);
        }
        pthread_mutex_unlock(&w->lock);
        return NULL;
}

/* Hands the input slot being filled to the decompressor. */
static int submit_input(UpdateWriter *w) {
        int r;

        pthread_mutex_lock(&w->lock);
        if (w->in_fill > 0) {
                w->in_size[w->in_submitted % IN_SLOTS] = w->in_fill;
                w->in_submitted++;
                w->in_fill = 0;
                pthread_cond_broadcast(&w->in_changed);
        }
        r = w->error;
        pthread_mutex_unlock(&w->lock);
        return r;
}

/* Copies compressed bytes into input slots, waiting for a free one where the decompressor is behind. */
static int queue_input(UpdateWriter *w, const uint8_t *data, size_t size) {
        while (size > 0) {
                size_t n;
                int r;

                if (w->in_fill == 0) {
                        pthread_mutex_lock(&w->lock);
                        while (w->in_submitted - w->in_retired >= IN_SLOTS && w->error == 0)
                                pthread_cond_wait(&w->in_changed, &w->lock);
                        r = w->error;
                        pthread_mutex_unlock(&w->lock);
                        if (r < 0)
                                return r;
                }
                n = MIN(IN_SLOT_SIZE - w->in_fill, size);
                memcpy(w->in_slot[w->in_submitted % IN_SLOTS] + w->in_fill, data, n);
                w->in_fill += n;
                data += n;
                size -= n;
                if (w->in_fill == IN_SLOT_SIZE && (r = submit_input(w)) < 0)
                        return r;
        }
        return 0;
}

/* Waits for the decompressor to take all input and stop. Returns the first error of any stage. */
static int stop_decompressor(UpdateWriter *w) {
        int r;

        if (!w->decompressor_started)
                return 0;
        pthread_mutex_lock(&w->lock);
        w->in_done = true;
        pthread_cond_broadcast(&w->in_changed);
        pthread_mutex_unlock(&w->lock);
        (void) pthread_join(w->decompressor, NULL);
        w->decompressor_started = false;
        pthread_mutex_lock(&w->lock);
        r = w->error;
        pthread_mutex_unlock(&w->lock);
        return r;
}

/* Waits for the hasher to hash what is queued and stop; the writer then stops once it has written it. */
static void stop_hasher(UpdateWriter *w) {
        pthread_mutex_lock(&w->lock);
        w->closing = true;
        pthread_cond_broadcast(&w->out_changed);
        pthread_mutex_unlock(&w->lock);
        (void) pthread_join(w->hasher, NULL);
}

/* Waits for the hasher and the writer to finish what is queued and stop. Returns the first error of any
 * stage. */
static int stop_workers(UpdateWriter *w) {
        if (!w->workers_started)
                return w->error;
        stop_hasher(w);
        (void) pthread_join(w->writer, NULL);
        if (w->reader_started)
                (void) pthread_join(w->reader, NULL);
        w->workers_started = w->reader_started = false;
        return w->error;
}

UpdateWriter *update_writer_free(UpdateWriter *w) {
        if (!w)
                return NULL;
        if (w->workers_started || w->decompressor_started || w->reader_started) {
                /* Abandoned mid-stream: what is still queued is dropped, not written. */
                set_error(w, -ECANCELED);
                (void) stop_decompressor(w);
                (void) stop_workers(w);
        }
        pthread_cond_destroy(&w->in_changed);
        pthread_cond_destroy(&w->out_changed);
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
        verity_builder_free(w->tree);
        free(w->crc);
        iobuf_free(w->read_buf, WRITE_BATCH * SLOT_SIZE);
        safe_close(w->direct_fd);
        iobuf_free(w->slots, SLOTS * SLOT_SIZE);
        iobuf_free(w->in_slots, IN_SLOTS * IN_SLOT_SIZE);
        free(w);
        return NULL;
}

static int decompressor_new(UpdateWriter *w) {
        switch (w->compression) {
        case UPDATE_COMPRESSION_NONE:
                return 0;
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
        default:
                return -EOPNOTSUPP;
        }
        w->in_slots = iobuf_alloc(IN_SLOTS * IN_SLOT_SIZE);
        if (!w->in_slots)
                return -ENOMEM;
        for (size_t i = 0; i < IN_SLOTS; i++)
                w->in_slot[i] = w->in_slots + i * IN_SLOT_SIZE;
        return 0;
}

/* fd opened again, with O_DIRECT: through /proc, as a file description's O_DIRECT is shared with every fd
 * of it, and fd is the caller's. -EBADF where /proc is missing or the file system refuses direct I/O. */
static int open_direct(int fd) {
        char path[32];
        int flags = fcntl(fd, F_GETFL);

        if (flags < 0 || (flags & O_ACCMODE) != O_RDWR || !snprintf_ok(path, "/proc/self/fd/%i", fd))
                return -EBADF;
        fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? -EBADF : fd;
}

int update_writer_new(int fd, uint64_t offset, uint64_t limit, UpdateCompression c,
                      const UpdateWriterOptions *o, UpdateWriter **ret) {
        _cleanup_(update_writer_freep) UpdateWriter *w = calloc(1, sizeof(UpdateWriter));
        int r;

        if (!w)
                return -ENOMEM;
        *w = (UpdateWriter){
                .fd = fd, .direct_fd = open_direct(fd), .offset = offset, .limit = limit, .compression = c
        };
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->in_changed, NULL);
        pthread_cond_init(&w->out_changed, NULL);
        if (!o || !o->no_sha256) {
                w->sha256 = EVP_MD_CTX_new();
                if (!w->sha256 || !EVP_DigestInit_ex(w->sha256, EVP_sha256(), NULL))
                        return -ENOMEM;
        }
        if (o && o->tree) {
                r = verity_builder_new(o->tree, o->tree_fd, &w->tree);
                if (r < 0)
                        return r;
        }
        /* In one piece: the read-back reads into all of them at once. */
        w->slots = iobuf_alloc(SLOTS * SLOT_SIZE);
        if (!w->slots)
                return -ENOMEM;
        for (size_t i = 0; i < SLOTS; i++)
                w->slot[i] = w->slots + i * SLOT_SIZE;
        r = decompressor_new(w);
        if (r < 0)
                return r;
        r = -pthread_create(&w->hasher, NULL, hasher_main, w);
        if (r < 0)
                return r;
        r = -pthread_create(&w->writer, NULL, writer_main, w);
        if (r < 0) {
                /* The hasher alone: stop it as though abandoned. */
                set_error(w, r);
                stop_hasher(w);
                return r;
        }
        w->workers_started = true;
        if (o && o->read_back_early && w->direct_fd >= 0) {
                w->read_buf = iobuf_alloc(WRITE_BATCH * SLOT_SIZE);
                if (!w->read_buf)
                        return -ENOMEM;
                r = -pthread_create(&w->reader, NULL, reader_main, w);
                if (r < 0)
                        return r;
                w->reader_started = true;
        }
        if (c != UPDATE_COMPRESSION_NONE) {
                r = -pthread_create(&w->decompressor, NULL, decompressor_main, w);
                if (r < 0)
                        return r;
                w->decompressor_started = true;
        }
        *ret = TAKE_PTR(w);
        return 0;
}

int update_writer_sink(const void *data, size_t size, void *userdata) {
        UpdateWriter *w = userdata;

        if (w->compression == UPDATE_COMPRESSION_NONE)
                return feed_none(w, data, size);
        return queue_input(w, data, size);
}

int update_writer_finish(UpdateWriter *w, UpdateWritten *ret) {
        UpdateWritten out = {};
        unsigned n = 0;
        int r;

        if (w->compression == UPDATE_COMPRESSION_NONE)
                r = decompress_end(w);
        else if ((r = submit_input(w)) >= 0)
                r = stop_decompressor(w);
        if (r < 0)
                return r;
        r = stop_workers(w);
        if (r < 0)
                return r;
        out.length = w->written;
        if (w->sha256) {
                if (!EVP_DigestFinal_ex(w->sha256, out.sha256, &n) || n != 32)
                        return -ENOMEM;
                out.has_sha256 = true;
        }
        if (w->tree) {
                /* -ENODATA: the stream ended before the last block the tree covers, so there is no tree
                 * (and the length tells the caller why). */
                r = verity_builder_finish(w->tree, out.root_hash);
                if (r < 0 && r != -ENODATA)
                        return r;
                out.has_root_hash = r >= 0;
        }
        *ret = out;
        return 0;
}

/* Reads [from, to) of what was written back through fd, SLOTS MiB at a time into the slots (free now: a
 * read waits for the device, and fewer, larger ones wait less in all), each MiB against its CRC. */
int update_writer_read_back(UpdateWriter *w, UpdateReadBack which, uint64_t *ret_offset) {
        int r;

        /* Direct reads come from the device, whether or not its cache was flushed yet. */
        if (which & UPDATE_READ_BACK_DIRECT) {
                if (w->read_buf) {
                        /* The reader did, while the stream was written. */
                        *ret_offset = w->read_back_at;
                        if (w->read_back_r < 0)
                                return w->read_back_r;
                }
                r = read_back_range(w, w->direct_fd, w->slots, SLOTS * SLOT_SIZE, w->read_back_to,
                                    w->direct_end, ret_offset);
                if (r < 0)
                        return r;
        }
        if (!(which & UPDATE_READ_BACK_BUFFERED) || w->direct_end == w->written)
                return 0;
        /* After the fsync, pages of buffered writes are clean; dropped from the page cache, the reads come
         * from the device too, not from the memory they were written from. (A hint: where it does not
         * apply, as on tmpfs, the memory is the only copy.) */
        (void) posix_fadvise(w->fd, (off_t) (w->offset + w->direct_end),
                             (off_t) (w->written - w->direct_end), POSIX_FADV_DONTNEED);
        return read_back_range(w, w->fd, w->slots, SLOTS * SLOT_SIZE, w->direct_end, w->written, ret_offset);
}
