/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tuf-content-range.h"
#include "tuf-curl-dl.h"
#include "tuf-error.h"
#include "tuf-fetch.h"

#define MAX_REDIRECTS   5
#define CONNECT_TIMEOUT 30L
/* Below 1 KiB/s for 30 s counts as stalled: a mirror that trickles bytes must not hold the update. */
#define LOW_SPEED_LIMIT 1024L
#define LOW_SPEED_TIME  30L

typedef struct CurlFetcher {
        TufFetcher base;
        /* Kept from one fetch to the next, for its connection; a fetch that finds it in use (two threads
         * fetching at once) takes a handle of its own. */
        CURL *curl;
        pthread_mutex_t lock;
        bool busy;
        char *base_url[2]; /* by TufArea, without a trailing '/' */
        bool http[2];      /* the base URL is http(s): ranges and resumes apply */
} CurlFetcher;

/* One fetch, over all its attempts. */
typedef struct Transfer {
        CURL *curl;
        TufSink sink;
        void *userdata;
        uint64_t max_size;
        uint64_t size; /* bytes given to the sink, over every attempt */
        uint64_t from; /* where this attempt's request starts: 0, or the offset it resumes at */
        uint64_t skip; /* bytes of this response still to drop: the server ignored the Range */
        bool checked;  /* this response's status and Content-Range were looked at */
        int error;     /* why a callback aborted the transfer */
        char *why;     /* and the message */
} Transfer;

static int transfer_fail(Transfer *t, int error, const char *fmt, ...) _printf_(3, 4);
static int transfer_fail(Transfer *t, int error, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        free(t->why);
        if (vasprintf(&t->why, fmt, ap) < 0)
                t->why = NULL;
        va_end(ap);
        return t->error = error;
}

/* A resumed request must be answered with the rest of the file (206 from byte `from`) or the whole file
 * again (200: a server without range support). Anything else would put wrong bytes into the sink. */
