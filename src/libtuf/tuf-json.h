/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* Strict access to metadata fields: every getter checks the JSON type, rejects values out of range and
 * names the document and field in *ret_error. All return 0 or -EBADMSG; optional getters leave *ret
 * untouched when the member is absent. */

/* Integers above this are refused: json-c saturates on overflow, and version N+1 must not wrap. */
#define TUF_JSON_INT_MAX ((uint64_t) INT64_MAX - 1)
/* Nesting limit for metadata documents; TUF metadata needs 6 levels, "custom" fields may add some. */
#define TUF_JSON_MAX_DEPTH 32

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

/* Parses data (exactly size bytes, valid UTF-8, one JSON value and nothing after it but whitespace) and
 * requires the value to be an object. Returns 0, -EBADMSG or -ENOMEM. */
int tuf_json_parse(const void *data, size_t size, json_object **ret, char **ret_error);

/* The member key of o with the given type; required members that are absent are an error. */
int tuf_json_member(const char *file, json_object *o, const char *key, json_type type, bool required,
                    json_object **ret, char **ret_error);

/* A string without embedded NUL bytes, borrowed from o. */
int tuf_json_string(const char *file, json_object *o, const char *key, const char **ret, char **ret_error);
/* The value itself (not a member) as a string; what names it in messages. */
int tuf_json_string_value(const char *file, json_object *v, const char *what, const char **ret,
                          char **ret_error);

/* An integer in [min, TUF_JSON_INT_MAX]. */
int tuf_json_uint(const char *file, json_object *o, const char *key, uint64_t min, uint64_t *ret,
                  char **ret_error);

int tuf_json_bool(const char *file, json_object *o, const char *key, bool required, bool *ret,
                  char **ret_error);

/* An array of at most max strings, copied; with unique, a repeated string is an error. */
int tuf_json_string_array(const char *file, json_object *o, const char *key, size_t max, bool unique,
                          char ***ret, size_t *ret_n, char **ret_error);

/* Frees n strings and the array. Returns NULL. */
char **tuf_strv_free(char **v, size_t n);
