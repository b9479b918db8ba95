/* SPDX-License-Identifier: MIT */
/* userdata's requests to the API server, over apiclient's HTTP code (src/apiclient/client-http.c). */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>

#include "client.h"
#include "userdata-api.h"
#include "userdata.h"

#define TX "user-data"

/* "settings.x: reason (HTTP 400)" from the API's JSON error body, or the body as it came. */
static char *describe_refusal(long status, const char *body) {
        _cleanup_(json_object_putp) struct json_object *o = json_tokener_parse(body);
        struct json_object *error, *key;
        char *s = NULL;
        int n;

        if (json_object_object_get_ex(o, "error", &error) && json_object_is_type(error, json_type_string)) {
                if (json_object_object_get_ex(o, "key", &key) && json_object_is_type(key, json_type_string))
                        n = asprintf(&s, "%s: %s (HTTP %ld)", json_object_get_string(key),
                                     json_object_get_string(error), status);
                else
                        n = asprintf(&s, "%s (HTTP %ld)", json_object_get_string(error), status);
        } else
                n = asprintf(&s, "HTTP %ld: %.200s", status, body);
        return n < 0 ? NULL : s;
}

static int request(const char *socket, const char *method, const char *path, const char *body,
                   char **ret_answer, char **ret_error) {
        const ClientOptions o = { .socket = socket };
        _cleanup_free_ char *answer = NULL;
        long status = 0;
        int r;

        r = client_call(&o, method, path, body, &status, &answer);
        if (r < 0) {
                *ret_error = TAKE_PTR(answer); /* client_call() leaves the reason there */
                return -EIO;
        }
        if (status >= 400) {
                *ret_error = describe_refusal(status, answer);
                return status >= 500 ? -EPROTO : -EINVAL;
        }
        if (ret_answer)
                *ret_answer = TAKE_PTR(answer);
        return 0;
}

int userdata_api_get_status(const char *socket, char **ret_status, char **ret_error) {
        _cleanup_(json_object_putp) struct json_object *os = NULL;
        _cleanup_free_ char *answer = NULL;
        struct json_object *user_data, *status;
        char *s;
        int r;

        r = request(socket, "GET", "/os", NULL, &answer, ret_error);
        if (r < 0)
                return r;
        os = json_tokener_parse(answer);
        if (!json_object_object_get_ex(os, "user_data", &user_data) ||
            !json_object_object_get_ex(user_data, "status", &status) ||
            !json_object_is_type(status, json_type_string)) {
                *ret_error = strdup("GET /os has no user_data.status");
                return -EPROTO;
        }
        s = strdup(json_object_get_string(status));
        if (!s)
                return -ENOMEM;
        *ret_status = s;
        return 0;
}

int userdata_api_apply(const char *socket, struct json_object *settings, char **ret_error) {
        const char *body;
        int r;

        /* A pending "user-data" transaction can only be left by a run that died before committing. A
         * missing one is refused with 4xx on some versions: that is the state wanted, so go on. */
        r = request(socket, "DELETE", "/tx?tx=" TX, NULL, NULL, ret_error);
        if (r == -EINVAL) {
                free(*ret_error);
                *ret_error = NULL;
                r = 0;
        }
        if (r < 0)
                return r;
        body = json_object_to_json_string_ext(settings,
                                              JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!body)
                return -ENOMEM;
        r = request(socket, "PATCH", "/settings?tx=" TX, body, NULL, ret_error);
        if (r < 0)
                return r;
        return request(socket, "POST", "/tx/commit_and_apply?tx=" TX, NULL, NULL, ret_error);
}

int userdata_api_put_status(const char *socket, struct json_object *status, char **ret_error) {
        const char *body = json_object_to_json_string_ext(status, JSON_C_TO_STRING_PLAIN |
                                                                          JSON_C_TO_STRING_NOSLASHESCAPE);

        if (!body)
                return -ENOMEM;
        return request(socket, "PUT", "/os/user-data", body, NULL, ret_error);
}
