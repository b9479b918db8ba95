/* SPDX-License-Identifier: MIT */
/* bulkhead-api-bridge: lets the hypervisor's host reach the API. QEMU exposes a virtio-serial port
 * (org.bulkhead.api) whose host end is a Unix socket; whatever a host client writes there arrives on
 * /dev/virtio-ports/org.bulkhead.api. The bridge opens a connection to the API socket when bytes arrive
 * and relays both ways until the host client goes away (the port reports hang-up) or the server closes.
 * A serial port carries one stream, so one host client is served at a time, as QEMU accepts one. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"

static int connect_api(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return negative_errno();
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return negative_errno();
        return TAKE_FD(fd);
}

/* Copies what is readable on from to to. Returns bytes copied, 0 at end of stream, <0 on error. */
static ssize_t relay(int from, int to) {
        char buf[65536];
        ssize_t n = read(from, buf, sizeof(buf));

        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 1 : negative_errno();
        if (n > 0) {
                int r = loop_write(to, buf, (size_t) n);
                if (r < 0)
                        return r;
        }
        return n;
}

int main(int argc, char *argv[]) {
        const char *port_path = argc > 1 ? argv[1] : "/dev/virtio-ports/org.bulkhead.api";
        const char *api_path = argc > 2 ? argv[2] : "/run/api.sock";
        _cleanup_close_ int port = -EBADF;
        int api = -EBADF;

        log_set_program("bulkhead-api-bridge");
        port = open(port_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (port < 0)
                return log_error_errno(negative_errno(), "Failed to open %s: %m", port_path), 1;
        log_info("relaying %s to %s", port_path, api_path);

        for (;;) {
                struct pollfd p[2] = { { .fd = port, .events = POLLIN }, { .fd = api, .events = POLLIN } };
                char buf[65536];
                ssize_t n;

                if (poll(p, api >= 0 ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(negative_errno(), "poll: %m"), 1;
                }
                if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                        /* With no host client the port polls readable and hung up, and reads end of file:
                         * the client went away. End the API connection and look again a little later. */
                        n = read(port, buf, sizeof(buf));
                        if (n <= 0) {
                                if (n < 0 && errno == EINTR)
                                        continue;
                                api = safe_close(api);
                                nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
                                continue;
                        }
                        if (api < 0) {
                                api = connect_api(api_path);
                                if (api < 0) {
                                        /* The request is dropped: the host client sees no answer and times
                                         * out, which says what is true, that the API is not serving. */
                                        log_warning_errno(api, "Failed to connect to %s: %m", api_path);
                                        api = -EBADF;
                                        continue;
                                }
                        }
                        if (loop_write(api, buf, (size_t) n) < 0)
                                api = safe_close(api);
                }
                if (api >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
                        n = relay(api, port);
                        if (n <= 0)
                                api = safe_close(api);
                }
        }
}
