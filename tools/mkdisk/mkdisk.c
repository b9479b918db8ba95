/* SPDX-License-Identifier: MIT */
/* mkdisk: lays out a whole GPT disk image from partition specifications and content files. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "gpt.h"
#include "log.h"
#include "macro.h"
#include "mkdisk.h"

static const char *arg_output;
static uint64_t arg_size; /* 0 = auto */
static const char *arg_disk_guid;
static DiskPart arg_parts[GPT_ENTRIES];
static unsigned arg_n_parts;

static void help(void) {
        printf("Usage: mkdisk --output FILE [--size BYTES|auto] [--disk-guid GUID] --part SPEC...\n"
               "Writes a GPT disk image. SPEC is NAME,TYPE,SIZE_MIB,UUID[,CONTENT_FILE]; partitions are "
               "laid out\n"
               "in order from 1 MiB, each starting on a 1 MiB boundary.\n"
               "TYPE: esp, root-x86-64, root-x86-64-verity, linux-data.\n\n"
               "  -o --output FILE     the disk image to write (replaced)\n"
               "  -s --size BYTES      disk size (default auto: just big enough)\n"
               "  -g --disk-guid GUID  disk GUID (default random)\n"
               "  -p --part SPEC       a partition (repeat, in order)\n"
               "  -h --help            show this help\n");
}

static int parse_argv(int argc, char *argv[]) {
        static const struct option options[] = {
                { "output", required_argument, NULL, 'o' },
                { "size", required_argument, NULL, 's' },
                { "disk-guid", required_argument, NULL, 'g' },
                { "part", required_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_free_ char *error = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "o:s:g:p:h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'o':
                        arg_output = optarg;
                        break;
                case 's':
                        if (streq(optarg, "auto"))
                                arg_size = 0;
                        else {
                                char *end;
                                errno = 0;
                                arg_size = strtoull(optarg, &end, 10);
                                if (errno || *end || arg_size == 0)
                                        return log_error_errno(-EINVAL, "--size: not a byte count: '%s'",
                                                               optarg);
                        }
                        break;
                case 'g':
                        arg_disk_guid = optarg;
                        break;
                case 'p':
                        if (arg_n_parts >= GPT_ENTRIES)
                                return log_error_errno(-E2BIG, "too many partitions (at most %u)",
                                                       GPT_ENTRIES);
                        r = disk_part_parse(optarg, &arg_parts[arg_n_parts], &error);
                        if (r < 0)
                                return log_error_errno(r, "--part '%s': %s", optarg, error);
                        arg_n_parts++;
                        break;
                default:
                        return -EINVAL;
                }
        if (!arg_output)
                return log_error_errno(-EINVAL, "--output is required (see --help)");
        if (arg_n_parts == 0)
                return log_error_errno(-EINVAL, "at least one --part is required (see --help)");
        return 1;
}

int main(int argc, char *argv[]) {
        _cleanup_free_ char *error = NULL;
        uint8_t guid[16];
        int r;

        log_set_program("mkdisk");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        if (arg_disk_guid) {
                if (gpt_guid_parse(arg_disk_guid, guid) < 0)
                        return log_error_errno(-EINVAL, "--disk-guid: not a GUID: '%s'", arg_disk_guid), 2;
        } else if (getrandom(guid, sizeof(guid), 0) != sizeof(guid))
                return log_error_errno(-EIO, "cannot get random bytes: %m"), 1;
        r = disk_write(arg_output, arg_size, guid, arg_parts, arg_n_parts, &error);
        if (r < 0) {
                log_error("%s", error ? error : strerror(-r));
                return 1;
        }
        return 0;
}
