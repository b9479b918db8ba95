/* SPDX-License-Identifier: MIT */
/* The API bridge against a listening socket standing in for the API server and a socket pair standing in
 * for the serial port: each race the bridge meets on a node, played in a fixed order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bridge.h"
#include "macro.h"

typedef struct Fixture {
        char dir[64];
        char path[96];
        int listener;
        int port[2]; /* [0] the bridge's end, [1] the host client's */
        Bridge b;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(*f));
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "/tmp/test-api-bridge-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->path, sizeof(f->path), "%s/api.sock", f->dir);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
        f->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(f->listener >= 0);
        assert_int_equal(bind(f->listener, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(f->listener, 8), 0);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f->port), 0);
        assert_int_equal(fcntl(f->port[0], F_SETFL, O_NONBLOCK), 0); /* as the bridge opens the port */
        bridge_init(&f->b, f->port[0], f->path);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        bridge_done(&f->b);
        close(f->port[0]);
        close(f->port[1]);
        close(f->listener);
        unlink(f->path);
        rmdir(f->dir);
        free(f);
        return 0;
}

/* The server's side of the next connection the bridge made. */
static int server_accept(Fixture *f) {
        int fd = accept4(f->listener, NULL, NULL, SOCK_CLOEXEC);
        assert_true(fd >= 0);
        return fd;
}

static void expect_bytes(int fd, const char *want) {
        char got[256] = {};
        size_t len = strlen(want), have = 0;

        while (have < len) {
                ssize_t n = read(fd, got + have, len - have);
                assert_true(n > 0);
                have += (size_t) n;
        }
        assert_string_equal(got, want);
}

static bool readable(int fd) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        return poll(&p, 1, 0) == 1;
}

/* A request from the port that reaches the server on a new connection. Returns the connection. */
static int request_on_new_connection(Fixture *f, const char *request) {
        int conn;

        assert_int_equal(bridge_from_port(&f->b, request, strlen(request)), 0);
        conn = server_accept(f);
        expect_bytes(conn, request);
        return conn;
}

/* One request answered: the answer reaches the port and nothing waits any more. Returns the connection. */
static int exchange(Fixture *f, const char *request, const char *answer) {
        int conn = request_on_new_connection(f, request);

        assert_int_equal(write(conn, answer, strlen(answer)), (ssize_t) strlen(answer));
        assert_int_equal(bridge_from_api(&f->b), 0);
        expect_bytes(f->port[1], answer);
        assert_int_equal(f->b.pending_len, 0);
        return conn;
}

static void test_request_answered(void **state) {
        Fixture *f = *state;
        int conn = exchange(f, "GET /a", "200 a");

        assert_int_equal(f->b.connections, 1);
        assert_int_equal(f->b.resent, 0);
        close(conn);
}

/* The next client's request went into the connection the server was closing for idleness: the server never
 * reads it, and the bridge sends it again on a new connection. */
static void test_server_closes_with_request_unread(void **state) {
        Fixture *f = *state;
        int conn = exchange(f, "GET /a", "200 a"), conn2;

        assert_int_equal(bridge_from_port(&f->b, "GET /b", 6), 0);
        close(conn);
        assert_int_equal(bridge_from_api(&f->b), 0);
        conn2 = server_accept(f);
        expect_bytes(conn2, "GET /b");
        assert_int_equal(f->b.resent, 1);
        assert_int_equal(write(conn2, "200 b", 5), 5);
        assert_int_equal(bridge_from_api(&f->b), 0);
        expect_bytes(f->port[1], "200 b");
        close(conn2);
}

/* The server had already closed the connection when the request came: the close is seen first, and the
 * request goes out on a new connection, once. */
static void test_server_closed_before_request(void **state) {
        Fixture *f = *state;
        int conn = exchange(f, "GET /a", "200 a"), conn2;

        close(conn);
        conn2 = request_on_new_connection(f, "GET /b");
        assert_false(readable(conn2));
        assert_int_equal(f->b.resent, 0);
        assert_int_equal(f->b.connections, 2);
        close(conn2);
}

/* The earlier client's hang-up seen after the next client's request was read (and the port no longer hung
 * up, the next client being there): the request is not cut off. */
static void test_late_hangup_keeps_request(void **state) {
        Fixture *f = *state;
        int conn = exchange(f, "GET /a", "200 a");

        assert_int_equal(bridge_from_port(&f->b, "GET /b", 6), 0);
        bridge_port_hangup(&f->b);
        assert_true(f->b.api >= 0);
        expect_bytes(conn, "GET /b");
        assert_false(readable(conn)); /* not closed */
        assert_int_equal(write(conn, "200 b", 5), 5);
        assert_int_equal(bridge_from_api(&f->b), 0);
        expect_bytes(f->port[1], "200 b");
        assert_int_equal(f->b.connections, 1);
        close(conn);
}

/* The client waiting for its answer went away: the connection ends, so that its answer cannot reach the
 * next client. */
static void test_hangup_of_waiting_client_drops(void **state) {
        Fixture *f = *state;
        int conn = exchange(f, "GET /a", "200 a");
        char c;

        assert_int_equal(bridge_from_port(&f->b, "GET /b", 6), 0);
        expect_bytes(conn, "GET /b");
        close(f->port[1]); /* the port stays hung up */
        f->port[1] = -EBADF;
        bridge_port_hangup(&f->b);
        assert_true(f->b.api < 0);
        assert_int_equal(read(conn, &c, 1), 0);
        close(conn);
}

/* A hang-up with every request answered ends the connection: the next client starts on a new one. */
static void test_hangup_when_idle_closes(void **state) {
        Fixture *f = *state;
        int conn = exchange(f, "GET /a", "200 a"), conn2;
        char c;

        bridge_port_hangup(&f->b);
        assert_true(f->b.api < 0);
        assert_int_equal(read(conn, &c, 1), 0);
        close(conn);
        conn2 = exchange(f, "GET /b", "200 b");
        assert_int_equal(f->b.connections, 2);
        close(conn2);
}

