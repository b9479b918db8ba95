/* SPDX-License-Identifier: MIT */
#pragma once

#include <sys/types.h>

struct json_object;

/* Rendering configuration files from settings: the one place that decides what templates see and how a
 * rendered file lands on disk, shared by the API server (at boot and on every apply) and the `render`
 * program (so a host can compute the very bytes a node writes). */

/* The context templates see: {"settings": <copy of settings>} where every JSON object also carries its
 * members as a list under "@entries" ([{"name": …, "value": …}, …] in name order), because Mustache has no
 * way to iterate over a map (sysctl names, container names). No settings name may contain '@'. */
int render_context_new(struct json_object *settings, struct json_object **ret);

/* Renders the configuration file `name` described by spec ({"path", "template", "mode"} from the model)
 * with the template templates_dir/<template> (partials from the same directory, as <name>.mustache), and
 * writes it under root (normally "/") atomically with its mode, creating parent directories. Returns 0 or
 * a negative errno; either way *ret_status (if not NULL) is a new object {"path", "template", "mode",
 * "sha256", "rendered_at", "error"} describing the outcome for GET /configuration-files. */
int render_file(const char *templates_dir, const char *root, const char *name, struct json_object *spec,
                struct json_object *ctx, struct json_object **ret_status);

/* Renders only, into a malloc()ed string: what render_file() would write. */
int render_to_string(const char *templates_dir, const char *template_name, struct json_object *ctx,
                     char **ret, char **ret_error);

/* The SHA-256 of data as 64 lowercase hex digits plus NUL. */
void render_sha256_hex(const void *data, size_t size, char ret[65]);
