/* SPDX-License-Identifier: MIT */
/* migrate: runs before the API server on every boot and brings the datastore to the version of the image
 * that booted, with the migrations the update agent downloaded when it installed that image (forward) or
 * the newer one (backward). Nothing to do on most boots: the data already follows the image. */
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "migration.h"
#include "ready.h"

static const char *arg_datastore = "/var/lib/bulkhead/settings.sqlite";
static const char *arg_os_release = "/usr/lib/os-release";
static const char *arg_dir = "/var/lib/bulkhead/migrations";
static bool arg_console = false;

/* A line for the journal (stdout) and, with --console, the serial console an operator watches. */
_printf_(1, 2) static void report(const char *fmt, ...) {
        _cleanup_free_ char *line = NULL;
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&line, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        fputs(line, stdout);
        fflush(stdout);
        if (arg_console) {
                _cleanup_close_ int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
                if (fd >= 0)
                        (void) loop_write(fd, line, strlen(line));
        }
}

static void help(void) {
        printf("Usage: migrate [OPTIONS...]\n\n"
               "Migrates the settings datastore to the version of the running image.\n\n"
               "     --datastore PATH       the settings database (default %s)\n"
               "     --os-release PATH      VERSION_ID and VARIANT_ID of the image (default %s)\n"
               "     --migrations-dir DIR   what the update agent downloaded (default %s)\n"
               "     --console              Also tell the console what was migrated\n"
               "  -h --help                 Show this help\n",
               arg_datastore, arg_os_release, arg_dir);
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_DATASTORE = 0x100, ARG_OS_RELEASE, ARG_DIR, ARG_CONSOLE };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "datastore", required_argument, NULL, ARG_DATASTORE },
                { "os-release", required_argument, NULL, ARG_OS_RELEASE },
                { "migrations-dir", required_argument, NULL, ARG_DIR },
                { "console", no_argument, NULL, ARG_CONSOLE },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_DATASTORE:
                        arg_datastore = optarg;
                        break;
                case ARG_OS_RELEASE:
                        arg_os_release = optarg;
                        break;
                case ARG_DIR:
                        arg_dir = optarg;
                        break;
                case ARG_CONSOLE:
                        arg_console = true;
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

int main(int argc, char *argv[]) {
        _cleanup_free_ char *os_release = NULL, *why = NULL;
        char version[MIGRATION_NAME_MAX + 1], variant[MIGRATION_NAME_MAX + 1];
        MigrateResult res;
        int r;

        log_set_program("migrate");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        r = read_full_file(arg_os_release, 64 * 1024, &os_release, NULL);
        if (r < 0 || os_release_get(os_release, "VERSION_ID", version, sizeof(version)) < 0 ||
            os_release_get(os_release, "VARIANT_ID", variant, sizeof(variant)) < 0) {
                log_error("%s: cannot read VERSION_ID and VARIANT_ID", arg_os_release);
                return EXIT_FAILURE;
        }
        r = migrate_datastore(arg_datastore, variant, version, arg_dir, &res, &why);
        if (r < 0) {
                /* On the console: a node that cannot use its data fails its health check, and on a boot on
                 * trial goes back to the set whose data this still is. */
                report("bulkhead: settings migration to %s failed: %s\n", version, why ?: "out of memory");
                return EXIT_FAILURE;
        }
        switch (res.outcome) {
        case MIGRATE_CURRENT:
                break;
        case MIGRATE_RECORDED:
                log_info("settings follow version %s", version);
                break;
        case MIGRATE_NO_WAY:
                report("bulkhead: no settings migrations known from %s to %s: settings kept as they are\n",
                       res.from, version);
                break;
        case MIGRATE_DONE:
                report("bulkhead: settings migrated from %s to %s: %s (%u changes)\n", res.from, version,
                       res.names[0] ? res.names : "no migrations", res.changed);
                break;
        }
        return EXIT_SUCCESS;
}
