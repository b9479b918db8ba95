/* SPDX-License-Identifier: MIT */
/* The benchmark client's response parser: framing by Content-Length and chunked, partial input at every
 * byte, what it refuses. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http-response.h"

static int parse(const char *s, HttpResponse *r) {
        return http_response_parse(s, strlen(s), r);
}

/* Every proper prefix of a whole response asks for more bytes. */
static void assert_incomplete_prefixes(const char *s, size_t whole) {
        HttpResponse r;

        for (size_t i = 0; i < whole; i++)
                assert_int_equal(http_response_parse(s, i, &r), 0);
}

static void test_content_length(void **state) {
        /* What libmicrohttpd answers GET /settings with. */
        const char *s = "HTTP/1.1 200 OK\r\nDate: Mon, 23 Nov 2026 19:01:33 GMT\r\nContent-Type: "
                        "application/json\r\n"
                        "Content-Length: 5\r\n\r\nhelloHTTP/1.1 204 No Content\r\n\r\n";
        HttpResponse r;

        (void) state;
        assert_int_equal(parse(s, &r), 1);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.body_len, 5);
        assert_memory_equal(s + r.body_off, "hello", 5);
        assert_false(r.close);
        assert_false(r.chunked);
        assert_incomplete_prefixes(s, r.length);
        /* The next response on the connection: 204 has no body even without Content-Length. */
        assert_int_equal(parse(s + r.length, &r), 1);
        assert_int_equal(r.status, 204);
        assert_int_equal(r.body_len, 0);
        assert_int_equal(r.length, strlen("HTTP/1.1 204 No Content\r\n\r\n"));
}

static void test_chunked(void **state) {
        const char *s = "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
                        "5;ext=1\r\nhello\r\na\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\nnext";
        HttpResponse r;

        (void) state;
        assert_int_equal(parse(s, &r), 1);
        assert_true(r.chunked);
        assert_int_equal(r.body_len, 15);
        assert_int_equal(r.length, strlen(s) - 4);
        assert_incomplete_prefixes(s, r.length);
        assert_int_equal(
                parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", &r),
                -EBADMSG);
        assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", &r), -EBADMSG);
        assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", &r), -ENOTSUP);
}

static void test_connection(void **state) {
        HttpResponse r;

        (void) state;
        assert_int_equal(
                parse("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, close\r\nContent-Length: 0\r\n\r\n", &r),
                1);
        assert_true(r.close);
        assert_int_equal(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", &r), 1);
        assert_true(r.close);
        assert_int_equal(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", &r),
                         1);
        assert_false(r.close);
        assert_int_equal(parse("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}", &r), 1);
        assert_int_equal(r.status, 404);
        assert_false(r.close);
}

static void test_refused(void **state) {
        static const char *const bad[] = {
                "HTTP/2 200 OK\r\n\r\n",
                "HTTP/1.1 20 OK\r\n\r\n",
                "HTTP/1.1 200OK\r\n\r\n",
                "HTTP/1.1 099 Odd\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                "HTTP/1.1 200 OK\r\nBad Name: 1\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\n folded\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        };
        char big[HTTP_HEAD_MAX + 64];
        HttpResponse r;

        (void) state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(parse(bad[i], &r), -EBADMSG);
        assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", &r),
                         -E2BIG);
        /* No framing: the body would end with the connection. */
        assert_int_equal(parse("HTTP/1.1 200 OK\r\n\r\nbody", &r), -ENOTSUP);
        assert_int_equal(parse("HTTP/1.1 100 Continue\r\n\r\n", &r), -ENOTSUP);
        memset(big, 'a', sizeof(big));
        memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
        assert_int_equal(http_response_parse(big, sizeof(big), &r), -E2BIG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_content_length),
                cmocka_unit_test(test_chunked),
                cmocka_unit_test(test_connection),
                cmocka_unit_test(test_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
