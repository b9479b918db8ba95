/* SPDX-License-Identifier: MIT */
/* Updates through the API: the agent (`update`, src/update) runs as a child process so that a download of
 * hundreds of megabytes never blocks the API; its state file is GET /updates/status. Its arguments come
 * from settings.updates.*, os-release and the kernel command line of the running set. */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api-context.h"
#include "api-updates.h"
#include "fileio.h"
#include "log.h"
#include "ready.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

#define MAX_ARGS 40

/* "key=value" from /proc/cmdline. */
static int cmdline_value(ApiContext *ctx, const char *key, char *ret, size_t size) {
        _cleanup_free_ char *cmdline = NULL;

        if (read_full_file(ctx->kernel_cmdline, 64 * 1024, &cmdline, NULL) < 0)
                return -ENOENT;
        return cmdline_get(cmdline, key, ret, size);
}

/* The whole disk the running root partition is on: /dev/disk/by-partuuid/<bulkhead.root> → /dev/vda2 →
 * its parent in sysfs → /dev/vda. */
static int running_disk(ApiContext *ctx, char *ret, size_t size) {
        char uuid[64], link[PATH_MAX], part[PATH_MAX], sys[PATH_MAX + 32], parent[PATH_MAX];
        const char *name;

        if (cmdline_value(ctx, "bulkhead.root", uuid, sizeof(uuid)) < 0)
                return -ENOENT;
        snprintf(link, sizeof(link), "/dev/disk/by-partuuid/%s", uuid);
        if (!realpath(link, part))
                return negative_errno();
        name = strrchr(part, '/') + 1;
        snprintf(sys, sizeof(sys), "/sys/class/block/%s/..", name);
        if (!realpath(sys, parent))
                return negative_errno();
        snprintf(ret, size, "/dev/%s", strrchr(parent, '/') + 1);
        return 0;
}

static const char *os_release_field(ApiContext *ctx, const char *key, char *ret, size_t size) {
        _cleanup_free_ char *text = NULL;

        if (read_full_file(ctx->os_release, 64 * 1024, &text, NULL) < 0 ||
            os_release_get(text, key, ret, size) < 0)
                return NULL;
        return ret;
}

static void on_update_exit(ApiContext *ctx, int status);

static int on_child(sd_event_source *s, const siginfo_t *si, void *userdata) {
        ApiContext *ctx = userdata;

        (void) s;
        ctx->update_child = sd_event_source_disable_unref(ctx->update_child);
        on_update_exit(ctx, si->si_code == CLD_EXITED ? si->si_status : 128 + si->si_status);
        return 0;
}

static int on_reboot_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        ApiContext *ctx = userdata;
        sd_bus_error error = SD_BUS_ERROR_NULL;

        (void) s, (void) usec; /* a floating one-shot source: the loop owns and drops it */
        log_info("update applied: rebooting into the new set");
        if (!ctx->bus ||
            sd_bus_call_method(ctx->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "StartUnit", &error, NULL, "ss",
                               "reboot.target", "replace-irreversibly") < 0)
                log_error("Failed to reboot after the update: %s", error.message ? error.message : "no bus");
        sd_bus_error_free(&error);
        return 0;
}

static void on_update_exit(ApiContext *ctx, int status) {
        log_info("update %s finished with status %d", ctx->update_verb, status);
        if (status == 0 && ctx->update_reboot) {
                /* A few seconds first, so that the client that asked sees the outcome before the node goes.
                 */
                if (sd_event_add_time_relative(ctx->event, NULL, CLOCK_MONOTONIC, 5 * 1000000ULL, 0,
                                               on_reboot_timer, ctx) < 0)
                        (void) on_reboot_timer(NULL, 0, ctx);
        }
        ctx->update_reboot = false;
}

