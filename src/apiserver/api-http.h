/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-event.h>

#include "api.h"

/* libmicrohttpd driven by sd-event: MHD runs without threads of its own; its epoll descriptor and its
 * timeout are sources of the caller's event loop, so one thread serves every connection. */
typedef struct ApiServer ApiServer;

/* Serves HTTP/1.1 on listen_fd (a bound, listening socket; ownership passes to the server). */
int api_server_new(sd_event *e, int listen_fd, ApiContext *ctx, const ApiRoute *routes, size_t n_routes,
                   ApiServer **ret);
ApiServer *api_server_free(ApiServer *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(ApiServer *, api_server_free);

/* Creates the Unix socket at path (replacing a stale one) with the given mode and group (gid (gid_t) -1:
 * leave it), listening. */
int api_listen_unix(const char *path, unsigned mode, gid_t gid, int *ret_fd);
