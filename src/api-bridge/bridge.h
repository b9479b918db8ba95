/* SPDX-License-Identifier: MIT */
/* The relay between the hypervisor's serial port and the API socket, as steps the main loop (and the tests)
 * drive: bytes from the port, the port's hang-up, bytes from the API. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "api.h"

/* What is kept of a request for sending again: an API body plus its head, well over any request a client
 * makes. A larger one is relayed but not kept. */
#define BRIDGE_PENDING_MAX (API_MAX_BODY + 64 * 1024)

/* How long a hang-up must last to be the waiting client's own rather than an earlier one's, seen late. */
#define BRIDGE_HANGUP_WAIT_MS 500

typedef struct Bridge {
        const char *api_path;
        int port;             /* the serial port; the caller owns it */
        int api;              /* the connection to the API server, or -EBADF */
        unsigned connections; /* made so far */
        char *pending;        /* bytes sent on api since the server last answered */
        size_t pending_len;
        bool pending_lost;   /* more than BRIDGE_PENDING_MAX: cannot be sent again */
        bool pending_resent; /* already sent once more: a second close without an answer drops it */
        unsigned resent;     /* times pending went out again on a new connection */
} Bridge;

void bridge_init(Bridge *b, int port, const char *api_path);
void bridge_done(Bridge *b);

/* A host client's bytes: to the API, connecting first if there is no connection. <0 when the API could not
 * be reached (the bytes are dropped, and the client sees no answer: the API is not serving). */
int bridge_from_port(Bridge *b, const void *buf, size_t n);

/* The port hung up: a host client went away. Takes up to BRIDGE_HANGUP_WAIT_MS. */
void bridge_port_hangup(Bridge *b);

/* What the API connection has (without waiting): its bytes to the port; its close, if pending was not
 * answered, sends pending once more. <0 when the answer could not be written to the port (no client). */
int bridge_from_api(Bridge *b);

/* The port polled readable: a read that does not wait, then bridge_from_port() or bridge_port_hangup().
 * 1 when the port was hung up (no host client), 0 otherwise, <0 when the port failed. */
int bridge_from_port_readable(Bridge *b);

/* One poll of both sides, up to timeout_ms, and what it found handled. The port must be non-blocking. */
int bridge_run_once(Bridge *b, int timeout_ms);
