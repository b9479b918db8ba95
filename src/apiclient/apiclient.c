/* SPDX-License-Identifier: MIT */
/* apiclient: talks to Bulkhead's API server (docs/decisions/0004-settings-api.md). People get readable
 * output; --json gives programs the server's JSON unchanged. Exit codes are in help() and apiclient(1). */
#include <curl/curl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "macro.h"

static ClientOptions arg = { .socket = "/run/api.sock" };

static int help(void) {
        printf("Usage: apiclient [--socket PATH] [--json] COMMAND [ARGS]\n"
               "\n"
               "Commands:\n"
               "  get [KEY-PREFIX...]          show settings (all, or those under each prefix)\n"
               "  set KEY=VALUE...             change settings and apply them (KEY may omit 'settings.')\n"
               "  set --json JSON              the same with a JSON settings tree: '{\"motd\": \"hi\"}'\n"
               "  set --try SECONDS ...        apply, and revert unless 'apiclient confirm' comes in time\n"
               "  confirm                      keep the settings of a pending 'set --try'\n"
               "  apply [FILE|-]               apply a TOML or JSON document with a [settings] table\n"
               "  raw [-X METHOD] -u URI [-d BODY]   one request, the answer printed as it came\n"
               "  update check [--bundle FILE] look for a newer version in the update repository (or in\n"
               "                               FILE, an update bundle on the node)\n"
               "  update apply [--reboot] [--version V] [--allow-downgrade] [--bundle FILE]\n"
               "                               write it to the other partition set (and boot it)\n"
               "  update cancel                drop a staged update that has not booted\n"
               "  update auto                  what the update timer runs: inside the maintenance window,\n"
               "                               apply and reboot; outside it, say when it opens\n"
               "  rollback                     boot the other partition set next time\n"
               "  reboot                       reboot the host\n"
               "\n"
               "Options:\n"
               "  --socket PATH   the API server's socket (default /run/api.sock)\n"
               "  --json          print JSON exactly as the server sent it\n"
               "\n"
               "Exit status: 0 done; 1 bad usage or unreadable input; 2 the API refused the request\n"
               "(the reason and the key are printed); 3 no API server answered, or it failed.\n"
               "See apiclient(1): docs/man/apiclient.1.\n");
        return EXIT_OK;
}

static char *escape(const char *s) {
        char *e = curl_easy_escape(NULL, s, 0), *copy = e ? strdup(e) : NULL;
        curl_free(e);
        return copy;
}

static int cmd_get(int argc, char *argv[]) {
        _cleanup_free_ char *path = NULL, *joined = NULL, *q = NULL;
        size_t len = 0;

        for (int i = 0; i < argc; i++)
                len += strlen(argv[i]) + strlen("settings.") + 1;
        joined = calloc(1, len + 1);
        if (!joined)
                return EXIT_UNAVAILABLE;
        for (int i = 0; i < argc; i++) {
                if (i)
                        strcat(joined, ",");
                if (!strneq(argv[i], "settings", 8))
                        strcat(joined, "settings.");
                strcat(joined, argv[i]);
        }
        if (argc == 0)
                return client_request(&arg, "GET", "/settings", NULL, true);
        q = escape(joined);
        if (!q || asprintf(&path, "/settings?prefix=%s", q) < 0)
                return EXIT_UNAVAILABLE;
        return client_request(&arg, "GET", path, NULL, true);
}

/* Commits the client's own transaction and applies it, or tries it with a deadline. */
static int commit(const char *tx, const char *try_seconds) {
        _cleanup_free_ char *path = NULL;

        if (try_seconds ? asprintf(&path, "/tx/try?tx=%s&timeout=%s", tx, try_seconds) < 0
                        : asprintf(&path, "/tx/commit_and_apply?tx=%s", tx) < 0)
                return EXIT_UNAVAILABLE;
        return client_request(&arg, "POST", path, NULL, arg.json || try_seconds);
}

