/* SPDX-License-Identifier: MIT */
/* The EC2 provider: the instance metadata service, IMDSv2 (a session token by PUT, then the user data with
 * it). It is the last source tried, so every machine that is not on EC2 asks it in vain: the timeouts are
 * short so that this costs the boot a second at most. IMDS hands user data over as the user gave it; the
 * base64 is only on the API that sets it. */
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "log.h"
#include "userdata-provider.h"

/* The service is link-local: it answers at once or not at all, and a machine elsewhere waits this long for
 * a connection nobody answers. */
#define IMDS_CONNECT_TIMEOUT_MS 1000L
/* Both requests together: IMDS answers in milliseconds, and the boot must not hang on one that does not. */
#define IMDS_TOTAL_TIMEOUT_MS 5000L
/* The token is used once, right away. */
#define IMDS_TOKEN_TTL_HEADER "X-aws-ec2-metadata-token-ttl-seconds: 60"
#define IMDS_TOKEN_HEADER     "X-aws-ec2-metadata-token: "
/* AWS's tokens are some dozens of characters; this only bounds what something else could send. */
#define IMDS_TOKEN_MAX 4096

DEFINE_TRIVIAL_CLEANUP_FUNC(CURL *, curl_easy_cleanup);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct curl_slist *, curl_slist_free_all);

typedef struct Body {
        char *data; /* NUL-terminated once anything came */
        size_t len, max;
        bool too_large, no_memory;
} Body;

static void body_done(Body *b) {
        free(b->data);
        b->data = NULL;
}

static size_t on_data(char *p, size_t size, size_t n, void *userdata) {
        Body *b = userdata;
        size_t k = size * n;
        char *q;

        /* Returning less than k makes curl stop with a write error; the flags say which. */
        if (k > b->max - b->len) {
                b->too_large = true;
                return 0;
        }
        q = realloc(b->data, b->len + k + 1);
        if (!q) {
                b->no_memory = true;
                return 0;
        }
        memcpy(q + b->len, p, k);
        b->len += k;
        q[b->len] = 0;
        b->data = q;
        return k;
}

static int64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One request with one header. Returns 0 with the HTTP status, -EFBIG when the body passed b->max,
 * -ENOMEM, or -EHOSTUNREACH/-ETIMEDOUT when no answer came, with curl's reason in *ret_reason. */
static int call(const char *method, const char *url, const char *header, long timeout_ms, Body *b,
                long *ret_status, const char **ret_reason) {
        _cleanup_(curl_slist_free_allp) struct curl_slist *headers = NULL;
        _cleanup_(curl_easy_cleanupp) CURL *curl = curl_easy_init();
        CURLcode c;

        headers = curl_slist_append(NULL, header);
        if (!curl || !headers)
                return -ENOMEM;
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        /* Plain HTTP to the one address, never a proxy from the environment and never a redirect: the
         * answer is only worth anything if it came from the hypervisor's link-local service. */
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http");
        curl_easy_setopt(curl, CURLOPT_PROXY, "");
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, MIN(IMDS_CONNECT_TIMEOUT_MS, timeout_ms));
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
        /* Refused up front when Content-Length says too much; on_data() counts when it does not say. */
        curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) b->max);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, b);
        c = curl_easy_perform(curl);
        if (b->no_memory)
                return -ENOMEM;
        if (b->too_large || c == CURLE_FILESIZE_EXCEEDED)
                return -EFBIG;
        if (c != CURLE_OK) {
                *ret_reason = curl_easy_strerror(c);
                return c == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EHOSTUNREACH;
        }
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, ret_status);
        return 0;
}

static int fail(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return r;
}

/* It goes into a header line: printable ASCII without spaces, or a wrong server could add headers. */
static bool token_valid(const Body *b) {
        if (b->len == 0)
                return false;
        for (size_t i = 0; i < b->len; i++)
                if (b->data[i] < 0x21 || b->data[i] > 0x7e)
                        return false;
        return true;
}

int provider_read_imds(const ProviderOptions *o, char **ret_data, size_t *ret_len, char **ret_error) {
        _cleanup_(body_done) Body token = { .max = IMDS_TOKEN_MAX }, data = { .max = USERDATA_MAX_SIZE };
        _cleanup_free_ char *token_url = NULL, *data_url = NULL, *header = NULL;
        size_t n = strlen(o->imds_url);
        int64_t start = now_ms();
        const char *reason = NULL;
        long status = 0, left;
        int r;

        while (n > 0 && o->imds_url[n - 1] == '/')
                n--;
        if (asprintf(&token_url, "%.*s/latest/api/token", (int) n, o->imds_url) < 0)
                return -ENOMEM;
        if (asprintf(&data_url, "%.*s/latest/user-data", (int) n, o->imds_url) < 0)
                return -ENOMEM;

        r = call("PUT", token_url, IMDS_TOKEN_TTL_HEADER, IMDS_TOTAL_TIMEOUT_MS, &token, &status, &reason);
        if (r == -ENOMEM)
                return r;
        if (r == -EHOSTUNREACH || r == -ETIMEDOUT) {
                /* Not on EC2: nothing there, or nothing that answers. */
                log_debug("No instance metadata service at %s: %s", token_url, reason);
                return -ENOENT;
        }
        /* Something answers at the address but is not IMDSv2 (another cloud's metadata service). */
        if (r == 0 && (status == 404 || status == 405)) {
                log_debug("%s answered HTTP %ld: not IMDSv2", token_url, status);
                return -ENOENT;
        }
        if (r == 0 && status != 200)
                return fail(ret_error, -EPROTO, "PUT %s: HTTP %ld", token_url, status);
        if (r < 0 || !token_valid(&token))
                return fail(ret_error, -EPROTO, "PUT %s: the answer is not a token", token_url);

        if (asprintf(&header, IMDS_TOKEN_HEADER "%s", token.data) < 0)
                return -ENOMEM;
        left = (long) (IMDS_TOTAL_TIMEOUT_MS - (now_ms() - start));
        if (left <= 0)
                return fail(ret_error, -ETIMEDOUT, "GET %s: no time left after the token", data_url);
        r = call("GET", data_url, header, left, &data, &status, &reason);
        if (r == -ENOMEM || r == -EFBIG)
                return r;
        /* IMDS answered the token a moment ago: no answer now is a failure, not a machine elsewhere. */
        if (r < 0)
                return fail(ret_error, r, "GET %s: %s", data_url, reason);
        if (status == 404)
                return -ENOENT; /* an instance launched without user data */
        if (status != 200)
                return fail(ret_error, -EPROTO, "GET %s: HTTP %ld", data_url, status);
        if (!data.data && !(data.data = strdup("")))
                return -ENOMEM;
        *ret_len = data.len;
        *ret_data = TAKE_PTR(data.data);
        return 0;
}
