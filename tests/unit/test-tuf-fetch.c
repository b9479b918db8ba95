/* SPDX-License-Identifier: MIT */
/* What the fetchers need to resume and retry downloads: the Content-Range of a 206 answer to a resumed
 * request, and the client fetching metadata again from the start when a transfer broke off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "tuf-content-range.h"
#include "tuf-error.h"
#include "tuf-test-util.h"
#include "tuf.h"

static void assert_range(const char *value, uint64_t first, uint64_t last, uint64_t complete) {
        TufContentRange cr;

        if (tuf_content_range_parse(value, &cr) < 0)
                fail_msg("'%s' did not parse", value);
        assert_int_equal(cr.first, first);
        assert_int_equal(cr.last, last);
        assert_int_equal(cr.complete, complete);
}

static void test_content_range(void **state) {
        static const char *const bad[] = {
                "",
                "bytes",
                "bytes ",
                "items 0-1/2",
                "bytes=0-1/2",   /* the request's syntax, not the response's */
                "bytes */1000",  /* unsatisfied: no range */
                "bytes 0-1",     /* no complete length */
                "bytes 0-/10",   /* open range */
                "bytes -5/10",   /* suffix range */
                "bytes 5-4/10",  /* last before first */
                "bytes 0-10/10", /* last beyond the length */
                "bytes +1-4/10",
                "bytes 1 -4/10",
                "bytes 0x1-4/10",
                "bytes 1-4/10x",
                "bytes 1-4/10, 5-6/10",
                "bytes 0-9223372036854775808/*", /* 2^63 */
                "bytes 0-99999999999999999999999/*",
                "bytes 1-4/-10",
        };
        TufContentRange cr;

        (void) state;
        assert_range("bytes 0-0/1", 0, 0, 1);
        assert_range("bytes 100-199/1000", 100, 199, 1000);
        assert_range("bytes 100-199/*", 100, 199, UINT64_MAX);
        assert_range("  bytes 42-99/100 \t", 42, 99, 100);
        assert_range("Bytes 1-2/3", 1, 2, 3);
        assert_range("bytes 0-9223372036854775806/9223372036854775807", 0, 9223372036854775806ULL,
                     9223372036854775807ULL);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (tuf_content_range_parse(bad[i], &cr) != -EBADMSG)
                        fail_msg("'%s' parsed as a Content-Range", bad[i]);
}

/* A directory fetcher whose transfers of timestamp.json break off (after 100 bytes) the first `breaks`
 * times, as the curl fetcher reports a broken transfer of metadata: -EAGAIN. */
typedef struct FlakyFetcher {
        TufFetcher base;
        TufFetcher *dir;
        unsigned breaks, fetches;
        unsigned notices;
} FlakyFetcher;

typedef struct HalfSink {
        TufSink sink;
        void *userdata;
        uint64_t left;
} HalfSink;

static int half_sink(const void *data, size_t size, void *userdata) {
        HalfSink *h = userdata;
        size_t n = (size_t) MIN((uint64_t) size, h->left);
        int r;

        if (n == 0)
                return -ECONNRESET;
        r = h->sink(data, n, h->userdata);
        h->left -= n;
        return r < 0 ? r : n < size ? -ECONNRESET : 0;
}

static int flaky_fetch(TufFetcher *f, TufArea area, const char *name, uint64_t max_size, TufSink sink,
                       void *userdata, char **ret_error) {
        FlakyFetcher *k = (FlakyFetcher *) f;
        HalfSink h = { .sink = sink, .userdata = userdata, .left = 100 };
        int r;

        k->fetches++;
        if (area != TUF_AREA_METADATA || !streq(name, "timestamp.json") || k->breaks == 0)
                return k->dir->fetch(k->dir, area, name, max_size, sink, userdata, ret_error);
        k->breaks--;
        r = k->dir->fetch(k->dir, area, name, max_size, half_sink, &h, ret_error);
        assert_int_equal(r, -ECONNRESET);
        return error_message(ret_error, -EAGAIN, "%s: connection reset", name);
}

static void count_notice(const char *message, void *userdata) {
        FlakyFetcher *k = userdata;

        print_message("notice: %s\n", message);
        assert_non_null(strstr(message, "broke off"));
        k->notices++;
}

static int run_flaky(Fixture *fx, unsigned breaks, unsigned *ret_notices, char **ret_error) {
        FlakyFetcher k = { .base = { .fetch = flaky_fetch }, .breaks = breaks };
        _cleanup_free_ char *root = NULL;
        TufClient *c = NULL;
        TufTime now;
        size_t size;
        int r;

        assert_int_equal(tuf_fetcher_dir_new(fx->repo.metadata, fx->repo.targets, &k.dir, NULL), 0);
        tuf_fetcher_set_notify(&k.base, count_notice, &k);
        assert_int_equal(read_full_file(fx->root, 1024 * 1024, &root, &size), 0);
        assert_int_equal(tuf_client_new(root, size, &k.base, NULL, &c, NULL), 0);
        assert_int_equal(tuf_time_parse("2025-01-01T00:00:00Z", &now), 0);
        tuf_client_set_now(c, now);
        r = tuf_client_refresh(c, ret_error);
        tuf_client_free(c);
        tuf_fetcher_free(k.dir);
        *ret_notices = k.notices;
        return r;
}

static void test_metadata_retried_whole(void **state) {
        Fixture fx;
        _cleanup_free_ char *why = NULL;
        unsigned notices;

        (void) state;
        fixture_setup(&fx);
        /* Two broken transfers: each retried from the start, into an emptied buffer (a kept half would
         * make the file fail to parse). */
        assert_int_equal(run_flaky(&fx, 2, &notices, &why), 0);
        assert_int_equal(notices, 2);
        fixture_teardown(&fx);
}

static void test_metadata_retries_bounded(void **state) {
        Fixture fx;
        _cleanup_free_ char *why = NULL;
        unsigned notices;

        (void) state;
        fixture_setup(&fx);
        assert_int_equal(run_flaky(&fx, TUF_FETCH_RETRIES + 1, &notices, &why), -EAGAIN);
        print_message("refused: %s\n", why);
        assert_non_null(strstr(why, "connection reset"));
        assert_int_equal(notices, TUF_FETCH_RETRIES);
        fixture_teardown(&fx);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_content_range),
                cmocka_unit_test(test_metadata_retried_whole),
                cmocka_unit_test(test_metadata_retries_bounded),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
