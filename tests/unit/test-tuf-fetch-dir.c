/* SPDX-License-Identifier: MIT */
/* The directory fetcher delivers a file's bytes in order and whole, however it reads them: large targets
 * with direct I/O on a file system that has it (this test's directory is under /var/tmp, not tmpfs), small
 * files and metadata through the page cache; and it keeps its bound. Under it, tuf_read_chunks() (which the
 * bundle fetcher shares) delivers in order with the reading ahead on its thread, and stops at the first
 * error of either side. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "tuf-fetch.h"
#include "tuf-read-ahead.h"

static char dir[] = "/var/tmp/test-tuf-fetch-dir-XXXXXX";

typedef struct Collected {
        uint8_t *data;
        size_t size, calls;
} Collected;

static int collect(const void *data, size_t size, void *userdata) {
        Collected *c = userdata;
        uint8_t *p = realloc(c->data, c->size + size + 1);

        assert_non_null(p);
        memcpy(p + c->size, data, size);
        c->data = p;
        c->size += size;
        c->calls++;
        return 0;
}

static void write_file(const char *area, const char *name, const uint8_t *data, size_t size) {
        char path[256];
        FILE *f;

        assert_true(snprintf_ok(path, "%s/%s/%s", dir, area, name));
        f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, size, f), size);
        assert_int_equal(fclose(f), 0);
}

static void fetch_equals(TufFetcher *f, TufArea area, const char *name, const uint8_t *data, size_t size) {
        Collected c = {};
        char *why = NULL;

        assert_int_equal(f->fetch(f, area, name, size, collect, &c, &why), 0);
        assert_null(why);
        assert_int_equal(c.size, size);
        if (size > 0)
                assert_memory_equal(c.data, data, size);
        /* At most a chunk per delivery: large files take several. */
        assert_true(c.calls >= size / TUF_FETCH_CHUNK);
        free(c.data);
}

static void sizes(void **state) {
        /* Around the chunk and the 4 KiB direct I/O alignment, and not a multiple of either. */
        const size_t lengths[] = { 0,
                                   1,
                                   4096,
                                   TUF_FETCH_CHUNK - 1,
                                   TUF_FETCH_CHUNK,
                                   TUF_FETCH_CHUNK + 1,
                                   3 * TUF_FETCH_CHUNK + 12345 };
        _cleanup_free_ uint8_t *data = malloc(3 * TUF_FETCH_CHUNK + 12345);
        TufFetcher *f = NULL;
        char metadata[128], targets[128], name[32];

        assert_non_null(data);
        for (size_t i = 0; i < 3 * TUF_FETCH_CHUNK + 12345; i++)
                data[i] = (uint8_t) (i * 31 + i / 4096);
        assert_true(snprintf_ok(metadata, "%s/metadata", dir) && snprintf_ok(targets, "%s/targets", dir));
        assert_int_equal(tuf_fetcher_dir_new(metadata, targets, &f, NULL), 0);
        for (size_t i = 0; i < ELEMENTSOF(lengths); i++) {
                assert_true(snprintf_ok(name, "t%zu.bin", i));
                write_file("targets", name, data, lengths[i]);
                fetch_equals(f, TUF_AREA_TARGETS, name, data, lengths[i]);
        }
        write_file("metadata", "1.root.json", data, 5000);
        fetch_equals(f, TUF_AREA_METADATA, "1.root.json", data, 5000);
        tuf_fetcher_free(f);
}

/* A file longer than the bound is refused, large or small. */
static void bound(void **state) {
        _cleanup_free_ uint8_t *data = calloc(1, 2 * TUF_FETCH_CHUNK);
        TufFetcher *f = NULL;
        char metadata[128], targets[128];
        Collected c = {};

        assert_non_null(data);
        assert_true(snprintf_ok(metadata, "%s/metadata", dir) && snprintf_ok(targets, "%s/targets", dir));
        assert_int_equal(tuf_fetcher_dir_new(metadata, targets, &f, NULL), 0);
        write_file("targets", "big.bin", data, 2 * TUF_FETCH_CHUNK);
        assert_int_equal(
                f->fetch(f, TUF_AREA_TARGETS, "big.bin", 2 * TUF_FETCH_CHUNK - 1, collect, &c, NULL),
                -EFBIG);
        assert_int_equal(f->fetch(f, TUF_AREA_TARGETS, "missing.bin", 10, collect, &c, NULL), -ENOENT);
        free(c.data);
        tuf_fetcher_free(f);
}

