/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Bounds on what a benchmark client accepts: the answers measured are a few KiB at most. */
#define HTTP_HEAD_MAX 16384
#define HTTP_BODY_MAX (1024 * 1024)

typedef struct HttpResponse {
        unsigned status;
        size_t head_len; /* status line and headers, through the empty line */
        size_t body_off; /* where the body starts (== head_len) */
        size_t body_len; /* the body's bytes; for chunked, the decoded length */
        size_t length;   /* bytes of buf the whole response took */
        bool chunked;
        bool close; /* the server closes the connection after this response */
} HttpResponse;

/* Parses one HTTP/1.x response at the start of buf: status line, Content-Length or chunked framing, and
 * Connection. Returns 1 and sets *ret when buf holds the whole response, 0 when more bytes are needed,
 * -EBADMSG when the response is malformed, -E2BIG past HTTP_HEAD_MAX or HTTP_BODY_MAX, -ENOTSUP for a body
 * delimited only by the end of the connection (a keep-alive client cannot tell where it ends). */
int http_response_parse(const char *buf, size_t len, HttpResponse *ret);
