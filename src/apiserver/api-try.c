/* SPDX-License-Identifier: MIT */
/* "Try" commits: a change that reverts itself unless confirmed in time, so a setting that cuts the operator
 * off (a DNS server, a proxy) cannot strand a node. The snapshot lives in the datastore, so a restart of
 * the server (or of the node) before the confirmation reverts the change too. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <time.h>

#include "api-context.h"
#include "api-settings.h"
#include "log.h"

#define TRY_MAX_SECONDS (24 * 3600)

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

int api_try_revert(ApiContext *ctx) {
        _cleanup_(json_object_putp) struct json_object *keys = NULL;
        _cleanup_free_ char *error = NULL;
        SettingsError e = {};
        int r;

        ctx->try_timer = sd_event_source_disable_unref(ctx->try_timer);
        r = settings_store_revert(ctx->store, API_TRY_SNAPSHOT, &keys, &e);
        api_settings_changed(ctx);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error_errno(r, "Failed to revert the unconfirmed change: %s", e.message);
        log_warning("A tried change was not confirmed in time: reverted %s",
                    json_object_to_json_string_ext(keys, JSON_C_TO_STRING_PLAIN));
        r = api_apply(ctx, keys, &error);
        if (r < 0)
                log_error("Applying the reverted settings failed: %s", error ? error : "unknown error");
        return r;
}

static int on_try_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) s, (void) usec;
        (void) api_try_revert(userdata);
        return 0;
}

void api_post_try(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        const char *timeout = api_query(req, "timeout");
        _cleanup_(json_object_putp) struct json_object *keys = NULL, *body = NULL;
        _cleanup_free_ char *error = NULL;
        SettingsError e = {};
        char *end = NULL;
        unsigned long seconds = timeout ? strtoul(timeout, &end, 10) : 60;
        const char *tx = api_query(req, "tx") ? api_query(req, "tx") : "default";
        int r;

        if ((timeout && (*end || !*timeout)) || seconds == 0 || seconds > TRY_MAX_SECONDS)
                return api_respond_error(resp, 400, NULL, "timeout must be 1 to %d seconds",
                                         TRY_MAX_SECONDS);
        if (ctx->try_timer)
                return api_respond_error(
                        resp, 409, NULL,
                        "a tried change is waiting for its confirmation (POST /tx/confirm)");
        r = settings_store_commit(ctx->store, tx, API_TRY_SNAPSHOT, &keys, &e);
        api_settings_changed(ctx);
        if (r < 0)
                return api_respond_settings_error(resp,
                                                  r == -ENOENT   ? 404
                                                  : r == -EEXIST ? 409
                                                                 : 400,
                                                  r, &e);
        r = sd_event_add_time_relative(ctx->event, &ctx->try_timer, CLOCK_MONOTONIC, seconds * 1000000ULL, 0,
                                       on_try_deadline, ctx);
        if (r < 0) {
                (void) api_try_revert(ctx);
                return api_respond_error(resp, 500, NULL, "cannot arm the confirmation timer: %s",
                                         strerror(-r));
        }
        ctx->try_deadline = (uint64_t) time(NULL) + seconds;
        if (api_apply(ctx, keys, &error) < 0)
                log_error("Applying the tried change failed: %s", error ? error : "unknown error");
        body = json_object_new_object();
        json_object_object_add(body, "keys", json_object_get(keys));
        json_object_object_add(body, "confirm_by", json_object_new_int64((int64_t) ctx->try_deadline));
        api_respond(resp, 200, body);
}

void api_post_confirm(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        SettingsError e = {};
        int r;

        (void) req;
        if (!ctx->try_timer)
                return api_respond_error(resp, 409, NULL, "no tried change is waiting for a confirmation");
        r = settings_store_confirm(ctx->store, API_TRY_SNAPSHOT, &e);
        if (r < 0)
                return api_respond_settings_error(resp, 500, r, &e);
        ctx->try_timer = sd_event_source_disable_unref(ctx->try_timer);
        api_respond(resp, 204, NULL);
}
