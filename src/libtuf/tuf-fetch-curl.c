/* SPDX-License-Identifier: MIT */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tuf-error.h"
#include "tuf-fetch.h"

#define MAX_REDIRECTS   5
#define CONNECT_TIMEOUT 30L
/* Below 1 KiB/s for 30 s counts as stalled: a mirror that trickles bytes must not hold the update. */
#define LOW_SPEED_LIMIT 1024L
#define LOW_SPEED_TIME  30L

typedef struct CurlFetcher {
        TufFetcher base;
        CURL *curl;
        char *base_url[2]; /* by TufArea, without a trailing '/' */
} CurlFetcher;

typedef struct Transfer {
        TufSink sink;
        void *userdata;
        uint64_t max_size, size;
        int error;
} Transfer;

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userdata) {
        Transfer *t = userdata;
        size_t n = size * nmemb;
        int r;

        if (n > t->max_size - t->size) {
                t->error = -EFBIG;
                return 0; /* anything but n aborts the transfer */
        }
        t->size += n;
        r = t->sink(data, n, t->userdata);
        if (r < 0) {
                t->error = r;
                return 0;
        }
        return n;
}

/* Percent-encodes each path component; the '/' between them stay separators. */
static int build_url(CurlFetcher *c, TufArea area, const char *name, char **ret) {
        _cleanup_free_ char *url = strdup(c->base_url[area]);

        if (!url)
                return -ENOMEM;
        for (const char *p = name; *p;) {
                size_t n = strcspn(p, "/");
                char *part = curl_easy_escape(c->curl, p, (int) n), *joined;
                int k;

                if (!part)
                        return -ENOMEM;
                k = asprintf(&joined, "%s/%s", url, part);
                curl_free(part);
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

static int curl_fetch(TufFetcher *f, TufArea area, const char *name, uint64_t max_size, TufSink sink,
                      void *userdata, char **ret_error) {
        CurlFetcher *c = (CurlFetcher *) f;
        Transfer t = { .sink = sink, .userdata = userdata, .max_size = max_size };
        _cleanup_free_ char *url = NULL;
        char errbuf[CURL_ERROR_SIZE] = "";
        CURLcode code;
        long status = 0;
        int r;

        if (!tuf_path_is_safe(name))
                return tuf_error(ret_error, -EINVAL, "'%s' is not a safe relative path", name);
        r = build_url(c, area, name, &url);
        if (r < 0)
                return r;
        curl_easy_reset(c->curl);
        if (curl_easy_setopt(c->curl, CURLOPT_URL, url) != CURLE_OK ||
            curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https,file") != CURLE_OK ||
            curl_easy_setopt(c->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
            curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
            curl_easy_setopt(c->curl, CURLOPT_MAXREDIRS, (long) MAX_REDIRECTS) != CURLE_OK ||
            curl_easy_setopt(c->curl, CURLOPT_FAILONERROR, 1L) != CURLE_OK ||
            curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT) != CURLE_OK ||
            curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_LIMIT) != CURLE_OK ||
            curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_TIME) != CURLE_OK ||
            curl_easy_setopt(c->curl, CURLOPT_MAXFILESIZE_LARGE,
                             (curl_off_t) MIN(max_size, (uint64_t) INT64_MAX)) != CURLE_OK ||
            curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "bulkhead-update/" BULKHEAD_VERSION) != CURLE_OK ||
            curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
            curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, write_cb) != CURLE_OK ||
            curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &t) != CURLE_OK)
                return tuf_error(ret_error, -EINVAL, "cannot set up the download of '%s'", url);
        code = curl_easy_perform(c->curl);
        (void) curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
        if (t.error < 0)
                return t.error;
        if (code == CURLE_OK)
                return 0;
        r = map_error(code, status);
        if (r == -ENOENT || r == -EFBIG)
                return r;
        return tuf_error(ret_error, r, "%s: %s", url, *errbuf ? errbuf : curl_easy_strerror(code));
}

static void curl_fetcher_free(TufFetcher *f) {
        CurlFetcher *c = (CurlFetcher *) f;

        curl_easy_cleanup(c->curl);
        free(c->base_url[0]);
        free(c->base_url[1]);
        free(c);
        curl_global_cleanup();
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

        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return tuf_error(ret_error, -EIO, "cannot initialize libcurl");
        c = calloc(1, sizeof(CurlFetcher));
        if (!c) {
                curl_global_cleanup();
                return -ENOMEM;
        }
        c->base = (TufFetcher){ .fetch = curl_fetch, .free = curl_fetcher_free };
        c->curl = curl_easy_init();
        c->base_url[TUF_AREA_METADATA] = strip_slashes(metadata_url);
        c->base_url[TUF_AREA_TARGETS] = strip_slashes(targets_url);
        if (!c->curl || !c->base_url[0] || !c->base_url[1]) {
                curl_fetcher_free(&c->base);
                return -ENOMEM;
        }
        *ret = &c->base;
        return 0;
}
