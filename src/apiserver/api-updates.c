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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api-context.h"
#include "api-updates.h"
#include "fileio.h"
#include "log.h"
#include "ready.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

#define MAX_ARGS 40

/* "key=value" from the kernel command line. */
static int cmdline_value(ApiContext *ctx, const char *key, char *ret, size_t size) {
        _cleanup_free_ char *cmdline = NULL;

        if (read_full_file(ctx->cmdline, 64 * 1024, &cmdline, NULL) < 0)
                return -ENOENT;
        return cmdline_get(cmdline, key, ret, size);
}

/* The whole disk the running root partition is on: /dev/disk/by-partuuid/<bulkhead.root> → /dev/vda2 →
 * its parent in sysfs → /dev/vda. */
static int running_disk(ApiContext *ctx, char *ret, size_t size) {
        char uuid[64], link[PATH_MAX], part[PATH_MAX], sys[PATH_MAX + 32], parent[PATH_MAX];
        const char *name;

        if (ctx->update_disk) {
                snprintf(ret, size, "%s", ctx->update_disk);
                return 0;
        }
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

int api_update_running_version(ApiContext *ctx, char *ret, size_t size) {
        return os_release_field(ctx, "VERSION_ID", ret, size) ? 0 : -ENOENT;
}

/* A string member copied into buf; absent or null leaves it empty. */
static int state_string(struct json_object *o, const char *key, char *buf, size_t size) {
        struct json_object *v;

        buf[0] = 0;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_string) || (size_t) json_object_get_string_len(v) >= size)
                return -EBADMSG;
        memcpy(buf, json_object_get_string(v), (size_t) json_object_get_string_len(v) + 1);
        return 0;
}