static int patch_and_commit(const char *endpoint, const char *body, const char *try_seconds) {
        _cleanup_free_ char *path = NULL;
        char tx[64];
        int r;

        /* A transaction of our own, so that concurrent clients do not commit each other's changes. */
        snprintf(tx, sizeof(tx), "apiclient-%d", (int) getpid());
        if (asprintf(&path, "%s?tx=%s", endpoint, tx) < 0)
                return EXIT_UNAVAILABLE;
        r = client_request(&arg, "PATCH", path, body, false);
        if (r != EXIT_OK) {
                free(path);
                /* Quietly drop what part of the change the server took: the refusal was printed. */
                if (asprintf(&path, "/tx?tx=%s", tx) >= 0) {
                        _cleanup_free_ char *answer = NULL;
                        long status;
                        (void) client_call(&arg, "DELETE", path, NULL, &status, &answer);
                }
                return r;
        }
        return commit(tx, try_seconds);
}

static int cmd_set(int argc, char *argv[]) {
        const char *json = NULL, *try_seconds = NULL;
        struct json_object *pairs;
        int r;

        while (argc > 0 && argv[0][0] == '-') {
                if (streq(argv[0], "--json") && argc > 1)
                        json = argv[1];
                else if (streq(argv[0], "--try") && argc > 1)
                        try_seconds = argv[1];
                else {
                        fprintf(stderr, "apiclient set: unknown option '%s'\n", argv[0]);
                        return EXIT_USAGE;
                }
                argc -= 2;
                argv += 2;
        }
        if (try_seconds && strspn(try_seconds, "0123456789") != strlen(try_seconds)) {
                /* Accept "60s" as well as "60". */
                if (strspn(try_seconds, "0123456789") + 1 != strlen(try_seconds) ||
                    try_seconds[strlen(try_seconds) - 1] != 's') {
                        fprintf(stderr, "apiclient set: --try wants seconds, not '%s'\n", try_seconds);
                        return EXIT_USAGE;
                }
                ((char *) try_seconds)[strlen(try_seconds) - 1] = 0;
        }
        if (json) {
                if (argc > 0) {
                        fprintf(stderr, "apiclient set: --json takes no KEY=VALUE arguments\n");
                        return EXIT_USAGE;
                }
                return patch_and_commit("/settings", json, try_seconds);
        }
        if (argc == 0) {
                fprintf(stderr, "apiclient set: nothing to set (KEY=VALUE... or --json JSON)\n");
                return EXIT_USAGE;
        }
        pairs = json_object_new_array();
        for (int i = 0; i < argc; i++) {
                const char *eq = strchr(argv[i], '=');
                struct json_object *p;
                char *key;

                if (!eq || eq == argv[i]) {
                        fprintf(stderr, "apiclient set: '%s' is not KEY=VALUE\n", argv[i]);
                        json_object_put(pairs);
                        return EXIT_USAGE;
                }
                if (asprintf(&key, "%s%.*s", strneq(argv[i], "settings.", 9) ? "" : "settings.",
                             (int) (eq - argv[i]), argv[i]) < 0)
                        return EXIT_UNAVAILABLE;
                p = json_object_new_object();
                json_object_object_add(p, "key", json_object_new_string(key));
                json_object_object_add(p, "value", json_object_new_string(eq + 1));
                json_object_array_add(pairs, p);
                free(key);
        }
        r = patch_and_commit("/settings/keypair",
                             json_object_to_json_string_ext(pairs, JSON_C_TO_STRING_PLAIN), try_seconds);
        json_object_put(pairs);
        return r;
}

static int cmd_apply(int argc, char *argv[]) {
        struct json_object *settings;
        int r;

        if (argc > 1) {
                fprintf(stderr, "apiclient apply: one FILE at most\n");
                return EXIT_USAGE;
        }
        settings = client_read_settings(argc == 1 ? argv[0] : "-");
        if (!settings)
                return EXIT_USAGE;
        r = patch_and_commit("/settings", json_object_to_json_string_ext(settings, JSON_C_TO_STRING_PLAIN),
                             NULL);
        json_object_put(settings);
        return r;
}

#define STATUS_TIMEOUT_S 20L
#define STATUS_TRIES     5

/* Waits for the agent to finish, then prints the state it left. With reboot, the node may go before the
 * outcome is read: that is what a successful apply with reboot does. */
