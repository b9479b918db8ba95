/* SPDX-License-Identifier: MIT */
/* bulkhead-api-bridge: lets the hypervisor's host reach the API. QEMU exposes a virtio-serial port
 * (org.bulkhead.api) whose host end is a Unix socket; whatever a host client writes there arrives on
 * /dev/virtio-ports/org.bulkhead.api. The bridge opens a connection to the API socket when bytes arrive
 * and relays both ways (bridge.c says how it keeps one client's request from being lost to the last one's
 * hang-up or to the server's idle timeout). A serial port carries one stream, so one host client is served
 * at a time, as QEMU accepts one. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "bridge.h"
#include "log.h"
#include "macro.h"

int main(int argc, char *argv[]) {
        const char *port_path = argc > 1 ? argv[1] : "/dev/virtio-ports/org.bulkhead.api";
        const char *api_path = argc > 2 ? argv[2] : "/run/api.sock";
        _cleanup_close_ int port = -EBADF;
        Bridge b;
        int r;

        log_set_program("bulkhead-api-bridge");
        /* Non-blocking: the port can poll readable for a hang-up that a reconnection has undone by the time
         * of the read, and a read that waited then would hold every answer back until the next request. */
        port = open(port_path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
        if (port < 0)
                return log_error_errno(negative_errno(), "Failed to open %s: %m", port_path), 1;
        log_info("relaying %s to %s", port_path, api_path);
        bridge_init(&b, port, api_path);
        do
                r = bridge_run_once(&b, -1);
        while (r >= 0);
        bridge_done(&b);
        return log_error_errno(r, "Failed to relay %s: %m", port_path), 1;
}