/* Starts `update VERB ...` with what settings and the running system say. */
static int spawn_update(ApiContext *ctx, const char *verb, const ApiRequest *req, char **ret_error) {
        _cleanup_(json_object_putp) struct json_object *updates = NULL;
        static char seed[16], lock[64], repo[1024], variant[64], version[64], set[8], disk[PATH_MAX];
        const char *argv[MAX_ARGS];
        const char *prefix = "settings.updates";
        struct json_object *v;
        SettingsError e = {};
        size_t n = 0;
        pid_t pid;
        int r;

        r = settings_store_get_live(ctx->store, &prefix, 1, &updates, &e);
        if (r < 0)
                return asprintf(ret_error, "cannot read settings.updates: %s", e.message) < 0 ? -ENOMEM : r;
        updates = json_object_get(json_object_object_get(updates, "updates"));
        if (!os_release_field(ctx, "VARIANT_ID", variant, sizeof(variant)) ||
            !os_release_field(ctx, "VERSION_ID", version, sizeof(version)) ||
            cmdline_value(ctx, "bulkhead.set", set, sizeof(set)) < 0)
                return asprintf(ret_error, "cannot tell the running variant, version or partition set") < 0
                               ? -ENOMEM
                               : -ENOENT;
        /* The repository's layout puts metadata/ and targets/ side by side under one base. */
        if (json_object_object_get_ex(updates, "metadata-base-url", &v)) {
                snprintf(repo, sizeof(repo), "%s", json_object_get_string(v));
                size_t len = strlen(repo);
                if (len > 0 && repo[len - 1] == '/')
                        repo[--len] = 0;
                if (len >= 9 && streq(repo + len - 9, "/metadata"))
                        repo[len - 9] = 0;
        }
        argv[n++] = ctx->update_program;
        argv[n++] = verb;
        argv[n++] = "--state";
        argv[n++] = ctx->update_state;
        if (streq(verb, "check") || streq(verb, "apply")) {
                argv[n++] = "--root";
                argv[n++] = ctx->update_root;
                /* Checked in start(): an absolute path on the node, read by the agent instead of the
                 * repository. */
                argv[n++] = api_query(req, "bundle") ? "--bundle" : "--repo";
                argv[n++] = api_query(req, "bundle") ?: repo;
                argv[n++] = "--variant";
                argv[n++] = variant;
                argv[n++] = "--current-version";
                argv[n++] = version;
                if (json_object_object_get_ex(updates, "seed", &v)) {
                        snprintf(seed, sizeof(seed), "%d", json_object_get_int(v));
                        argv[n++] = "--seed";
                        argv[n++] = seed;
                }
                if (json_object_object_get_ex(updates, "version-lock", &v)) {
                        snprintf(lock, sizeof(lock), "%s", json_object_get_string(v));
                        argv[n++] = "--version-lock";
                        argv[n++] = lock;
                }
                if (json_object_object_get_ex(updates, "ignore-waves", &v) && json_object_get_boolean(v))
                        argv[n++] = "--ignore-waves";
        }
        if (streq(verb, "apply")) {
                r = running_disk(ctx, disk, sizeof(disk));
                if (r < 0)
                        return asprintf(ret_error, "cannot find the disk the running root is on: %s",
                                        strerror(-r)) < 0
                                       ? -ENOMEM
                                       : r;
                argv[n++] = "--disk";
                argv[n++] = disk;
                if (api_query(req, "version")) {
                        argv[n++] = "--version";
                        argv[n++] = api_query(req, "version");
                }
                if (api_query(req, "allow-downgrade") && streq(api_query(req, "allow-downgrade"), "true"))
                        argv[n++] = "--allow-downgrade";
        }
        if (streq(verb, "apply") || streq(verb, "rollback") || streq(verb, "cancel")) {
                argv[n++] = "--current-set";
                argv[n++] = set;
                argv[n++] = "--esp";
                argv[n++] = ctx->update_esp;
        }
        argv[n] = NULL;

        pid = fork();
        if (pid < 0)
                return asprintf(ret_error, "fork: %s", strerror(errno)) < 0 ? -ENOMEM : negative_errno();
        if (pid == 0) {
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                execv(argv[0], (char *const *) argv);
                fprintf(stderr, "apiserver: cannot run %s: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        r = sd_event_add_child(ctx->event, &ctx->update_child, pid, WEXITED, on_child, ctx);
        if (r < 0) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return asprintf(ret_error, "cannot watch the update process: %s", strerror(-r)) < 0 ? -ENOMEM
                                                                                                    : r;
        }
        snprintf(ctx->update_verb, sizeof(ctx->update_verb), "%s", verb);
        log_info("update %s started (pid %d)", verb, (int) pid);
        return 0;
}

/* ?bundle=PATH of check and apply: a file or block device on the node. Absolute, since a relative path would
 * be resolved against the server's working directory, which no operator knows; free of control characters,
 * which have no place in a path and would garble the log and the state file's reason. NULL if acceptable. */
static const char *bundle_problem(const char *path) {
        if (path[0] != '/')
                return "is not an absolute path on the node";
        if (strlen(path) >= PATH_MAX)
                return "is longer than PATH_MAX";
        for (const char *p = path; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return "has a control character";
        return NULL;
}

static void start(ApiContext *ctx, const char *verb, const ApiRequest *req, ApiResponse *resp) {
        _cleanup_free_ char *error = NULL;
        const char *bundle = api_query(req, "bundle"), *problem;
        struct json_object *o;

        if (ctx->update_child)
                return api_respond_error(resp, 409, NULL, "update %s is already running", ctx->update_verb);
        if (bundle && (streq(verb, "check") || streq(verb, "apply")) && (problem = bundle_problem(bundle)))
                return api_respond_error(resp, 400, NULL, "bundle path %s", problem);
        ctx->update_reboot =
                streq(verb, "apply") && api_query(req, "reboot") && streq(api_query(req, "reboot"), "true");
        if (spawn_update(ctx, verb, req, &error) < 0) {
                ctx->update_reboot = false;
                return api_respond_error(resp, 500, NULL, "%s",
                                         error ? error : "cannot start the update agent");
        }
        o = json_object_new_object();
        json_object_object_add(o, "started", json_object_new_string(verb));
        api_respond(resp, 202, o);
        json_object_put(o);
}

void api_post_update_check(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        start(ctx, "check", req, resp);
}
void api_post_update_apply(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        start(ctx, "apply", req, resp);
}
void api_post_update_cancel(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        start(ctx, "cancel", req, resp);
}
void api_post_rollback(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        start(ctx, "rollback", req, resp);
}

void api_get_update_status(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        _cleanup_free_ char *text = NULL;
        _cleanup_(json_object_putp) struct json_object *o = NULL;
        int r;

        (void) req;
        r = read_full_file(ctx->update_state, 64 * 1024, &text, NULL);
        if (r >= 0)
                o = json_tokener_parse(text);
        else if (r != -ENOENT)
                return api_respond_error(resp, 500, NULL, "cannot read %s: %s", ctx->update_state,
                                         strerror(-r));
        if (!o) {
                o = json_object_new_object();
                json_object_object_add(o, "state", json_object_new_string("idle"));
        }
        json_object_object_add(o, "running",
                               ctx->update_child ? json_object_new_string(ctx->update_verb) : NULL);
        api_respond(resp, 200, o);
}
