/* SPDX-License-Identifier: MIT */
/* Automatic updates (docs/decisions/0012-automatic-updates.md). bulkhead-update.timer asks every 15 to 20
 * minutes; inside settings.updates.maintenance-window, with settings.updates.automatic on, the node installs
 * what `update check` would offer (version lock and waves included) and reboots into it while the window is
 * still open. Outside the window nothing happens and the answer says when it opens. POST
 * /actions/update/apply stays available at any time: the window binds only what the node does by itself. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api-context.h"
#include "api-updates.h"
#include "log.h"
#include "window.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

typedef struct AutoPolicy {
        bool automatic;
        Window window;
} AutoPolicy;

/* settings.updates.automatic and .maintenance-window. The model gives both defaults, so a node always has
 * them; a store without them (an older model) means off. */
static int auto_policy(ApiContext *ctx, AutoPolicy *ret, char **ret_error) {
        _cleanup_(json_object_putp) struct json_object *tree = NULL;
        struct json_object *updates, *v;
        const char *prefix = "settings.updates";
        SettingsError e = {};
        AutoPolicy p = {};
        int r;

        r = settings_store_get_live(ctx->store, &prefix, 1, &tree, &e);
        if (r < 0)
                return asprintf(ret_error, "cannot read settings.updates: %s", e.message) < 0 ? -ENOMEM : r;
        updates = json_object_object_get(tree, "updates");
        p.automatic = json_object_object_get_ex(updates, "automatic", &v) &&
                      json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
        if (!json_object_object_get_ex(updates, "maintenance-window", &v))
                return asprintf(ret_error, "settings.updates.maintenance-window is not set") < 0 ? -ENOMEM
                                                                                                 : -ENOENT;
        r = window_from_json(v, &p.window, ret_error);
        if (r < 0)
                return r;
        *ret = p;
        return 0;
}

/* When this boot started, on the clock the agent stamps its state with. */
static int64_t boot_time(void) {
        struct timespec real, boot;

        if (clock_gettime(CLOCK_REALTIME, &real) < 0 || clock_gettime(CLOCK_BOOTTIME, &boot) < 0)
                return 0;
        return (int64_t) real.tv_sec - (int64_t) boot.tv_sec;
}

bool api_update_auto_may_reboot(ApiContext *ctx) {
        _cleanup_free_ char *error = NULL;
        AutoPolicy p;

        if (auto_policy(ctx, &p, &error) < 0) {
                log_warning("automatic update: %s", error ? error : "no policy");
                return false;
        }
        return p.automatic && window_contains(&p.window, (int64_t) time(NULL));
}

static void add_time(struct json_object *o, const char *key, int64_t t) {
        char buf[WINDOW_TIME_LEN];

        json_object_object_add(
                o, key, t == WINDOW_NEVER ? NULL : json_object_new_string(window_format_time(t, buf)));
}

/* {"open": bool, "opens": time} or {"open": true, "closes": time or null for never}. */
static struct json_object *window_status(const Window *w, int64_t now) {
        struct json_object *o = json_object_new_object();
        bool open = window_contains(w, now);
        int64_t t;

        json_object_object_add(o, "open", json_object_new_boolean(open));
        if (open && window_closes(w, now, &t) >= 0)
                add_time(o, "closes", t);
        else if (!open && window_next_open(w, now, &t) >= 0)
                add_time(o, "opens", t);
        return o;
}

/* Answers 200 {"started": null, "reason": …, "window": …}: nothing to do now. */
static void respond_idle(ApiResponse *resp, const char *reason, const Window *w, int64_t now) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "started", NULL);
        json_object_object_add(o, "reason", json_object_new_string(reason));
        json_object_object_add(o, "window", window_status(w, now));
        api_respond(resp, 200, o);
        json_object_put(o);
}

static void respond_started(ApiResponse *resp, const char *what, const char *version, const Window *w,
                            int64_t now) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "started", json_object_new_string(what));
        if (version)
                json_object_object_add(o, "version", json_object_new_string(version));
        json_object_object_add(o, "window", window_status(w, now));
        api_respond(resp, 202, o);
        json_object_put(o);
}

void api_post_update_auto(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        _cleanup_free_ char *error = NULL;
        const char *skip = NULL;
        char running[64], opens[WINDOW_TIME_LEN];
        int64_t now = (int64_t) time(NULL), t;
        ApiUpdateState state;
        AutoPolicy p;
        int r;

        (void) req;
        if (ctx->update_child)
                return api_respond_error(resp, 409, NULL, "update %s is already running", ctx->update_verb);
        r = auto_policy(ctx, &p, &error);
        if (r < 0)
                return api_respond_error(resp, 500, NULL, "%s", error ? error : "no maintenance window");
        if (!p.automatic)
                return respond_idle(resp, "automatic updates are off (settings.updates.automatic)",
                                    &p.window, now);
        if (!window_contains(&p.window, now)) {
                /* Debug only: the timer asks every quarter of an hour, and its service logs the answer. */
                if (window_next_open(&p.window, now, &t) >= 0)
                        log_debug("automatic update: outside the maintenance window, which opens at %s",
                                  window_format_time(t, opens));
                return respond_idle(resp, "outside the maintenance window", &p.window, now);
        }

        r = api_update_state_read(ctx, &state);
        if (r < 0)
                log_warning_errno(r, "Failed to read the update state, treating it as idle: %m");
        if (r >= 0 && streq(state.state, "ready") &&
            api_update_running_version(ctx, running, sizeof(running)) >= 0 &&
            !streq(state.version, running)) {
                /* Made ready during this boot: its UKI still has all its tries and the next boot takes it.
                 * An earlier window's download that outlasted the window, or an apply without reboot. */
                if (state.updated_at >= boot_time()) {
                        log_info("automatic update: %s is ready, rebooting into it", state.version);
                        api_update_reboot_soon(ctx);
                        return respond_started(resp, "reboot", state.version, &p.window, now);
                }
                /* Made ready before this boot, and the node does not run it: it failed its boot tries and
                 * the other set came back, or an operator rolled back. Taking it again would repeat that
                 * every window; it is left to an operator, and a newer version is taken. */
                log_warning("automatic update: %s did not stay booted (running %s); it is skipped",
                            state.version, running);
                skip = state.version;
        }
        ApiUpdateRun run = { .verb = "apply", .skip_version = skip, .reboot = API_UPDATE_REBOOT_IN_WINDOW };
        r = api_update_spawn(ctx, &run, &error);
        if (r < 0)
                return api_respond_error(resp, 500, NULL, "%s",
                                         error ? error : "cannot start the update agent");
        log_info("automatic update: inside the maintenance window, apply started");
        respond_started(resp, "apply", NULL, &p.window, now);
}
