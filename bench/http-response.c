/* SPDX-License-Identifier: MIT */
/* A minimal HTTP/1.x response parser for the benchmark client: just what it needs to find where one
 * response ends on a keep-alive connection and whether the server will close it. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "http-response.h"
#include "macro.h"

#define CHUNK_LINE_MAX 64 /* a chunk size line with a short extension */

static bool is_tchar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static int hex_value(char c) {
        if (is_digit(c))
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* value[0..n) equals token, ignoring case. */
static bool token_eq(const char *value, size_t n, const char *token) {
        return n == strlen(token) && strncasecmp(value, token, n) == 0;
}

/* Whether the comma-separated list value[0..n) holds token (Connection: keep-alive, close). */
static bool list_has(const char *value, size_t n, const char *token) {
        size_t i = 0;

        while (i < n) {
                size_t start, end;

                while (i < n && (value[i] == ' ' || value[i] == '\t' || value[i] == ','))
                        i++;
                start = i;
                while (i < n && value[i] != ',')
                        i++;
                end = i;
                while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t'))
                        end--;
                if (token_eq(value + start, end - start, token))
                        return true;
        }
        return false;
}

/* "HTTP/1.x SSS reason": the status, and whether the version is 1.0. */
static int parse_status_line(const char *line, size_t n, unsigned *ret_status, bool *ret_http10) {
        if (n < 12 || memcmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') ||
            line[8] != ' ' || !is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]) ||
            (n > 12 && line[12] != ' '))
                return -EBADMSG;
        *ret_status = (unsigned) ((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
        if (*ret_status < 100)
                return -EBADMSG;
        *ret_http10 = line[7] == '0';
        return 0;
}

static int parse_content_length(const char *value, size_t n, size_t *ret) {
        size_t v = 0;

        if (n == 0)
                return -EBADMSG;
        for (size_t i = 0; i < n; i++) {
                if (!is_digit(value[i]))
                        return -EBADMSG;
                v = v * 10 + (size_t) (value[i] - '0');
                if (v > HTTP_BODY_MAX)
                        return -E2BIG;
        }
        *ret = v;
        return 0;
}

typedef struct Head {
        size_t content_length; /* SIZE_MAX: none given */
        bool chunked;
        bool close;
        bool keep_alive;
} Head;

/* One "Name: value" line, no CRLF. */
static int parse_header(const char *line, size_t n, Head *h) {
        const char *colon = memchr(line, ':', n);
        const char *value;
        size_t name_len, value_len;
        int r;

        if (!colon || colon == line)
                return -EBADMSG;
        name_len = (size_t) (colon - line);
        for (size_t i = 0; i < name_len; i++)
                if (!is_tchar(line[i]))
                        return -EBADMSG; /* also refuses obsolete line folding and space before the colon */
        value = colon + 1;
        value_len = n - name_len - 1;
        while (value_len > 0 && (*value == ' ' || *value == '\t'))
                value++, value_len--;
        while (value_len > 0 && (value[value_len - 1] == ' ' || value[value_len - 1] == '\t'))
                value_len--;

        if (token_eq(line, name_len, "Content-Length")) {
                size_t v;
                r = parse_content_length(value, value_len, &v);
                if (r < 0)
                        return r;
                if (h->content_length != SIZE_MAX && h->content_length != v)
                        return -EBADMSG;
                h->content_length = v;
        } else if (token_eq(line, name_len, "Transfer-Encoding")) {
                if (!token_eq(value, value_len, "chunked"))
                        return -ENOTSUP;
                h->chunked = true;
        } else if (token_eq(line, name_len, "Connection")) {
                h->close = h->close || list_has(value, value_len, "close");
                h->keep_alive = h->keep_alive || list_has(value, value_len, "keep-alive");
        }
        return 0;
}

/* The decoded length and end of a chunked body starting at buf[off]: 1 when whole, 0 when incomplete. */
static int parse_chunked(const char *buf, size_t len, size_t off, size_t *ret_body_len, size_t *ret_end) {
        size_t body = 0;

        for (;;) {
                const char *eol = memmem(buf + off, len - off, "\r\n", 2);
                size_t line_len, size = 0, i = 0;

                if (!eol)
                        return len - off > CHUNK_LINE_MAX ? -EBADMSG : 0;
                line_len = (size_t) (eol - (buf + off));
                if (line_len > CHUNK_LINE_MAX)
                        return -EBADMSG;
                for (; i < line_len && hex_value(buf[off + i]) >= 0; i++) {
                        size = size * 16 + (size_t) hex_value(buf[off + i]);
                        if (size > HTTP_BODY_MAX)
                                return -E2BIG;
                }
                if (i == 0 ||
                    (i < line_len && buf[off + i] != ';' && buf[off + i] != ' ' && buf[off + i] != '\t'))
                        return -EBADMSG;
                off += line_len + 2;
                if (size == 0)
                        break;
                body += size;
                if (body > HTTP_BODY_MAX)
                        return -E2BIG;
                if (len - off < size + 2)
                        return 0;
                if (memcmp(buf + off + size, "\r\n", 2) != 0)
                        return -EBADMSG;
                off += size + 2;
        }
        /* Trailer fields, then the empty line. */
        for (;;) {
                const char *eol = memmem(buf + off, len - off, "\r\n", 2);

                if (!eol)
                        return len - off > HTTP_HEAD_MAX ? -E2BIG : 0;
                if (eol == buf + off) {
                        *ret_body_len = body;
                        *ret_end = off + 2;
                        return 1;
                }
                off = (size_t) (eol - buf) + 2;
        }
}

int http_response_parse(const char *buf, size_t len, HttpResponse *ret) {
        const char *end = memmem(buf, MIN(len, (size_t) HTTP_HEAD_MAX), "\r\n\r\n", 4);
        Head h = { .content_length = SIZE_MAX };
        HttpResponse resp = {};
        const char *line, *eol;
        bool http10;
        int r;

        if (!end)
                return len >= HTTP_HEAD_MAX ? -E2BIG : 0;
        resp.head_len = resp.body_off = (size_t) (end - buf) + 4;

        eol = memmem(buf, resp.head_len, "\r\n", 2);
        r = parse_status_line(buf, (size_t) (eol - buf), &resp.status, &http10);
        if (r < 0)
                return r;
        for (line = eol + 2; line < end + 2; line = eol + 2) {
                eol = memmem(line, (size_t) (end + 2 - line), "\r\n", 2);
                r = parse_header(line, (size_t) (eol - line), &h);
                if (r < 0)
                        return r;
        }
        resp.close = h.close || (http10 && !h.keep_alive);

        if (resp.status < 200)
                return -ENOTSUP; /* interim responses: this client never sends Expect or upgrades */
        if (resp.status == 204 || resp.status == 304) {
                resp.length = resp.head_len;
        } else if (h.chunked) {
                resp.chunked = true;
                r = parse_chunked(buf, len, resp.head_len, &resp.body_len, &resp.length);
                if (r <= 0)
                        return r;
        } else if (h.content_length != SIZE_MAX) {
                resp.body_len = h.content_length;
                resp.length = resp.head_len + h.content_length;
                if (len < resp.length)
                        return 0;
        } else {
                return -ENOTSUP;
        }
        *ret = resp;
        return 1;
}
