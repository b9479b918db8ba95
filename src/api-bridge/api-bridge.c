/* SPDX-License-Identifier: MIT */
/* bulkhead-api-bridge: lets the hypervisor's host reach the API. QEMU exposes a virtio-serial port
 * (org.bulkhead.api) whose host end is a Unix socket; whatever a host client writes there arrives on
 * /dev/virtio-ports/org.bulkhead.api. The bridge opens a connection to the API socket when bytes arrive
 * and relays both ways (bridge.c says how it keeps one client's request from being lost to the last one's
 * hang-up or to the server's idle timeout). A serial port carries one stream, so one host client is served
 * at a time, as QEMU accepts one. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"
#include "log.h"
#include "macro.h"

int main(int argc, char *argv[]) {
        const char *port_path = argc > 1 ? argv[1] : "/dev/virtio-ports/org.bulkhead.api";
        const char *api_path = argc > 2 ? argv[2] : "/run/api.sock";
        _cleanup_close_ int port = -EBADF;
        Bridge b;

        log_set_program("bulkhead-api-bridge");
        port = open(port_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (port < 0)
                return log_error_errno(negative_errno(), "Failed to open %s: %m", port_path), 1;
        log_info("relaying %s to %s", port_path, api_path);
        bridge_init(&b, port, api_path);

        for (;;) {
                struct pollfd p[2] = { { .fd = port, .events = POLLIN }, { .fd = b.api, .events = POLLIN } };
                unsigned polled = b.connections;
                char buf[65536];
                ssize_t n;

                if (poll(p, b.api >= 0 ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(negative_errno(), "poll: %m"), 1;
                }
                if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                        /* With no host client the port polls readable and hung up, and reads end of file.
                         * Look again a little later (the API connection is still polled meanwhile). */
                        n = read(port, buf, sizeof(buf));
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0) {
                                bridge_port_hangup(&b);
                                if (b.api < 0)
                                        nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
                                else
                                        (void) poll(&(struct pollfd){ .fd = b.api, .events = POLLIN }, 1,
                                                    100);
                        } else
                                (void) bridge_from_port(&b, buf, (size_t) n);
                }
                /* The connection polled may have been replaced above: its events were the old one's. */
                if (b.api >= 0 && b.connections == polled && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
                        (void) bridge_from_api(&b);
        }
}