static int update_wait(bool reboot) {
        _cleanup_free_ char *answer = NULL;
        long status = 0;
        int r;

        for (;;) {
                struct json_object *o, *running, *state, *reason, *version;

                free(answer);
                answer = NULL;
                /* A status read is safe to repeat, and a request can be lost on the way (a hypervisor
                 * channel carries one stream for every client in turn): a short limit and a few tries
                 * instead of one long wait. An update that runs for long still answers within it. */
                r = -EIO;
                for (int try = 0; r < 0 && try < STATUS_TRIES; try++) {
                        free(answer);
                        answer = NULL;
                        r = client_call_within(&arg, "GET", "/updates/status", NULL, STATUS_TIMEOUT_S,
                                               &status, &answer);
                }
                if (r < 0 || status != 200) {
                        if (reboot) {
                                printf("rebooting\n");
                                return EXIT_OK;
                        }
                        fprintf(stderr, "apiclient: lost the API server while the update ran\n");
                        return EXIT_UNAVAILABLE;
                }
                o = json_tokener_parse(answer);
                if (!o)
                        return EXIT_UNAVAILABLE;
                if (json_object_object_get_ex(o, "running", &running) && running) {
                        json_object_put(o);
                        usleep(300 * 1000);
                        continue;
                }
                json_object_object_get_ex(o, "state", &state);
                json_object_object_get_ex(o, "reason", &reason);
                json_object_object_get_ex(o, "version", &version);
                if (arg.json)
                        printf("%s\n", answer);
                else
                        printf("%s%s%s%s%s\n", json_object_get_string(state), version ? " " : "",
                               version ? json_object_get_string(version) : "", reason ? ": " : "",
                               reason ? json_object_get_string(reason) : "");
                r = streq(json_object_get_string(state), "error") ? EXIT_REFUSED : EXIT_OK;
                json_object_put(o);
                return r;
        }
}

/* Starts an update action and waits for the agent to finish. */
static int update_action(const char *path, bool reboot) {
        int r = client_request(&arg, "POST", path, NULL, false);

        return r != EXIT_OK ? r : update_wait(reboot);
}

/* update auto: nothing to do now (automatic updates off, outside the window) is a success that says why and
 * when the window opens; a ready update is rebooted into; otherwise it is update apply --reboot. */
static int update_auto(void) {
        _cleanup_free_ char *answer = NULL;
        struct json_object *o, *started, *reason, *window, *opens, *version;
        long status = 0;
        int r = EXIT_OK;

        if (client_call(&arg, "POST", "/actions/update/auto", NULL, &status, &answer) < 0) {
                fprintf(stderr, "apiclient: no answer from the API server at %s\n",
                        answer ? answer : arg.socket);
                return EXIT_UNAVAILABLE;
        }
        if (status >= 400) {
                client_print_error(status, answer);
                return status >= 500 ? EXIT_UNAVAILABLE : EXIT_REFUSED;
        }
        o = json_tokener_parse(answer);
        if (!json_object_object_get_ex(o, "started", &started)) {
                fprintf(stderr, "apiclient: unexpected answer: %s\n", answer);
                json_object_put(o);
                return EXIT_UNAVAILABLE;
        }
        json_object_object_get_ex(o, "reason", &reason);
        json_object_object_get_ex(o, "version", &version);
        json_object_object_get_ex(o, "window", &window);
        json_object_object_get_ex(window, "opens", &opens);
        if (started && streq(json_object_get_string(started), "apply"))
                r = update_wait(true);
        else if (arg.json)
                printf("%s\n", answer);
        else if (started)
                printf("rebooting into %s\n", version ? json_object_get_string(version) : "the update");
        else
                printf("%s%s%s\n", reason ? json_object_get_string(reason) : "nothing to do",
                       opens ? "; the maintenance window opens at " : "",
                       opens ? json_object_get_string(opens) : "");
        json_object_put(o);
        return r;
}

