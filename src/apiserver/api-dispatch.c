/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

void api_respond(ApiResponse *resp, unsigned status, struct json_object *body) {
        free(resp->body);
        resp->status = status;
        resp->body = body ? strdup(json_object_to_json_string_ext(
                                    body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE))
                          : NULL;
        if (body && !resp->body)
                resp->status = 500;
}

void api_respond_text(ApiResponse *resp, unsigned status, const char *json_text) {
        free(resp->body);
        resp->status = status;
        resp->body = strdup(json_text);
        if (!resp->body)
                resp->status = 500;
}

void api_respond_error(ApiResponse *resp, unsigned status, const char *key, const char *fmt, ...) {
        struct json_object *o = json_object_new_object();
        char reason[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(reason, sizeof(reason), fmt, ap);
        va_end(ap);
        json_object_object_add(o, "error", json_object_new_string(reason));
        json_object_object_add(o, "key", key ? json_object_new_string(key) : NULL);
        api_respond(resp, status, o);
        json_object_put(o);
}

void api_response_done(ApiResponse *resp) {
        free(resp->body);
        resp->body = NULL;
}

const char *api_query(const ApiRequest *req, const char *name) {
        struct json_object *v;

        if (!req->query || !json_object_object_get_ex(req->query, name, &v))
                return NULL;
        return json_object_get_string(v);
}

/* Counts leaves and checks depth; returns -E2BIG past the limits. */
static int check_shape(struct json_object *o, unsigned depth, size_t *leaves) {
        if (depth > API_MAX_DEPTH)
                return -E2BIG;
        if (json_object_is_type(o, json_type_object)) {
                json_object_object_foreach(o, k, v) {
                        (void) k;
                        int r = check_shape(v, depth + 1, leaves);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (json_object_is_type(o, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(o); i++) {
                        int r = check_shape(json_object_array_get_idx(o, i), depth + 1, leaves);
                        if (r < 0)
                                return r;
                }
        }
        return ++*leaves > API_MAX_KEYS ? -E2BIG : 0;
}

struct json_object *api_body_json(const ApiRequest *req, ApiResponse *resp) {
        struct json_tokener *tok;
        struct json_object *o;
        size_t leaves = 0;

        if (req->body_len > API_MAX_BODY) {
                api_respond_error(resp, 413, NULL, "request body is larger than %d bytes", API_MAX_BODY);
                return NULL;
        }
        tok = json_tokener_new_ex(API_MAX_DEPTH + 1);
        if (!tok) {
                api_respond_error(resp, 500, NULL, "out of memory");
                return NULL;
        }
        o = json_tokener_parse_ex(tok, req->body, (int) req->body_len);
        if (!o || json_tokener_get_error(tok) != json_tokener_success ||
            json_tokener_get_parse_end(tok) != req->body_len) {
                enum json_tokener_error e = json_tokener_get_error(tok);
                api_respond_error(resp, 400, NULL, "request body is not JSON: %s at byte %zu",
                                  e == json_tokener_success ? "trailing data" : json_tokener_error_desc(e),
                                  json_tokener_get_parse_end(tok));
                json_object_put(o);
                json_tokener_free(tok);
                return NULL;
        }
        json_tokener_free(tok);
        if (!json_object_is_type(o, json_type_object) && !json_object_is_type(o, json_type_array)) {
                api_respond_error(resp, 400, NULL, "request body must be a JSON object or list");
                json_object_put(o);
                return NULL;
        }
        if (check_shape(o, 0, &leaves) < 0) {
                api_respond_error(resp, 413, NULL,
                                  "request body has more than %d keys or is nested deeper than %d",
                                  API_MAX_KEYS, API_MAX_DEPTH);
                json_object_put(o);
                return NULL;
        }
        return o;
}

void api_dispatch(ApiContext *ctx, const ApiRoute *routes, size_t n_routes, const ApiRequest *req,
                  ApiResponse *resp) {
        bool path_known = false;

        for (size_t i = 0; i < n_routes; i++) {
                if (!streq(routes[i].path, req->path))
                        continue;
                path_known = true;
                if (streq(routes[i].method, req->method)) {
                        routes[i].handler(ctx, req, resp);
                        return;
                }
        }
        if (path_known)
                api_respond_error(resp, 405, NULL, "method %s is not allowed on %s", req->method, req->path);
        else
                api_respond_error(resp, 404, NULL, "no such endpoint: %s", req->path);
}
