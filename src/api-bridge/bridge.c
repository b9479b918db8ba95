/* SPDX-License-Identifier: MIT */
/* A serial port carries one byte stream and says nothing reliable about where one host client ends and the
 * next begins: QEMU tells the guest of a client's coming and going on the port's control queue, which the
 * guest may handle before or after the data queue. A client's hang-up can be seen after the next client's
 * request has already been read, or not at all. The API server, for its part, closes a connection when it
 * has been idle for its timeout, which can fall just as the next request is written into it.
 *
 * So the bridge keeps what it sent since the server last answered. A hang-up seen while a request waits
 * for its answer closes the API connection only when it is that request's client that went; and when the
 * server closes a connection before answering what was sent on it, that is sent once more on a new
 * connection rather than lost. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"

void bridge_init(Bridge *b, int port, const char *api_path) {
        *b = (Bridge){ .api_path = api_path, .port = port, .api = -EBADF };
}

static void forget_pending(Bridge *b) {
        b->pending_len = 0;
        b->pending_lost = false;
        b->pending_resent = false;
}

static void close_api(Bridge *b) {
        b->api = safe_close(b->api);
        forget_pending(b);
}

void bridge_done(Bridge *b) {
        close_api(b);
        free(b->pending);
        b->pending = NULL;
}

static int connect_api(Bridge *b) {
        const char *path = b->api_path;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return negative_errno();
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return negative_errno();
        b->connections++;
        return TAKE_FD(fd);
}

/* MSG_NOSIGNAL: a server that closed the connection is an answer to act on, not a SIGPIPE. */
static int send_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

static void keep_pending(Bridge *b, const void *buf, size_t n) {
        if (!b->pending_lost && b->pending_len + n <= BRIDGE_PENDING_MAX) {
                if (!b->pending && !(b->pending = malloc(BRIDGE_PENDING_MAX)))
                        b->pending_lost = true;
                else
                        memcpy(b->pending + b->pending_len, buf, n);
        } else
                b->pending_lost = true;
        b->pending_len += n;
}

/* The server closed the connection without answering pending: send it again, once, on a new one. */
static int resend_pending(Bridge *b) {
        bool resent = b->pending_resent, lost = b->pending_lost;
        size_t len = b->pending_len;
        int r;

        b->api = safe_close(b->api);
        if (len == 0)
                return 0;
        if (resent || lost) {
                log_warning("The API closed the connection before answering %zu bytes; dropped", len);
                forget_pending(b);
                return -ECONNRESET;
        }
        r = connect_api(b);
        if (r < 0) {
                forget_pending(b);
                return log_warning_errno(r, "Failed to connect to %s: %m", b->api_path);
        }
        b->api = r;
        b->pending_resent = true;
        b->resent++;
        r = send_all(b->api, b->pending, len);
        if (r < 0) {
                close_api(b);
                return log_warning_errno(r, "Failed to send to %s: %m", b->api_path);
        }
        return 0;
}

int bridge_from_port(Bridge *b, const void *buf, size_t n) {
        int r;

        /* Answers that came in already go out first: they end what is pending, and a connection the server
         * has closed since is seen as closed before these bytes go into it. */
        if (b->api >= 0)
                (void) bridge_from_api(b);
        if (b->api < 0) {
                r = connect_api(b);
                if (r < 0)
                        return log_warning_errno(r, "Failed to connect to %s: %m", b->api_path);
                b->api = r;
                forget_pending(b);
        }
        keep_pending(b, buf, n);
        if (send_all(b->api, buf, n) < 0)
                return resend_pending(b);
        return 0;
}

/* A hang-up with a request waiting for its answer is either an earlier client's, seen late (the next client
 * is connected already, so the port stops reporting the hang-up at once), or the waiting client's own (the
 * port stays hung up until someone else connects). Only the second ends the connection: its answer must
 * not reach the next client. */
static bool port_stays_hung_up(int port) {
        for (int waited = 0; waited < BRIDGE_HANGUP_WAIT_MS; waited += 10) {
                struct pollfd p = { .fd = port, .events = POLLIN };
                if (poll(&p, 1, 0) < 0 && errno != EINTR)
                        return true;
                if (!(p.revents & POLLHUP))
                        return false;
                nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
        }
        return true;
}

void bridge_port_hangup(Bridge *b) {
        if (b->api >= 0 && b->pending_len > 0 && !port_stays_hung_up(b->port))
                return;
        close_api(b);
}

/* The port is non-blocking: with no host client connected, a write would wait for the next one, and that
 * client would read an answer that is not its own. */
static int write_port(Bridge *b, const char *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(b->port, p, n);
                if (k < 0) {
                        struct pollfd pfd = { .fd = b->port, .events = POLLOUT };
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                return negative_errno();
                        if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
                                return negative_errno();
                        if ((pfd.revents & (POLLHUP | POLLERR)) && !(pfd.revents & POLLOUT) &&
                            port_stays_hung_up(b->port))
                                return -ENOTCONN;
                        continue;
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

int bridge_from_api(Bridge *b) {
        char buf[65536];

        for (;;) {
                ssize_t n = recv(b->api, buf, sizeof(buf), MSG_DONTWAIT);
                int r;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return 0;
                if (n <= 0)
                        return resend_pending(b);
                forget_pending(b);
                r = write_port(b, buf, (size_t) n);
                if (r < 0) {
                        /* No host client to take the answer: this connection's exchange is over. */
                        log_warning_errno(r, "Dropped %zd bytes of an answer: %m", n);
                        close_api(b);
                        return r;
                }
        }
}

int bridge_from_port_readable(Bridge *b) {
        char buf[65536];
        ssize_t n = read(b->port, buf, sizeof(buf));
        int r;

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0; /* readiness that was gone by the time of the read: a hang-up undone, say */
        if (n < 0)
                return negative_errno();
        if (n == 0) {
                bridge_port_hangup(b);
                return 1;
        }
        r = bridge_from_port(b, buf, (size_t) n);
        return r < 0 ? 0 : r; /* the request is dropped (the API is not serving): the bridge goes on */
}

int bridge_run_once(Bridge *b, int timeout_ms) {
        struct pollfd p[2] = { { .fd = b->port, .events = POLLIN }, { .fd = b->api, .events = POLLIN } };
        int r = poll(p, b->api >= 0 ? 2 : 1, timeout_ms);

        if (r < 0)
                return errno == EINTR ? 0 : negative_errno();
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                r = bridge_from_port_readable(b);
                if (r < 0)
                        return r;
                /* With no host client the port polls readable and hung up without end (reads end of file):
                 * look again a little later, the API connection still served meanwhile. */
                if (r > 0) {
                        if (b->api < 0)
                                nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
                        else
                                (void) poll(&(struct pollfd){ .fd = b->api, .events = POLLIN }, 1, 100);
                }
        }
        /* Always safe: the API connection is read without blocking, whichever connection it now is. */
        if (b->api >= 0)
                (void) bridge_from_api(b);
        return 0;
}