int api_update_state_read(ApiContext *ctx, ApiUpdateState *ret) {
        _cleanup_(json_object_putp) struct json_object *o = NULL;
        _cleanup_free_ char *text = NULL;
        ApiUpdateState s = { .state = "idle", .updated_at = -1 };
        char when[32];
        struct tm tm = {};
        const char *end;
        int r;

        r = read_full_file(ctx->update_state, 64 * 1024, &text, NULL);
        if (r == -ENOENT) {
                *ret = s;
                return 0;
        }
        if (r < 0)
                return r;
        o = json_tokener_parse(text);
        if (!json_object_is_type(o, json_type_object) ||
            state_string(o, "state", s.state, sizeof(s.state)) < 0 ||
            state_string(o, "version", s.version, sizeof(s.version)) < 0 ||
            state_string(o, "updated_at", when, sizeof(when)) < 0)
                return -EBADMSG;
        /* The agent writes whole seconds in UTC: "2025-03-01T12:00:00Z". */
        if (when[0]) {
                end = strptime(when, "%Y-%m-%dT%H:%M:%SZ", &tm);
                if (!end || *end)
                        return -EBADMSG;
                s.updated_at = (int64_t) timegm(&tm);
        }
        *ret = s;
        return 0;
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

void api_update_reboot_soon(ApiContext *ctx) {
        if (sd_event_add_time_relative(ctx->event, NULL, CLOCK_MONOTONIC, 5 * 1000000ULL, 0, on_reboot_timer,
                                       ctx) < 0)
                (void) on_reboot_timer(NULL, 0, ctx);
}

/* Whether the apply that just ended made a new version bootable. It exits 0 also when there was nothing to
 * install ("up-to-date") and leaves the state file as it was; then a reboot would only interrupt the node's
 * work. The agent replaces the file on every write, so a written file is another file, or a newer one. */
static bool applied_by_this_run(ApiContext *ctx) {
        const struct stat *old = &ctx->update_state_before;
        ApiUpdateState s;
        struct stat st;

        if (stat(ctx->update_state, &st) < 0 ||
            (old->st_ino == st.st_ino && old->st_dev == st.st_dev &&
             old->st_mtim.tv_sec == st.st_mtim.tv_sec && old->st_mtim.tv_nsec == st.st_mtim.tv_nsec))
                return false;
        return api_update_state_read(ctx, &s) >= 0 && streq(s.state, "ready");
}

static void on_update_exit(ApiContext *ctx, int status) {
        ApiUpdateReboot reboot = ctx->update_reboot;

        log_info("update %s finished with status %d", ctx->update_verb, status);
        ctx->update_reboot = API_UPDATE_REBOOT_NO;
        if (status != 0 || reboot == API_UPDATE_REBOOT_NO)
                return;
        if (!applied_by_this_run(ctx)) {
                log_info("update %s installed nothing: no reboot", ctx->update_verb);
                return;
        }
        /* A download can outlast the window (or automatic updates were turned off meanwhile): then the
         * update waits, ready, for the next window. */
        if (reboot == API_UPDATE_REBOOT_IN_WINDOW && !api_update_auto_may_reboot(ctx)) {
                log_info("automatic update ready, but not rebooting: the maintenance window has closed or "
                         "automatic updates are off");
                return;
        }
        api_update_reboot_soon(ctx);
}

int api_update_spawn(ApiContext *ctx, const ApiUpdateRun *run, char **ret_error) {
        _cleanup_(json_object_putp) struct json_object *updates = NULL;
        static char seed[16], lock[64], repo[1024], variant[64], version[64], set[8], disk[PATH_MAX];
        const char *argv[MAX_ARGS], *verb = run->verb;
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
                /* On the data partition: the rollback and freeze floors outlive this run and reboots. */
                argv[n++] = "--metadata-cache";
                argv[n++] = ctx->update_metadata_cache;
                /* Checked in start(): an absolute path on the node, read by the agent instead of the
                 * repository. */
                argv[n++] = run->bundle ? "--bundle" : "--repo";
                argv[n++] = run->bundle ?: repo;
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
                if (run->skip_version) {
                        argv[n++] = "--skip-version";
                        argv[n++] = run->skip_version;
                }
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
                if (run->version) {
                        argv[n++] = "--version";
                        argv[n++] = run->version;
                }
                if (run->allow_downgrade)
                        argv[n++] = "--allow-downgrade";
        }
        if (streq(verb, "apply") || streq(verb, "rollback") || streq(verb, "cancel")) {
                argv[n++] = "--current-set";
                argv[n++] = set;
                argv[n++] = "--esp";
                argv[n++] = ctx->update_esp;
        }
        argv[n] = NULL;

        if (stat(ctx->update_state, &ctx->update_state_before) < 0)
                ctx->update_state_before = (struct stat){};
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
        ctx->update_reboot = streq(verb, "apply") ? run->reboot : API_UPDATE_REBOOT_NO;
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
        const char *reboot = api_query(req, "reboot"), *downgrade = api_query(req, "allow-downgrade");
        const char *bundle = api_query(req, "bundle"), *problem;
        ApiUpdateRun run = { .verb = verb };
        struct json_object *o;

        if (ctx->update_child)
                return api_respond_error(resp, 409, NULL, "update %s is already running", ctx->update_verb);
        if (bundle && (streq(verb, "check") || streq(verb, "apply")) && (problem = bundle_problem(bundle)))
                return api_respond_error(resp, 400, NULL, "bundle path %s", problem);
        if (streq(verb, "check") || streq(verb, "apply"))
                run.bundle = bundle;
        if (streq(verb, "apply")) {
                run.version = api_query(req, "version");
                run.allow_downgrade = downgrade && streq(downgrade, "true");
                run.reboot = reboot && streq(reboot, "true") ? API_UPDATE_REBOOT_YES : API_UPDATE_REBOOT_NO;
        }
        if (api_update_spawn(ctx, &run, &error) < 0)
                return api_respond_error(resp, 500, NULL, "%s",
                                         error ? error : "cannot start the update agent");
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
