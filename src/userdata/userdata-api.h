/* SPDX-License-Identifier: MIT */
#pragma once

struct json_object;

/* The three conversations userdata has with the API server over its socket. Each returns 0, or -EIO when
 * no server answered, -EINVAL when it refused the request (4xx) and -EPROTO when it failed (5xx) or
 * answered what an API server does not send; *ret_error then holds the reason (malloc()ed, may be NULL
 * when out of memory). */

/* user_data.status from GET /os, e.g. "none" before anything was recorded (malloc()ed). */
int userdata_api_get_status(const char *socket, char **ret_status, char **ret_error);
/* Puts settings (a tree without the `settings` wrapper) into transaction "user-data", replacing anything a
 * run that died left there, then commits and applies it. */
int userdata_api_apply(const char *socket, struct json_object *settings, char **ret_error);
/* PUT /os/user-data: what GET /os shows under user_data from now on. */
int userdata_api_put_status(const char *socket, struct json_object *status, char **ret_error);
