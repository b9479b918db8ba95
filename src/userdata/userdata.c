/* SPDX-License-Identifier: MIT */
/* userdata: applies TOML user data at first boot (DESIGN.md §3), or checks a user data file offline. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"
#include "log.h"
#include "ready.h"
#include "userdata-boot.h"

static BootOptions arg_boot = {
        .socket = "/run/api.sock",
        .models = "/usr/share/bulkhead/models",
        .console = "/dev/console",
        .providers = {
                .fw_cfg_root = "/sys/firmware/qemu_fw_cfg",
                .file = "/local/user-data.toml",
                .by_label_dir = "/dev/disk/by-label",
                .run_dir = "/run",
                .imds_url = "http://169.254.169.254",
        },
};
static const char *arg_os_release = NULL;
static const char *arg_check = NULL;

static int help(void) {
        printf("Usage: userdata [OPTIONS]\n"
               "       userdata --check FILE [--models DIR] [--variant NAME | --os-release FILE]\n"
               "\n"
               "At first boot, applies the TOML user data of the first source that has some through the\n"
               "API server, or lists every problem with it and records them. The sources, in order:\n"
               "  fw_cfg        QEMU's fw_cfg blob opt/org.bulkhead/user-data\n"
               "  file          the file on the data partition\n"
               "  config-drive  user-data on a drive labelled CIDATA (cloud-init NoCloud), or\n"
               "                openstack/latest/user_data on one labelled config-2 (OpenStack)\n"
               "  imds          EC2's instance metadata service (IMDSv2), /latest/user-data\n"
               "--check lists the problems of a file, offline.\n"
               "\n"
               "Options:\n"
               "  --check FILE         check FILE against the model; exit 0 if valid, 1 if not\n"
               "  --socket PATH        the API server's socket (default %s)\n"
               "  --models DIR         the settings model (default %s)\n"
               "  --variant NAME       the model's variant (default: VARIANT_ID of the os-release file;\n"
               "                       with --check and no --os-release, the base model alone)\n"
               "  --os-release FILE    where VARIANT_ID is read (default /usr/lib/os-release)\n"
               "  --fw-cfg-root DIR    QEMU's fw_cfg in sysfs (default %s)\n"
               "  --file PATH          the user data file on the data partition (default %s)\n"
               "  --by-label-dir DIR   where the config drive is looked up by label (default %s)\n"
               "  --run-dir DIR        where the config drive is mounted while read (default %s)\n"
               "  --imds-url URL       EC2's instance metadata service (default %s)\n"
               "  --console PATH       where errors are shown besides stderr (default %s; '' for none)\n"
               "  --help               show this help\n"
               "  --version            show the version\n",
               arg_boot.socket, arg_boot.models, arg_boot.providers.fw_cfg_root, arg_boot.providers.file,
               arg_boot.providers.by_label_dir, arg_boot.providers.run_dir, arg_boot.providers.imds_url,
               arg_boot.console);
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_SOCKET = 0x100,
                ARG_MODELS,
                ARG_VARIANT,
                ARG_OS_RELEASE,
                ARG_FW_CFG_ROOT,
                ARG_FILE,
                ARG_BY_LABEL_DIR,
                ARG_RUN_DIR,
                ARG_IMDS_URL,
                ARG_CONSOLE,
                ARG_CHECK,
                ARG_VERSION
        };
        static const struct option options[] = {
                { "socket", required_argument, NULL, ARG_SOCKET },
                { "models", required_argument, NULL, ARG_MODELS },
                { "variant", required_argument, NULL, ARG_VARIANT },
                { "os-release", required_argument, NULL, ARG_OS_RELEASE },
                { "fw-cfg-root", required_argument, NULL, ARG_FW_CFG_ROOT },
                { "file", required_argument, NULL, ARG_FILE },
                { "by-label-dir", required_argument, NULL, ARG_BY_LABEL_DIR },
                { "run-dir", required_argument, NULL, ARG_RUN_DIR },
                { "imds-url", required_argument, NULL, ARG_IMDS_URL },
                { "console", required_argument, NULL, ARG_CONSOLE },
                { "check", required_argument, NULL, ARG_CHECK },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_SOCKET:
                        arg_boot.socket = optarg;
                        break;
                case ARG_MODELS:
                        arg_boot.models = optarg;
                        break;
                case ARG_VARIANT:
                        arg_boot.variant = optarg;
                        break;
                case ARG_OS_RELEASE:
                        arg_os_release = optarg;
                        break;
                case ARG_FW_CFG_ROOT:
                        arg_boot.providers.fw_cfg_root = optarg;
                        break;
                case ARG_FILE:
                        arg_boot.providers.file = optarg;
                        break;
                case ARG_BY_LABEL_DIR:
                        arg_boot.providers.by_label_dir = optarg;
                        break;
                case ARG_RUN_DIR:
                        arg_boot.providers.run_dir = optarg;
                        break;
                case ARG_IMDS_URL:
                        arg_boot.providers.imds_url = optarg;
                        break;
                case ARG_CONSOLE:
                        arg_boot.console = *optarg ? optarg : NULL;
                        break;
                case ARG_CHECK:
                        arg_check = optarg;
                        break;
                case 'h':
                        return help();
                case ARG_VERSION:
                        printf("userdata %s\n", BULKHEAD_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                log_error("unexpected argument '%s'", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

/* The variant the API server runs: VARIANT_ID of os-release, as it reads it. */
static int find_variant(char *buf, size_t size) {
        _cleanup_free_ char *text = NULL;
        const char *path = arg_os_release ?: "/usr/lib/os-release";
        int r;

        /* --check runs on any machine, whose own os-release says nothing about Bulkhead's variants. */
        if (arg_boot.variant || (arg_check && !arg_os_release))
                return 0;
        r = read_full_file(path, 64 * 1024, &text, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to read '%s': %m", path);
        r = os_release_get(text, "VARIANT_ID", buf, size);
        if (r == -ENOENT)
                return 0; /* no variant: the base model, as the API server does */
        if (r < 0)
                return log_error_errno(r, "Failed to read VARIANT_ID from '%s': %m", path);
        arg_boot.variant = buf;
        return 0;
}

/* --check: the same parsing and checks as at boot, with the errors on stderr. */
static int check_file(const char *path) {
        _cleanup_(settings_model_freep) SettingsModel *m = NULL;
        _cleanup_(userdata_done) UserData u = {};
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r;

        r = userdata_load_model(arg_boot.models, arg_boot.variant, &m);
        if (r < 0)
                return r;
        r = read_full_file(path, USERDATA_MAX_SIZE, &text, &len);
        if (r == -EFBIG)
                r = userdata_add_error(&u, "larger than the limit of %d bytes", USERDATA_MAX_SIZE);
        else if (r < 0)
                return log_error_errno(r, "Failed to read '%s': %m", path);
        else
                r = userdata_parse(m, text, len, &u);
        if (r < 0)
                return log_error_errno(r, "Failed to check '%s': %m", path);
        if (u.n_errors > 0) {
                userdata_report(&u, path, NULL);
                return 1;
        }
        printf("%s: valid, %zu keys\n", path, u.n_keys);
        return 0;
}

static int run(int argc, char *argv[]) {
        char variant[64];
        int r;

        log_set_program("userdata");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r;
        r = find_variant(variant, sizeof(variant));
        if (r < 0)
                return r;
        if (arg_check)
                return check_file(arg_check);
        return userdata_boot(&arg_boot);
}

int main(int argc, char *argv[]) {
        int r = run(argc, argv);

        return r < 0 ? EXIT_FAILURE : r;
}
