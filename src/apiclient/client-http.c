/* SPDX-License-Identifier: MIT */
#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "macro.h"

#define MAX_ANSWER (64 * 1024 * 1024)

typedef struct Buffer {
        char *data;
        size_t len;
} Buffer;

static size_t on_data(char *ptr, size_t size, size_t n, void *userdata) {
        Buffer *b = userdata;
        size_t k = size * n;
        char *d;

        if (b->len + k > MAX_ANSWER)
                return 0; /* curl reports a write error: the answer is not what an API server sends */
        d = realloc(b->data, b->len + k + 1);
        if (!d)
                return 0;
        memcpy(d + b->len, ptr, k);
        b->data = d;
        b->len += k;
        b->data[b->len] = 0;
        return k;
}

int client_call_within(const ClientOptions *o, const char *method, const char *path, const char *body,
                       long seconds, long *ret_status, char **ret_body) {
        Buffer b = { .data = strdup("") };
        struct curl_slist *headers = NULL;
        _cleanup_free_ char *url = NULL;
        CURLcode c;
        CURL *curl;

        if (!b.data || asprintf(&url, "http://localhost%s", path) < 0)
                return free(b.data), -ENOMEM;
        curl = curl_easy_init();
        if (!curl)
                return free(b.data), -ENOMEM;
        curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, o->socket);
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, seconds);
        if (body) {
                headers = curl_slist_append(headers, "Content-Type: application/json");
                headers = curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */
                curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
                curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
                curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long) strlen(body));
        }
        c = curl_easy_perform(curl);
        if (c == CURLE_OK)
                curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, ret_status);
        curl_slist_free_all(headers);
        curl_easy_cleanup(curl);
        if (c != CURLE_OK) {
                free(b.data);
                *ret_body = NULL;
                if (asprintf(ret_body, "%s: %s", o->socket, curl_easy_strerror(c)) < 0)
                        *ret_body = NULL;
                return -EIO;
        }
        *ret_body = b.data;
        return 0;
}

int client_call(const ClientOptions *o, const char *method, const char *path, const char *body,
                long *ret_status, char **ret_body) {
        return client_call_within(o, method, path, body, 600L, ret_status, ret_body);
}

void client_print_error(long status, const char *body) {
        struct json_object *o = json_tokener_parse(body), *e, *k;

        if (o && json_object_object_get_ex(o, "error", &e)) {
                if (json_object_object_get_ex(o, "key", &k) && k)
                        fprintf(stderr, "apiclient: %s: %s (HTTP %ld)\n", json_object_get_string(k),
                                json_object_get_string(e), status);
                else
                        fprintf(stderr, "apiclient: %s (HTTP %ld)\n", json_object_get_string(e), status);
        } else
                fprintf(stderr, "apiclient: HTTP %ld: %s\n", status, body);
        json_object_put(o);
}

int client_request(const ClientOptions *o, const char *method, const char *path, const char *body,
                   bool print_body) {
        _cleanup_free_ char *answer = NULL;
        long status = 0;

        if (client_call(o, method, path, body, &status, &answer) < 0) {
                fprintf(stderr, "apiclient: no answer from the API server at %s\n",
                        answer ? answer : o->socket);
                return EXIT_UNAVAILABLE;
        }
        if (status >= 400) {
                client_print_error(status, answer);
                return status >= 500 ? EXIT_UNAVAILABLE : EXIT_REFUSED;
        }
        if (print_body && *answer) {
                struct json_object *j = json_tokener_parse(answer);
                /* People get indented JSON; programs (--json) get it as the server sent it. */
                if (j && !o->json)
                        printf("%s\n", json_object_to_json_string_ext(
                                               j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE));
                else
                        printf("%s\n", answer);
                json_object_put(j);
        }
        return EXIT_OK;
}
