/* SPDX-License-Identifier: MIT */
/* apiserver: Bulkhead's settings API, HTTP/1.1 + JSON on a Unix socket
 * (docs/decisions/0004-settings-api.md). Single-threaded: libmicrohttpd runs inside an sd-event loop, which
 * also handles SIGTERM and the deadline of a "try" commit. At start it opens the datastore, makes the
 * model's defaults live for keys that have no value yet (first boot, or keys a new version added) and
 * reverts a tried change left unconfirmed. */
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "api-context.h"
#include "api-http.h"
#include "fileio.h"
#include "log.h"
#include "ready.h"

static const char *arg_socket = "/run/api.sock";
static const char *arg_os_release = "/usr/lib/os-release";
static const char *arg_datastore = "/var/lib/bulkhead/settings.sqlite";
static const char *arg_models = "/usr/share/bulkhead/models";
static const char *arg_templates = "/usr/share/bulkhead/templates";
static const char *arg_variant = NULL;
static const char *arg_root = "/";
static unsigned arg_mode = 0660;
static const char *arg_group = "api";
static bool arg_bus = true;
static const char *arg_update_program = "/usr/libexec/bulkhead/update";
static const char *arg_update_root = "/usr/share/bulkhead/update/root.json";
static const char *arg_update_state = "/var/lib/bulkhead/update-state.json";
static const char *arg_update_metadata_cache = "/var/lib/bulkhead/tuf";
static const char *arg_esp = "/efi";
static const char *arg_disk = NULL;
static const char *arg_cmdline = "/proc/cmdline";