static int check_resumed_response(Transfer *t) {
        struct curl_header *h = NULL;
        TufContentRange cr;
        long status = 0;

        t->checked = true;
        (void) tuf_curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status == 200) {
                t->skip = t->from;
                return 0;
        }
        if (status != 206)
                return transfer_fail(t, -EBADMSG, "resuming at byte %" PRIu64 ": the server answered %ld",
                                     t->from, status);
        if (sym_curl_easy_header(t->curl, "Content-Range", 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
                return transfer_fail(t, -EBADMSG,
                                     "resuming at byte %" PRIu64 ": 206 response without Content-Range",
                                     t->from);
        if (tuf_content_range_parse(h->value, &cr) < 0)
                return transfer_fail(t, -EBADMSG,
                                     "resuming at byte %" PRIu64 ": Content-Range '%s' is not valid",
                                     t->from, h->value);
        if (cr.first != t->from)
                return transfer_fail(t, -EBADMSG,
                                     "resuming at byte %" PRIu64 ": the server sent bytes from %" PRIu64
                                     " (Content-Range '%s')",
                                     t->from, cr.first, h->value);
        return 0;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userdata) {
        Transfer *t = userdata;
        size_t n = size * nmemb, skip, k;
        int r;

        if (t->from > 0 && !t->checked && check_resumed_response(t) < 0)
                return 0; /* anything but n aborts the transfer */
        skip = (size_t) MIN((uint64_t) n, t->skip);
        t->skip -= skip;
        k = n - skip;
        if (k == 0)
                return n;
        if (k > t->max_size - t->size) {
                t->error = -EFBIG;
                return 0;
        }
        t->size += k;
        r = t->sink(data + skip, k, t->userdata);
        if (r < 0) {
                t->error = r;
                return 0;
        }
        return n;
}

/* Percent-encodes each path component; the '/' between them stay separators. */
static int build_url(CurlFetcher *c, CURL *curl, TufArea area, const char *name, char **ret) {
        _cleanup_free_ char *url = strdup(c->base_url[area]);

        if (!url)
                return -ENOMEM;
        for (const char *p = name; *p;) {
                size_t n = strcspn(p, "/");
                char *part = sym_curl_easy_escape(curl, p, (int) n), *joined;
                int k;

                if (!part)
                        return -ENOMEM;
                k = asprintf(&joined, "%s/%s", url, part);
                sym_curl_free(part);
                if (k < 0)
                        return -ENOMEM;
                free(url);
                url = joined;
                p += n + (p[n] == '/');
        }
        *ret = TAKE_PTR(url);
        return 0;
}

static int map_error(CURLcode code, long status) {
        switch (code) {
        case CURLE_FILE_COULDNT_READ_FILE:
                return -ENOENT;
        case CURLE_HTTP_RETURNED_ERROR:
                /* Repositories answer 403 for missing objects as often as 404 (S3 without list rights). */
                return status == 404 || status == 403 || status == 410 ? -ENOENT : -EIO;
        case CURLE_FILESIZE_EXCEEDED:
                return -EFBIG;
        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
                return -EHOSTUNREACH;
        case CURLE_OUT_OF_MEMORY:
                return -ENOMEM;
        default:
                return -EIO;
        }
}

/* Whether a transfer that failed with code may succeed if tried again: the connection broke, stalled or
 * ended before the body did. A refused connection counts only once bytes have arrived (a server that
 * restarts mid-download); before that, the repository is just not there, and waiting does not help. */
static bool broke_off(CURLcode code, uint64_t received) {
        switch (code) {
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
                return true;
        case CURLE_COULDNT_CONNECT:
                return received > 0;
        default:
                return false;
        }
}

static int setup(CURL *curl, const char *url, Transfer *t, char *errbuf) {
        char range[32];

        sym_curl_easy_reset(curl);
        if (tuf_curl_easy_setopt(curl, CURLOPT_URL, url) != CURLE_OK ||
            tuf_curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https,file") != CURLE_OK ||
            tuf_curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
            tuf_curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
            tuf_curl_easy_setopt(curl, CURLOPT_MAXREDIRS, (long) MAX_REDIRECTS) != CURLE_OK ||
            tuf_curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L) != CURLE_OK ||
            tuf_curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            tuf_curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT) != CURLE_OK ||
            tuf_curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_LIMIT) != CURLE_OK ||
            tuf_curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_TIME) != CURLE_OK ||
            tuf_curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                                 (curl_off_t) MIN(t->max_size, (uint64_t) INT64_MAX)) != CURLE_OK ||
            tuf_curl_easy_setopt(curl, CURLOPT_USERAGENT, "bulkhead-update/" BULKHEAD_VERSION) != CURLE_OK ||
            tuf_curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
            tuf_curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb) != CURLE_OK ||
            tuf_curl_easy_setopt(curl, CURLOPT_WRITEDATA, t) != CURLE_OK)
                return -EINVAL;
        /* CURLOPT_RANGE, not CURLOPT_RESUME_FROM: libcurl fails a resume that gets a 200, which we can
         * still use by skipping what the sink already has. */
        if (t->from > 0 && (!snprintf_ok(range, "%" PRIu64 "-", t->from) ||
                            tuf_curl_easy_setopt(curl, CURLOPT_RANGE, range) != CURLE_OK))
                return -EINVAL;
        return 0;
}

