/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

struct json_object;

/* Exit codes, documented in `apiclient --help` and apiclient(1): scripts rely on them. */
enum {
        EXIT_OK = 0,
        EXIT_USAGE = 1,       /* bad command line or unreadable input file */
        EXIT_REFUSED = 2,     /* the API refused the request (4xx): bad key, bad value, unknown endpoint */
        EXIT_UNAVAILABLE = 3, /* no API server answered, or it failed (5xx) */
};

typedef struct ClientOptions {
        const char *socket;
        bool json; /* machine-readable output */
} ClientOptions;

/* One HTTP request to the API over its Unix socket. Stores the status and the body (malloc()ed, may be
 * empty) and returns 0, or a negative errno when no answer came (*ret_body then holds the reason). */
int client_call(const ClientOptions *o, const char *method, const char *path, const char *body,
                long *ret_status, char **ret_body);
/* The same with a time limit of its own, for requests that are safe to repeat. */
int client_call_within(const ClientOptions *o, const char *method, const char *path, const char *body,
                       long seconds, long *ret_status, char **ret_body);
/* Runs a request and maps the outcome to an exit code; prints the answer's body (or, for errors, the
 * reason and key from the JSON error body) unless quiet. */
int client_request(const ClientOptions *o, const char *method, const char *path, const char *body,
                   bool print_body);

/* Prints the reason (and key) of a JSON error body, or the body itself, to stderr. */
void client_print_error(long status, const char *body);

/* Reads a settings document (TOML or JSON, by content) from path or "-" for stdin: a table whose only top
 * key is "settings". Returns the tree under "settings" or NULL, with the reason printed. */
struct json_object *client_read_settings(const char *path);