static void help(void) {
        printf("Usage: apiserver [OPTIONS]\n"
               "Serves the settings API on a Unix socket.\n\n"
               "  --socket PATH        the socket (default %s)\n"
               "  --socket-mode OCTAL  its mode (default 0660)\n"
               "  --socket-group NAME  its group (default api; used only if the group exists)\n"
               "  --datastore PATH     the settings database (default %s)\n"
               "  --models DIR         the settings model (default %s)\n"
               "  --variant NAME       the model's variant (default: VARIANT_ID of the os-release file)\n"
               "  --templates DIR      configuration file templates (default %s)\n"
               "  --root DIR           where rendered files go (default /)\n"
               "  --os-release FILE    (default %s)\n"
               "  --update-program P   the update agent (default %s)\n"
               "  --update-root FILE   the trusted root.json of the update repository (default %s)\n"
               "  --update-state FILE  the agent's state file (default %s)\n"
               "  --update-metadata-cache DIR\n"
               "                       the TUF metadata the agent trusted last time (default %s)\n"
               "  --esp DIR            where the EFI system partition is (default /efi)\n"
               "  --disk DEV           the boot disk updates write to (default: the disk of the running\n"
               "                       root partition, bulkhead.root= on the kernel command line)\n"
               "  --cmdline FILE       the kernel command line (default %s)\n"
               "  --no-bus             do not restart units or reboot through systemd (tests)\n",
               arg_socket, arg_datastore, arg_models, arg_templates, arg_os_release, arg_update_program,
               arg_update_root, arg_update_state, arg_update_metadata_cache, arg_cmdline);
}

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_SOCKET = 0x100,
                ARG_MODE,
                ARG_GROUP,
                ARG_OS_RELEASE,
                ARG_DATASTORE,
                ARG_MODELS,
                ARG_VARIANT,
                ARG_TEMPLATES,
                ARG_ROOT,
                ARG_NO_BUS,
                ARG_UPDATE_PROGRAM,
                ARG_UPDATE_ROOT,
                ARG_UPDATE_STATE,
                ARG_UPDATE_METADATA_CACHE,
                ARG_ESP,
                ARG_DISK,
                ARG_CMDLINE,
        };
        static const struct option options[] = {
                { "socket", required_argument, NULL, ARG_SOCKET },
                { "socket-mode", required_argument, NULL, ARG_MODE },
                { "socket-group", required_argument, NULL, ARG_GROUP },
                { "os-release", required_argument, NULL, ARG_OS_RELEASE },
                { "datastore", required_argument, NULL, ARG_DATASTORE },
                { "models", required_argument, NULL, ARG_MODELS },
                { "variant", required_argument, NULL, ARG_VARIANT },
                { "templates", required_argument, NULL, ARG_TEMPLATES },
                { "root", required_argument, NULL, ARG_ROOT },
                { "no-bus", no_argument, NULL, ARG_NO_BUS },
                { "update-program", required_argument, NULL, ARG_UPDATE_PROGRAM },
                { "update-root", required_argument, NULL, ARG_UPDATE_ROOT },
                { "update-state", required_argument, NULL, ARG_UPDATE_STATE },
                { "update-metadata-cache", required_argument, NULL, ARG_UPDATE_METADATA_CACHE },
                { "esp", required_argument, NULL, ARG_ESP },
                { "disk", required_argument, NULL, ARG_DISK },
                { "cmdline", required_argument, NULL, ARG_CMDLINE },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        char *end;
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_SOCKET:
                        arg_socket = optarg;
                        break;
                case ARG_MODE:
                        arg_mode = (unsigned) strtoul(optarg, &end, 8);
                        if (*end || arg_mode > 0777) {
                                log_error("--socket-mode: '%s' is not an octal file mode", optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_GROUP:
                        arg_group = optarg;
                        break;
                case ARG_OS_RELEASE:
                        arg_os_release = optarg;
                        break;
                case ARG_DATASTORE:
                        arg_datastore = optarg;
                        break;
                case ARG_MODELS:
                        arg_models = optarg;
                        break;
                case ARG_VARIANT:
                        arg_variant = optarg;
                        break;
                case ARG_TEMPLATES:
                        arg_templates = optarg;
                        break;
                case ARG_ROOT:
                        arg_root = optarg;
                        break;
                case ARG_NO_BUS:
                        arg_bus = false;
                        break;
                case ARG_UPDATE_PROGRAM:
                        arg_update_program = optarg;
                        break;
                case ARG_UPDATE_ROOT:
                        arg_update_root = optarg;
                        break;
                case ARG_UPDATE_STATE:
                        arg_update_state = optarg;
                        break;
                case ARG_UPDATE_METADATA_CACHE:
                        arg_update_metadata_cache = optarg;
                        break;
                case ARG_ESP:
                        arg_esp = optarg;
                        break;
                case ARG_DISK:
                        arg_disk = optarg;
                        break;
                case ARG_CMDLINE:
                        arg_cmdline = optarg;
                        break;
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                log_error("unexpected argument '%s'", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

/* VARIANT_ID from the os-release file, into buf. */
static const char *variant_of_os_release(char *buf, size_t size) {
        _cleanup_free_ char *text = NULL;

        if (read_full_file(arg_os_release, 64 * 1024, &text, NULL) < 0 ||
            os_release_get(text, "VARIANT_ID", buf, size) < 0)
                return NULL;
        return buf;
}

/* Datastore, model and defaults: what must hold before the first request is answered. */
static int open_settings(ApiContext *ctx) {
        struct json_object *defaults = NULL, *added = NULL;
        char variant[64];
        SettingsError e = {};
        int r;

        if (!arg_variant)
                arg_variant = variant_of_os_release(variant, sizeof(variant));
        r = settings_model_load(arg_models, arg_variant, &ctx->model, &e);
        if (r < 0)
                return log_error_errno(
                        r, "Failed to load the settings model from %s (variant %s): %s%s%s: %m", arg_models,
                        arg_variant ? arg_variant : "none", e.key, e.key[0] ? ": " : "", e.message);
        r = settings_store_open(arg_datastore, &ctx->store, &e);
        if (r < 0)
                return log_error_errno(r, "Failed to open the datastore %s: %s", arg_datastore, e.message);
        r = settings_model_defaults(ctx->model, &defaults);
        if (r >= 0)
                r = settings_store_set_defaults(ctx->store, defaults, &added, &e);
        if (r < 0) {
                json_object_put(defaults);
                return log_error_errno(r, "Failed to store the default settings: %s", e.message);
        }
        if (json_object_array_length(added) > 0)
                log_info("defaults set for %zu keys", json_object_array_length(added));
        json_object_put(defaults);
        json_object_put(added);
        return 0;
}

/* systemd's own socket, not the system bus: the API starts before D-Bus does and must not depend on it. */
static int open_systemd_bus(sd_bus **ret) {
        sd_bus *bus = NULL;
        int r;

        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, "unix:path=/run/systemd/private");
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return sd_bus_open_system(ret);
        }
        *ret = bus;
        return 0;
}

int main(int argc, char *argv[]) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        _cleanup_(api_server_freep) ApiServer *server = NULL;
        ApiContext ctx = {};
        int fd, r;

        log_set_program("apiserver");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        ctx.os_release = arg_os_release;
        ctx.templates_dir = arg_templates;
        ctx.root = arg_root;
        ctx.file_status = json_object_new_object();
        ctx.update_program = arg_update_program;
        ctx.update_root = arg_update_root;
        ctx.update_state = arg_update_state;
        ctx.update_metadata_cache = arg_update_metadata_cache;
        ctx.update_esp = arg_esp;
        ctx.update_disk = arg_disk;
        ctx.cmdline = arg_cmdline;

        if (open_settings(&ctx) < 0)
                return EXIT_FAILURE;
        if (arg_bus) {
                r = open_systemd_bus(&ctx.bus);
                if (r < 0)
                        log_warning_errno(r, "No connection to systemd, units will not be restarted: %m");
        }
        /* sd-event watches the update agent's exit with a child source, which wants SIGCHLD blocked. */
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        r = sd_event_default(&e);
        if (r < 0)
                return log_error_errno(r, "Failed to create the event loop: %m"), EXIT_FAILURE;
        ctx.event = e;
        (void) sd_event_set_signal_exit(e, true);
        (void) api_try_revert(&ctx);

        struct group *g = getgrnam(arg_group);
        if (!g)
                log_info("group '%s' does not exist: the socket keeps its owner's group", arg_group);
        r = api_listen_unix(arg_socket, arg_mode, g ? g->gr_gid : (gid_t) -1, &fd);
        if (r < 0)
                return log_error_errno(r, "Failed to listen on %s: %m", arg_socket), EXIT_FAILURE;
        r = api_server_new(e, fd, &ctx, api_routes, api_n_routes, &server);
        if (r < 0)
                return log_error_errno(r, "Failed to start the HTTP server: %m"), EXIT_FAILURE;

        log_info("serving on %s", arg_socket);
        (void) sd_notify(false, "READY=1\nSTATUS=Serving the settings API");
        r = sd_event_loop(e);
        (void) sd_notify(false, "STOPPING=1");
        server = api_server_free(server);
        (void) unlink(arg_socket);
        ctx.try_timer = sd_event_source_disable_unref(ctx.try_timer);
        ctx.update_child = sd_event_source_disable_unref(ctx.update_child);
        sd_bus_flush_close_unref(ctx.bus);
        settings_store_close(ctx.store);
        settings_model_free(ctx.model);
        json_object_put(ctx.file_status);
        json_object_put(ctx.settings_cache);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
