/* SPDX-License-Identifier: MIT */
/* apiserver: Bulkhead's settings API, HTTP/1.1 + JSON on a Unix socket (docs/decisions/0004-settings-api.md).
 * Single-threaded: libmicrohttpd runs inside an sd-event loop, which also handles SIGTERM. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "api-context.h"
#include "api-http.h"
#include "log.h"

static const char *arg_socket = "/run/api.sock";
static const char *arg_os_release = "/usr/lib/os-release";
static unsigned arg_mode = 0660;

static void help(void) {
        printf("Usage: apiserver [--socket PATH] [--socket-mode OCTAL] [--os-release FILE]\n"
               "Serves the settings API on a Unix socket (default %s, mode 0660).\n",
               arg_socket);
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_SOCKET = 0x100, ARG_MODE, ARG_OS_RELEASE };
        static const struct option options[] = {
                { "socket", required_argument, NULL, ARG_SOCKET },
                { "socket-mode", required_argument, NULL, ARG_MODE },
                { "os-release", required_argument, NULL, ARG_OS_RELEASE },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        char *end;
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_SOCKET:
                        arg_socket = optarg;
                        break;
                case ARG_MODE:
                        arg_mode = (unsigned) strtoul(optarg, &end, 8);
                        if (*end || arg_mode > 0777) {
                                log_error("--socket-mode: '%s' is not an octal file mode", optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_OS_RELEASE:
                        arg_os_release = optarg;
                        break;
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                log_error("unexpected argument '%s'", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

int main(int argc, char *argv[]) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        _cleanup_(api_server_freep) ApiServer *server = NULL;
        ApiContext ctx = { .os_release = arg_os_release };
        int fd, r;

        log_set_program("apiserver");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        ctx.os_release = arg_os_release;

        r = sd_event_default(&e);
        if (r < 0)
                return log_error_errno(r, "Failed to create the event loop: %m"), EXIT_FAILURE;
        (void) sd_event_set_signal_exit(e, true);
        r = api_listen_unix(arg_socket, arg_mode, &fd);
        if (r < 0)
                return log_error_errno(r, "Failed to listen on %s: %m", arg_socket), EXIT_FAILURE;
        r = api_server_new(e, fd, &ctx, api_routes, api_n_routes, &server);
        if (r < 0)
                return log_error_errno(r, "Failed to start the HTTP server: %m"), EXIT_FAILURE;

        log_info("serving on %s", arg_socket);
        (void) sd_notify(false, "READY=1\nSTATUS=Serving the settings API");
        r = sd_event_loop(e);
        (void) sd_notify(false, "STOPPING=1");
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
