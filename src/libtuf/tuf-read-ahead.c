/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "iobuf.h"
#include "macro.h"
#include "tuf-read-ahead.h"

#define DIRECT_ALIGN 4096
#define HUGE_MIN     (64 * 1024)

typedef struct Ring {
        TufReadChunk read;
        void *read_userdata;
        size_t chunk;
        uint8_t *buf; /* TUF_READ_AHEAD_DEPTH chunks (one without read-ahead), one after the other */

        pthread_mutex_t lock;
        pthread_cond_t changed;
        size_t len[TUF_READ_AHEAD_DEPTH];
        uint64_t filled, taken; /* chunk numbers: chunk n is buf's n % DEPTH */
        bool done;              /* the reader stopped: at the end, or at an error */
        bool stop;              /* the caller wants no more */
        int error;
} Ring;

static uint8_t *chunk_buf(Ring *g, uint64_t n) {
        return g->buf + (size_t) (n % TUF_READ_AHEAD_DEPTH) * g->chunk;
}

static void *reader_main(void *userdata) {
        Ring *g = userdata;

        pthread_mutex_lock(&g->lock);
        for (;;) {
                uint64_t n;
                ssize_t k;

                while (g->filled - g->taken >= TUF_READ_AHEAD_DEPTH && !g->stop)
                        pthread_cond_wait(&g->changed, &g->lock);
                if (g->stop)
                        break;
                n = g->filled;
                pthread_mutex_unlock(&g->lock);
                k = g->read(chunk_buf(g, n), g->chunk, g->read_userdata);
                pthread_mutex_lock(&g->lock);
                if (k <= 0) {
                        g->error = (int) k;
                        break;
                }
                g->len[n % TUF_READ_AHEAD_DEPTH] = (size_t) k;
                g->filled++;
                pthread_cond_broadcast(&g->changed);
        }
        g->done = true;
        pthread_cond_broadcast(&g->changed);
        pthread_mutex_unlock(&g->lock);
        return NULL;
}

/* One read, then its delivery, into the first chunk. */
static int read_inline(Ring *g, TufSink sink, void *sink_userdata) {
        for (;;) {
                ssize_t k = g->read(g->buf, g->chunk, g->read_userdata);
                int r;

                if (k <= 0)
                        return (int) k;
                r = sink(g->buf, (size_t) k, sink_userdata);
                if (r < 0)
                        return r;
        }
}

/* The caller's side: each chunk as the reader fills it, handed back once delivered. */
static int deliver(Ring *g, TufSink sink, void *sink_userdata) {
        int r;

        pthread_mutex_lock(&g->lock);
        for (;;) {
                uint64_t n;

                while (g->taken == g->filled && !g->done)
                        pthread_cond_wait(&g->changed, &g->lock);
                if (g->taken == g->filled) {
                        r = g->error; /* 0 at the end */
                        break;
                }
                n = g->taken;
                pthread_mutex_unlock(&g->lock);
                /* The chunk is the caller's until taken moves past it: the reader fills only the others. */
                r = sink(chunk_buf(g, n), g->len[n % TUF_READ_AHEAD_DEPTH], sink_userdata);
                pthread_mutex_lock(&g->lock);
                g->taken++;
                pthread_cond_broadcast(&g->changed);
                if (r < 0)
                        break;
        }
        g->stop = true;
        pthread_cond_broadcast(&g->changed);
        pthread_mutex_unlock(&g->lock);
        return r;
}

int tuf_read_chunks(TufReadChunk read, void *read_userdata, uint64_t size, TufSink sink,
                    void *sink_userdata) {
        Ring g = { .read = read, .read_userdata = read_userdata };
        bool ahead = size > TUF_FETCH_CHUNK, huge;
        size_t bytes;
        pthread_t t;
        int r;

        g.chunk = ALIGN_TO((size_t) MAX(MIN(size, (uint64_t) TUF_FETCH_CHUNK), (uint64_t) 1), DIRECT_ALIGN);
        bytes = (ahead ? TUF_READ_AHEAD_DEPTH : 1) * g.chunk;
        /* A target's buffer on huge pages: one page fault, not one per 4 KiB it fills. A metadata file's few
         * KiB from the heap. */
        huge = bytes >= HUGE_MIN;
        g.buf = huge ? iobuf_alloc(bytes) : aligned_alloc(DIRECT_ALIGN, bytes);
        if (!g.buf)
                return -ENOMEM;
        pthread_mutex_init(&g.lock, NULL);
        pthread_cond_init(&g.changed, NULL);
        if (!ahead || pthread_create(&t, NULL, reader_main, &g) != 0)
                r = read_inline(&g, sink, sink_userdata);
        else {
                r = deliver(&g, sink, sink_userdata);
                (void) pthread_join(t, NULL);
        }
        pthread_cond_destroy(&g.changed);
        pthread_mutex_destroy(&g.lock);
        if (huge)
                iobuf_free(g.buf, bytes);
        else
                free(g.buf);
        return r;
}