static int fetch_with(CurlFetcher *c, CURL *curl, TufArea area, const char *name, uint64_t max_size,
                      TufSink sink, void *userdata, char **ret_error) {
        Transfer t = { .curl = curl, .sink = sink, .userdata = userdata, .max_size = max_size };
        _cleanup_free_ char *url = NULL;
        int r;

        if (!tuf_path_is_safe(name))
                return tuf_error(ret_error, -EINVAL, "'%s' is not a safe relative path", name);
        r = build_url(c, curl, area, name, &url);
        if (r < 0)
                return r;
        for (unsigned attempt = 0;; attempt++) {
                char errbuf[CURL_ERROR_SIZE] = "", at[48] = "";
                CURLcode code;
                long status = 0;

                t.from = t.size;
                t.skip = 0;
                t.checked = false;
                if (setup(curl, url, &t, errbuf) < 0)
                        return tuf_error(ret_error, -EINVAL, "cannot set up the download of '%s'", url);
                code = sym_curl_easy_perform(curl);
                (void) tuf_curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
                /* An empty 206 or 200 calls no write callback: its status is checked here. */
                if (t.error == 0 && code == CURLE_OK && t.from > 0 && !t.checked)
                        (void) check_resumed_response(&t);
                if (t.error < 0) {
                        r = t.error == -EFBIG || !t.why
                                    ? t.error
                                    : tuf_error(ret_error, t.error, "%s: %s", url, t.why);
                        free(t.why);
                        return r;
                }
                if (code == CURLE_OK)
                        return 0;
                if (t.from > 0)
                        (void) snprintf_ok(at, " (resuming at byte %" PRIu64 ")", t.from);
                if (!*errbuf)
                        (void) snprintf_ok(errbuf, "%s", sym_curl_easy_strerror(code));
                if (!broke_off(code, t.size)) {
                        r = map_error(code, status);
                        if (r == -ENOENT || r == -EFBIG)
                                return r;
                        return tuf_error(ret_error, r, "%s: %s%s", url, errbuf, at);
                }
                /* Metadata is small, and a file like timestamp.json may change between two requests:
                 * the client fetches it again whole. */
                if (area == TUF_AREA_METADATA || !c->http[area])
                        return tuf_error(ret_error, -EAGAIN, "%s: %s%s", url, errbuf, at);
                /* Everything the bound allows is there: the client checks length and hashes. */
                if (t.size == t.max_size)
                        return 0;
                if (attempt == TUF_FETCH_RETRIES)
                        return tuf_error(ret_error, map_error(code, status),
                                         "%s: %s; broke off at byte %" PRIu64 ", gave up after %u resumes",
                                         url, errbuf, t.size, attempt);
                tuf_fetcher_notify(&c->base,
                                   "download of '%s' broke off at byte %" PRIu64
                                   " (%s); resuming at byte %" PRIu64 ", attempt %u of %u",
                                   name, t.size, errbuf, t.size, attempt + 1, TUF_FETCH_RETRIES);
                tuf_fetch_backoff(attempt + 1);
        }
}

static int curl_fetch(TufFetcher *f, TufArea area, const char *name, uint64_t max_size, TufSink sink,
                      void *userdata, char **ret_error) {
        CurlFetcher *c = (CurlFetcher *) f;
        CURL *curl;
        bool shared;
        int r;

        pthread_mutex_lock(&c->lock);
        shared = !c->busy;
        c->busy = true;
        pthread_mutex_unlock(&c->lock);
        curl = shared ? c->curl : sym_curl_easy_init();
        if (!curl)
                return -ENOMEM;
        r = fetch_with(c, curl, area, name, max_size, sink, userdata, ret_error);
        if (!shared) {
                sym_curl_easy_cleanup(curl);
                return r;
        }
        pthread_mutex_lock(&c->lock);
        c->busy = false;
        pthread_mutex_unlock(&c->lock);
        return r;
}

static void curl_fetcher_free(TufFetcher *f) {
        CurlFetcher *c = (CurlFetcher *) f;

        sym_curl_easy_cleanup(c->curl);
        pthread_mutex_destroy(&c->lock);
        free(c->base_url[0]);
        free(c->base_url[1]);
        free(c);
        tuf_curl_release();
}

static char *strip_slashes(const char *url) {
        size_t n = strlen(url);

        while (n > 0 && url[n - 1] == '/')
                n--;
        return strndup(url, n);
}

int tuf_fetcher_curl_new(const char *metadata_url, const char *targets_url, TufFetcher **ret,
                         char **ret_error) {
        CurlFetcher *c;
        int r;

        r = tuf_curl_acquire(ret_error);
        if (r < 0)
                return r;
        c = calloc(1, sizeof(CurlFetcher));
        if (!c) {
                tuf_curl_release();
                return -ENOMEM;
        }
        c->base = (TufFetcher){ .fetch = curl_fetch, .free = curl_fetcher_free };
        pthread_mutex_init(&c->lock, NULL);
        c->curl = sym_curl_easy_init();
        c->base_url[TUF_AREA_METADATA] = strip_slashes(metadata_url);
        c->base_url[TUF_AREA_TARGETS] = strip_slashes(targets_url);
        for (int i = 0; i < 2; i++)
                c->http[i] = c->base_url[i] && (strncasecmp(c->base_url[i], "http://", 7) == 0 ||
                                                strncasecmp(c->base_url[i], "https://", 8) == 0);
        if (!c->curl || !c->base_url[0] || !c->base_url[1]) {
                curl_fetcher_free(&c->base);
                return -ENOMEM;
        }
        *ret = &c->base;
        return 0;
}