static int cmd_update(int argc, char *argv[]) {
        _cleanup_free_ char *path = NULL, *bundle = NULL;
        const char *version = NULL;
        bool reboot = false, downgrade = false;
        int r;

        if (argc < 1) {
                fprintf(stderr, "apiclient update: check, apply, cancel or auto\n");
                return EXIT_USAGE;
        }
        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--reboot"))
                        reboot = true;
                else if (streq(argv[i], "--allow-downgrade"))
                        downgrade = true;
                else if (streq(argv[i], "--version") && i + 1 < argc)
                        version = argv[++i];
                else if (streq(argv[i], "--bundle") && i + 1 < argc) {
                        /* A path on the node, which the server checks: passed on as it is. */
                        free(bundle);
                        if (!(bundle = escape(argv[++i])))
                                return EXIT_UNAVAILABLE;
                } else {
                        fprintf(stderr, "apiclient update: unknown option '%s'\n", argv[i]);
                        return EXIT_USAGE;
                }
        }
        if (streq(argv[0], "auto")) {
                if (argc > 1) {
                        fprintf(stderr, "apiclient update auto: no options\n");
                        return EXIT_USAGE;
                }
                return update_auto();
        }
        if (streq(argv[0], "cancel"))
                return update_action("/actions/update/cancel", false);
        if (streq(argv[0], "check")) {
                r = asprintf(&path, "/actions/update/check%s%s", bundle ? "?bundle=" : "", bundle ?: "");
                return r < 0 ? EXIT_UNAVAILABLE : update_action(path, false);
        }
        if (!streq(argv[0], "apply")) {
                fprintf(stderr, "apiclient update: unknown action '%s'\n", argv[0]);
                return EXIT_USAGE;
        }
        if (asprintf(&path, "/actions/update/apply?reboot=%s&allow-downgrade=%s%s%s%s%s",
                     reboot ? "true" : "false", downgrade ? "true" : "false", version ? "&version=" : "",
                     version ? version : "", bundle ? "&bundle=" : "", bundle ?: "") < 0)
                return EXIT_UNAVAILABLE;
        return update_action(path, reboot);
}

static int cmd_raw(int argc, char *argv[]) {
        const char *method = "GET", *uri = NULL, *data = NULL;
        int c;

        optind = 0;
        while ((c = getopt(argc, argv, "+X:u:d:")) >= 0)
                switch (c) {
                case 'X':
                        method = optarg;
                        break;
                case 'u':
                        uri = optarg;
                        break;
                case 'd':
                        data = optarg;
                        break;
                default:
                        return EXIT_USAGE;
                }
        if (!uri || uri[0] != '/') {
                fprintf(stderr, "apiclient raw: -u URI is required and starts with '/'\n");
                return EXIT_USAGE;
        }
        return client_request(&arg, method, uri, data, true);
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "socket", required_argument, NULL, 's' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *cmd;
        int c, r;

        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0)
                switch (c) {
                case 's':
                        arg.socket = optarg;
                        break;
                case 'j':
                        arg.json = true;
                        break;
                case 'h':
                        return help();
                default:
                        return EXIT_USAGE;
                }
        if (optind >= argc) {
                fprintf(stderr, "apiclient: no command (see apiclient --help)\n");
                return EXIT_USAGE;
        }
        cmd = argv[optind];
        argc -= optind + 1;
        argv += optind + 1;
        curl_global_init(CURL_GLOBAL_DEFAULT);
        if (streq(cmd, "get"))
                r = cmd_get(argc, argv);
        else if (streq(cmd, "set"))
                r = cmd_set(argc, argv);
        else if (streq(cmd, "confirm"))
                r = client_request(&arg, "POST", "/tx/confirm", NULL, false);
        else if (streq(cmd, "apply"))
                r = cmd_apply(argc, argv);
        else if (streq(cmd, "raw"))
                r = cmd_raw(argc + 1, argv - 1);
        else if (streq(cmd, "update"))
                r = cmd_update(argc, argv);
        else if (streq(cmd, "rollback"))
                r = update_action("/actions/rollback", false);
        else if (streq(cmd, "reboot"))
                r = client_request(&arg, "POST", "/actions/reboot", NULL, false);
        else {
                fprintf(stderr, "apiclient: unknown command '%s' (see apiclient --help)\n", cmd);
                r = EXIT_USAGE;
        }
        curl_global_cleanup();
        return r;
}