/* A made-up file of `chunks` chunks and a short tail, whose read fails with `fail` at chunk fail_at. */
typedef struct Source {
        size_t chunks, reads, fail_at;
        int fail;
} Source;

static uint8_t pattern(size_t chunk, size_t i) {
        return (uint8_t) (chunk * 7 + i);
}

static ssize_t source_read(void *buf, size_t size, void *userdata) {
        Source *s = userdata;
        size_t n = s->reads < s->chunks ? size : s->reads == s->chunks ? 100 : 0;

        assert_int_equal(size, TUF_FETCH_CHUNK);
        if (s->fail < 0 && s->reads == s->fail_at)
                return s->fail;
        for (size_t i = 0; i < n; i++)
                ((uint8_t *) buf)[i] = pattern(s->reads, i);
        s->reads++;
        return (ssize_t) n;
}

/* The size tuf_read_chunks() is told: the source's, which it reads ahead, or a single chunk, which it reads
 * inline (and goes on reading, as for a file that grew). */
static uint64_t expected(const Source *s, int ahead) {
        return ahead ? s->chunks * TUF_FETCH_CHUNK + 100 : TUF_FETCH_CHUNK;
}

/* Checks each delivery against the pattern; fails with `fail` at delivery fail_at. */
typedef struct Sink {
        size_t calls, fail_at;
        int fail;
} Sink;

static int sink_check(const void *data, size_t size, void *userdata) {
        Sink *k = userdata;

        if (k->fail < 0 && k->calls == k->fail_at)
                return k->fail;
        for (size_t i = 0; i < size; i++)
                if (((const uint8_t *) data)[i] != pattern(k->calls, i))
                        fail_msg("delivery %zu: byte %zu differs", k->calls, i);
        k->calls++;
        return 0;
}

static void read_chunks_in_order(void **state) {
        for (int ahead = 0; ahead <= 1; ahead++) {
                Source s = { .chunks = 3 * TUF_READ_AHEAD_DEPTH };
                Sink k = {};

                assert_int_equal(tuf_read_chunks(source_read, &s, expected(&s, ahead), sink_check, &k), 0);
                assert_int_equal(k.calls, s.chunks + 1);
        }
}

/* A failing sink stops the reader, which is at most the ring ahead; the sink's error is returned. */
static void read_chunks_sink_error(void **state) {
        for (int ahead = 0; ahead <= 1; ahead++) {
                Source s = { .chunks = 20 };
                Sink k = { .fail_at = 2, .fail = -ECANCELED };

                assert_int_equal(tuf_read_chunks(source_read, &s, expected(&s, ahead), sink_check, &k),
                                 -ECANCELED);
                assert_int_equal(k.calls, 2);
                assert_true(s.reads <= 3 + TUF_READ_AHEAD_DEPTH);
        }
}

/* A failing read: what was read before it is delivered, then its error is returned. */
static void read_chunks_read_error(void **state) {
        for (int ahead = 0; ahead <= 1; ahead++) {
                Source s = { .chunks = 20, .fail_at = 5, .fail = -EIO };
                Sink k = {};

                assert_int_equal(tuf_read_chunks(source_read, &s, expected(&s, ahead), sink_check, &k),
                                 -EIO);
                assert_int_equal(k.calls, 5);
        }
}

static int setup(void **state) {
        char path[128];

        if (!mkdtemp(dir))
                return -1;
        if (!snprintf_ok(path, "%s/metadata", dir) || mkdir(path, 0755) < 0)
                return -1;
        if (!snprintf_ok(path, "%s/targets", dir) || mkdir(path, 0755) < 0)
                return -1;
        return 0;
}

static int teardown(void **state) {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return system(cmd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(sizes),
                cmocka_unit_test(bound),
                cmocka_unit_test(read_chunks_in_order),
                cmocka_unit_test(read_chunks_sink_error),
                cmocka_unit_test(read_chunks_read_error),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
