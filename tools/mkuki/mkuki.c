/* SPDX-License-Identifier: MIT */
/* mkuki: assembles a Unified Kernel Image from systemd's EFI stub, a kernel, an initramfs, a command line
 * and os-release (Debian bookworm has no ukify). The result is signed as one file by sbsign. */
#include <getopt.h>
#include <stdio.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "pe.h"

#define MAX_INPUT (512u * 1024 * 1024)

static const char *arg_stub, *arg_linux, *arg_initrd, *arg_cmdline, *arg_osrel, *arg_uname, *arg_output;

static void help(void) {
        printf("Usage: mkuki --stub STUB --linux KERNEL --initrd INITRD --cmdline TEXT|@FILE --os-release "
               "FILE\n"
               "             [--uname VERSION] --output FILE\n"
               "Appends .osrel, .cmdline, .uname, .initrd and .linux sections, each on a page boundary "
               "after the\n"
               "stub's own sections, to systemd's EFI stub.\n");
}

static int parse_argv(int argc, char *argv[]) {
        static const struct option options[] = {
                { "stub", required_argument, NULL, 's' },
                { "linux", required_argument, NULL, 'l' },
                { "initrd", required_argument, NULL, 'i' },
                { "cmdline", required_argument, NULL, 'c' },
                { "os-release", required_argument, NULL, 'r' },
                { "uname", required_argument, NULL, 'u' },
                { "output", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 's':
                        arg_stub = optarg;
                        break;
                case 'l':
                        arg_linux = optarg;
                        break;
                case 'i':
                        arg_initrd = optarg;
                        break;
                case 'c':
                        arg_cmdline = optarg;
                        break;
                case 'r':
                        arg_osrel = optarg;
                        break;
                case 'u':
                        arg_uname = optarg;
                        break;
                case 'o':
                        arg_output = optarg;
                        break;
                default:
                        return -EINVAL;
                }
        if (!arg_stub || !arg_linux || !arg_initrd || !arg_cmdline || !arg_osrel || !arg_output)
                return log_error_errno(-EINVAL,
                                       "--stub, --linux, --initrd, --cmdline, --os-release and --output are "
                                       "required (see --help)");
        return 1;
}

static int add_file(PeImage *pe, const char *section, const char *path) {
        _cleanup_free_ char *data = NULL;
        const char *error;
        size_t size;
        int r;

        r = read_full_file(path, MAX_INPUT, &data, &size);
        if (r < 0)
                return log_error_errno(r, "cannot read %s input '%s': %m", section, path);
        r = pe_add_section(pe, section, data, size, &error);
        return r < 0 ? log_error_errno(r, "cannot add section %s ('%s'): %s", section, path, error) : 0;
}

static int add_text(PeImage *pe, const char *section, const char *text) {
        const char *error;
        /* The stub reads these as NUL-terminated strings. */
        int r = pe_add_section(pe, section, text, strlen(text) + 1, &error);
        return r < 0 ? log_error_errno(r, "cannot add section %s: %s", section, error) : 0;
}

static int run(void) {
        _cleanup_free_ char *cmdline = NULL;
        PeImage pe = {};
        char *stub = NULL;
        const char *error;
        size_t size;
        int r;

        r = read_full_file(arg_stub, MAX_INPUT, &stub, &size);
        if (r < 0)
                return log_error_errno(r, "cannot read stub '%s': %m", arg_stub);
        r = pe_parse((uint8_t *) stub, size, &pe, &error);
        if (r < 0) {
                free(stub);
                return log_error_errno(r, "stub '%s': %s", arg_stub, error);
        }
        if (arg_cmdline[0] == '@') {
                r = read_full_file(arg_cmdline + 1, 64 * 1024, &cmdline, NULL);
                if (r < 0) {
                        pe_free(&pe);
                        return log_error_errno(r, "cannot read command line file '%s': %m", arg_cmdline + 1);
                }
                cmdline[strcspn(cmdline, "\n")] = 0;
        } else if (!(cmdline = strdup(arg_cmdline))) {
                pe_free(&pe);
                return -ENOMEM;
        }

        r = add_file(&pe, ".osrel", arg_osrel);
        if (r >= 0)
                r = add_text(&pe, ".cmdline", cmdline);
        if (r >= 0 && arg_uname)
                r = add_text(&pe, ".uname", arg_uname);
        if (r >= 0)
                r = add_file(&pe, ".initrd", arg_initrd);
        /* The kernel last: the stub may let it use memory past the end of its section. */
        if (r >= 0)
                r = add_file(&pe, ".linux", arg_linux);
        if (r >= 0) {
                r = write_file_atomic(arg_output, pe.data, pe.size, 0644);
                if (r < 0)
                        log_error_errno(r, "cannot write '%s': %m", arg_output);
        }
        pe_free(&pe);
        return r;
}

int main(int argc, char *argv[]) {
        int r;

        log_set_program("mkuki");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        return run() < 0 ? 1 : 0;
}
