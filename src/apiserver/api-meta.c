/* SPDX-License-Identifier: MIT */
/* What the model says (services, configuration files, affected services) and what happened (render
 * outcomes, user data status). */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "api-context.h"
#include "api-meta.h"
#include "api-settings.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

/* The members of o named in the comma-separated list (all of o without one); unknown names are a 404. */
static void respond_selected(ApiResponse *resp, struct json_object *o, const char *names, const char *what) {
        _cleanup_(json_object_putp) struct json_object *out = NULL;
        _cleanup_free_ char *buf = NULL;
        char *save = NULL;

        if (!names)
                return api_respond(resp, 200, o);
        buf = strdup(names);
        out = json_object_new_object();
        if (!buf || !out)
                return api_respond_error(resp, 500, NULL, "out of memory");
        for (char *n = strtok_r(buf, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
                struct json_object *v;
                if (!json_object_object_get_ex(o, n, &v))
                        return api_respond_error(resp, 404, NULL, "no such %s: %s", what, n);
                json_object_object_add(out, n, json_object_get(v));
        }
        api_respond(resp, 200, out);
}

void api_get_services(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        respond_selected(resp, settings_model_services(ctx->model), api_query(req, "names"), "service");
}

void api_get_configuration_files(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        _cleanup_(json_object_putp) struct json_object *all = json_object_new_object();

        /* Every file of the model: its last render's outcome, or the model's description if none yet. */
        json_object_object_foreach(settings_model_files(ctx->model), name, spec) {
                struct json_object *st;
                if (json_object_object_get_ex(ctx->file_status, name, &st)) {
                        json_object_object_add(all, name, json_object_get(st));
                        continue;
                }
                struct json_object *copy = NULL;
                if (json_object_deep_copy(spec, &copy, NULL) < 0)
                        return api_respond_error(resp, 500, NULL, "out of memory");
                json_object_object_add(copy, "sha256", NULL);
                json_object_object_add(copy, "rendered_at", NULL);
                json_object_object_add(copy, "error", json_object_new_string("not rendered yet"));
                json_object_object_add(all, name, copy);
        }
        respond_selected(resp, all, api_query(req, "names"), "configuration file");
}

void api_get_affected_services(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        const char *keys = api_query(req, "keys");
        _cleanup_(json_object_putp) struct json_object *out = json_object_new_object();
        _cleanup_free_ char *buf = NULL;
        char *save = NULL;

        if (!keys)
                return api_respond_error(resp, 400, NULL, "keys=settings.… is required");
        buf = strdup(keys);
        if (!buf)
                return api_respond_error(resp, 500, NULL, "out of memory");
        for (char *k = strtok_r(buf, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
                struct json_object *services = NULL;
                SettingsError e = {};
                int r = settings_model_key_services(ctx->model, k, &services, &e);
                if (r < 0)
                        return api_respond_settings_error(resp, r == -ENOENT ? 404 : 400, r, &e);
                json_object_object_add(out, k, services);
        }
        api_respond(resp, 200, out);
}

void api_get_templates(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        (void) req;
        api_respond(resp, 200, settings_model_files(ctx->model));
}

/* The user data status that `userdata` records at first boot, shown by GET /os. */
void api_put_user_data_status(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        _cleanup_(json_object_putp) struct json_object *body = api_body_json(req, resp);
        struct json_object *status;
        SettingsError e = {};
        int r;

        if (!body)
                return;
        if (!json_object_is_type(body, json_type_object) ||
            !json_object_object_get_ex(body, "status", &status) ||
            !json_object_is_type(status, json_type_string))
                return api_respond_error(resp, 400, NULL,
                                         "the body must be {\"status\": \"…\", \"errors\": […]}");
        r = settings_store_metadata_set(ctx->store, "user-data", body, &e);
        if (r < 0)
                return api_respond_settings_error(resp, 500, r, &e);
        api_respond(resp, 204, NULL);
}

void api_post_reboot(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        (void) req;
        if (!ctx->bus)
                return api_respond_error(resp, 503, NULL, "no connection to systemd");
        r = sd_bus_call_method(ctx->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "StartUnit", &error, NULL, "ss",
                               "reboot.target", "replace-irreversibly");
        if (r < 0) {
                api_respond_error(resp, 500, NULL, "reboot refused: %s",
                                  error.message ? error.message : strerror(-r));
                sd_bus_error_free(&error);
                return;
        }
        api_respond(resp, 204, NULL);
}