/* Sent once more and closed unanswered again (a dead client's half request, say): dropped, not a loop. */
static void test_second_close_drops(void **state) {
        Fixture *f = *state;
        int conn, conn2;

        conn = request_on_new_connection(f, "GET /ha");
        close(conn);
        assert_int_equal(bridge_from_api(&f->b), 0);
        conn2 = server_accept(f);
        expect_bytes(conn2, "GET /ha");
        close(conn2);
        assert_int_equal(bridge_from_api(&f->b), -ECONNRESET);
        assert_true(f->b.api < 0);
        assert_int_equal(f->b.pending_len, 0);
        assert_false(readable(f->listener));
}

/* A request larger than what is kept is relayed, but a close before its answer cannot send it again. */
static void test_large_request_not_kept(void **state) {
        Fixture *f = *state;
        size_t len = BRIDGE_PENDING_MAX + 1;
        char *big = malloc(len);
        int status;

        assert_non_null(big);
        memset(big, 'x', len);
        /* The server's end reads as the bridge writes, on a thread of its own: here, a child. */
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char buf[65536];
                size_t got = 0;
                int c = accept4(f->listener, NULL, NULL, 0);
                while (c >= 0 && got < len) {
                        ssize_t n = read(c, buf, sizeof(buf));
                        if (n <= 0)
                                _exit(1);
                        got += (size_t) n;
                }
                _exit(got == len ? 0 : 1);
        }
        assert_int_equal(bridge_from_port(&f->b, big, len), 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        assert_true(f->b.pending_lost);
        assert_int_equal(bridge_from_api(&f->b), -ECONNRESET);
        assert_false(readable(f->listener));
        free(big);
}

/* The port polled readable, but nothing is there by the time of the read (a hang-up that a reconnection
 * undid): the read does not wait, and the answer the API has meanwhile still reaches the port. */
static void test_port_readiness_gone_does_not_block(void **state) {
        Fixture *f = *state;
        int conn;

        conn = request_on_new_connection(f, "GET /a");
        assert_int_equal(bridge_from_port_readable(&f->b), 0);
        assert_int_equal(write(conn, "200 a", 5), 5);
        assert_int_equal(bridge_run_once(&f->b, 1000), 0);
        expect_bytes(f->port[1], "200 a");
        assert_int_equal(f->b.pending_len, 0);
        close(conn);
}

/* No host client: the port polls readable and hung up at once, as a virtio port does, and the read reports
 * the hang-up, so that the caller waits before it looks again rather than spinning. */
static void test_no_client_reported_as_hangup(void **state) {
        Fixture *f = *state;
        struct pollfd p = { .fd = f->port[0], .events = POLLIN };

        close(f->port[1]);
        f->port[1] = -EBADF;
        assert_int_equal(poll(&p, 1, 0), 1);
        assert_true(p.revents & POLLIN);
        assert_int_equal(bridge_from_port_readable(&f->b), 1);
        assert_true(f->b.api < 0);
}

/* An answer that came in, then the server's idle close, both before the next request: the answer goes
 * out, and only the new request is sent on a new connection; the answered one is not run twice. */
static void test_answered_request_not_sent_again(void **state) {
        Fixture *f = *state;
        int conn, conn2;

        conn = request_on_new_connection(f, "GET /a");
        assert_int_equal(write(conn, "200 a", 5), 5);
        close(conn);
        assert_int_equal(bridge_from_port(&f->b, "GET /b", 6), 0);
        expect_bytes(f->port[1], "200 a");
        conn2 = server_accept(f);
        expect_bytes(conn2, "GET /b");
        assert_false(readable(conn2));
        assert_int_equal(f->b.resent, 0);
        close(conn2);
}

/* The client went away before its answer came: the answer is dropped, not kept for the next client. */
static void test_answer_for_gone_client_dropped(void **state) {
        Fixture *f = *state;
        int conn;

        conn = request_on_new_connection(f, "GET /a");
        close(f->port[1]);
        f->port[1] = -EBADF;
        assert_int_equal(write(conn, "200 a", 5), 5);
        assert_true(bridge_from_api(&f->b) < 0);
        assert_true(f->b.api < 0);
        close(conn);
}

static void test_api_not_listening(void **state) {
        Fixture *f = *state;

        unlink(f->path);
        assert_true(bridge_from_port(&f->b, "GET /a", 6) < 0);
        assert_true(f->b.api < 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_request_answered, setup, teardown),
                cmocka_unit_test_setup_teardown(test_server_closes_with_request_unread, setup, teardown),
                cmocka_unit_test_setup_teardown(test_server_closed_before_request, setup, teardown),
                cmocka_unit_test_setup_teardown(test_late_hangup_keeps_request, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hangup_of_waiting_client_drops, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hangup_when_idle_closes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_second_close_drops, setup, teardown),
                cmocka_unit_test_setup_teardown(test_large_request_not_kept, setup, teardown),
                cmocka_unit_test_setup_teardown(test_port_readiness_gone_does_not_block, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_client_reported_as_hangup, setup, teardown),
                cmocka_unit_test_setup_teardown(test_answered_request_not_sent_again, setup, teardown),
                cmocka_unit_test_setup_teardown(test_answer_for_gone_client_dropped, setup, teardown),
                cmocka_unit_test_setup_teardown(test_api_not_listening, setup, teardown),
        };
        signal(SIGPIPE,
               SIG_IGN); /* the port is a socket here: a closed peer must be an error, not a signal */
        return cmocka_run_group_tests(tests, NULL, NULL);
}
