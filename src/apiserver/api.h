/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "macro.h"

struct json_object;

/* The API server's request/response model, independent of the HTTP library, so routes and handlers are
 * unit-tested without a socket (docs/decisions/0004-settings-api.md). */

#define API_MAX_BODY  (1024 * 1024) /* bytes of a request body */
#define API_MAX_DEPTH 32            /* nesting of a JSON body */
#define API_MAX_KEYS  4096          /* leaves of a JSON body */

typedef struct ApiRequest {
        const char *method;
        const char *path;
        struct json_object *query; /* name -> string */
        const char *body;          /* NUL-terminated; "" when there is none */
        size_t body_len;
        pid_t pid; /* peer credentials of the connection, -1 when unknown */
        uid_t uid;
        gid_t gid;
} ApiRequest;

typedef struct ApiResponse {
        unsigned status;
        char *body; /* JSON text, or NULL for no body (204) */
} ApiResponse;

typedef struct ApiContext ApiContext;

/* One route: exact path and method. */
typedef void (*ApiHandler)(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
typedef struct ApiRoute {
        const char *method;
        const char *path;
        ApiHandler handler;
} ApiRoute;

/* Finds the route for req and runs it. Unknown paths answer 404, known paths with another method 405,
 * both with a JSON error body. */
void api_dispatch(ApiContext *ctx, const ApiRoute *routes, size_t n_routes, const ApiRequest *req,
                  ApiResponse *resp);

/* Answers with status and body (a reference to body is taken; NULL for no body). */
void api_respond(ApiResponse *resp, unsigned status, struct json_object *body);
/* Answers with a 4xx/5xx and {"error": "<reason>", "key": "<key>" | null}. */
void api_respond_error(ApiResponse *resp, unsigned status, const char *key, const char *fmt, ...)
        _printf_(4, 5);
void api_response_done(ApiResponse *resp);
/* Answers with status and a body that is already JSON text. */
void api_respond_text(ApiResponse *resp, unsigned status, const char *json_text);

/* A query parameter of the request, or NULL. */
const char *api_query(const ApiRequest *req, const char *name);
/* Parses the request body as a JSON object within API_MAX_DEPTH and API_MAX_KEYS. On failure answers 400
 * (or 413) itself and returns NULL. */
struct json_object *api_body_json(const ApiRequest *req, ApiResponse *resp);
