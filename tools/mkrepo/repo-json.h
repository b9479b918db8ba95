/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tuf-json.h"
#include "tuf-time.h"

/* JSON plumbing of bulkhead-repo. Functions that read or write a file log what went wrong with its path
 * (the program's messages are made where the file is known) and return a negative errno. */

/* Reads path (at most max bytes) as a JSON object, as strictly as the client parses metadata. */
int repo_json_load(const char *path, size_t max, json_object **ret);

/* Whether path exists; a failure other than "not there" is logged and returned. */
int repo_file_exists(const char *path);

/* Serializes o for a file: two-space indented, members in canonical (sorted) order, newline-terminated,
 * so that files diff well and what a person reads is ordered like what is signed. */
int repo_json_format(json_object *o, char **ret, size_t *ret_size);

/* Writes data to path atomically (temp file, fsync, rename, fsync of the directory), mode 0644. */
int repo_write(const char *path, const void *data, size_t size);

/* The hex sha256 of data. */
void repo_sha256_hex(const void *data, size_t size, char ret[static 65]);

/* now + days (may be negative) as RFC 3339 with whole seconds. */
void repo_expires_in_days(TufTime now, int64_t days, char ret[static TUF_TIME_MAX]);

/* Adders that report failure (json-c returns NULL or -1 only when out of memory); they take v even on
 * failure. Return 0 or -ENOMEM. */
int json_add(json_object *o, const char *key, json_object *v);
int json_add_string(json_object *o, const char *key, const char *v);
int json_add_int(json_object *o, const char *key, int64_t v);
int json_append(json_object *array, json_object *v);

/* A member as a string or integer, or NULL / -1 when absent or of another type. */
const char *json_get_string(json_object *o, const char *key);
int64_t json_get_int(json_object *o, const char *key);
