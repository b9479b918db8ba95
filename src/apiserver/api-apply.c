/* SPDX-License-Identifier: MIT */
/* Applying settings: render the configuration files that changed keys affect, then try-restart the units of
 * the affected services so they read them. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "api-context.h"
#include "log.h"
#include "render-files.h"

static int restart_unit(ApiContext *ctx, const char *unit) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        if (!ctx->bus)
                return 0;
        /* try-restart: a unit that is not running is left alone; it reads the new file when it starts. */
        r = sd_bus_call_method(ctx->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "TryRestartUnit", &error, NULL, "ss",
                               unit, "replace");
        if (r < 0 && !sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit"))
                log_warning("Failed to restart %s: %s", unit, error.message ? error.message : strerror(-r));
        else
                r = 0;
        sd_bus_error_free(&error);
        return r;
}

int api_apply(ApiContext *ctx, struct json_object *keys, char **ret_error) {
        struct json_object *services = NULL, *files = NULL, *settings = NULL, *render_ctx = NULL;
        SettingsError e = {};
        int r, ret = 0;

        *ret_error = NULL;
        if (keys) {
                r = settings_model_affected(ctx->model, keys, &services, &files, &e);
                if (r < 0)
                        return asprintf(ret_error, "%s: %s", e.key, e.message) < 0 ? -ENOMEM : r;
        } else {
                services = json_object_get(settings_model_services(ctx->model));
                files = json_object_get(settings_model_files(ctx->model));
        }
        r = settings_store_get_live(ctx->store, NULL, 0, &settings, &e);
        if (r >= 0)
                r = render_context_new(settings, &render_ctx);
        if (r < 0) {
                ret = r;
                if (asprintf(ret_error, "cannot read the live settings: %s",
                             e.message[0] ? e.message : strerror(-r)) < 0)
                        *ret_error = NULL;
                goto finish;
        }

        json_object_object_foreach(files, name, spec) {
                struct json_object *status = NULL;
                r = render_file(ctx->templates_dir, ctx->root, name, spec, render_ctx, &status);
                if (r < 0) {
                        struct json_object *err = json_object_object_get(status, "error");
                        log_error("Failed to render %s: %s", name, json_object_get_string(err));
                        if (ret == 0) {
                                ret = r;
                                if (asprintf(ret_error, "%s", json_object_get_string(err)) < 0)
                                        *ret_error = NULL;
                        }
                }
                json_object_object_add(ctx->file_status, name, status);
        }
        json_object_object_foreach(services, service, service_spec) {
                struct json_object *units;
                (void) service;
                if (!json_object_object_get_ex(service_spec, "restart-units", &units))
                        continue;
                for (size_t i = 0; i < json_object_array_length(units); i++)
                        (void) restart_unit(ctx,
                                            json_object_get_string(json_object_array_get_idx(units, i)));
        }
finish:
        json_object_put(services);
        json_object_put(files);
        json_object_put(settings);
        json_object_put(render_ctx);
        return ret;
}
