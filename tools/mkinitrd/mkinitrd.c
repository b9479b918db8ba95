/* SPDX-License-Identifier: MIT */
/* mkinitrd: writes the initramfs (cpio newc): our init as /init, the kernel modules it loads with their
 * load order in /lib/modules/load.order, and any extra files. */
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cpio.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "modules.h"

#define MAX_ITEMS 256

static const char *arg_output, *arg_init, *arg_kernel_root, *arg_kver;
static const char *arg_modules[MAX_ITEMS], *arg_files[MAX_ITEMS];
static size_t arg_n_modules, arg_n_files;

static void help(void) {
        printf("Usage: mkinitrd --output FILE --init PATH [OPTIONS]\n"
               "Writes an initramfs (cpio newc, uncompressed, reproducible).\n\n"
               "  --output FILE          the archive to write\n"
               "  --init PATH            program to install as /init\n"
               "  --file SRC:DEST[:MODE] add a file (MODE octal, default 0644)\n"
               "  --kernel-root DIR      root holding lib/modules/VERSION (with modules.dep)\n"
               "  --kver VERSION         kernel version\n"
               "  --module NAME          add a module and its dependencies (repeat; order kept)\n"
               "  -h --help              show this help\n");
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_OUTPUT = 0x100, ARG_INIT, ARG_FILE, ARG_KROOT, ARG_KVER, ARG_MODULE };
        static const struct option options[] = {
                { "output", required_argument, NULL, ARG_OUTPUT },
                { "init", required_argument, NULL, ARG_INIT },
                { "file", required_argument, NULL, ARG_FILE },
                { "kernel-root", required_argument, NULL, ARG_KROOT },
                { "kver", required_argument, NULL, ARG_KVER },
                { "module", required_argument, NULL, ARG_MODULE },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_OUTPUT:
                        arg_output = optarg;
                        break;
                case ARG_INIT:
                        arg_init = optarg;
                        break;
                case ARG_KROOT:
                        arg_kernel_root = optarg;
                        break;
                case ARG_KVER:
                        arg_kver = optarg;
                        break;
                case ARG_FILE:
                case ARG_MODULE:
                        if ((c == ARG_FILE ? arg_n_files : arg_n_modules) >= MAX_ITEMS)
                                return log_error_errno(-E2BIG, "too many --file/--module arguments");
                        if (c == ARG_FILE)
                                arg_files[arg_n_files++] = optarg;
                        else
                                arg_modules[arg_n_modules++] = optarg;
                        break;
                default:
                        return -EINVAL;
                }
        if (!arg_output || !arg_init)
                return log_error_errno(-EINVAL, "--output and --init are required (see --help)");
        if (arg_n_modules && (!arg_kernel_root || !arg_kver))
                return log_error_errno(-EINVAL, "--module needs --kernel-root and --kver");
        return 1;
}

static int add_path_file(CpioWriter *w, const char *src, const char *dest, mode_t mode) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = read_full_file(src, 256 * 1024 * 1024, &data, &size);

        if (r < 0)
                return log_error_errno(r, "cannot read '%s': %m", src);
        r = cpio_add_file(w, dest, mode, data, size);
        return r < 0 ? log_error_errno(r, "cannot write '%s' into the archive: %m", dest) : 0;
}

static int add_modules(CpioWriter *w) {
        _cleanup_free_ char *depfile = NULL, *order_text = NULL;
        char **order = NULL;
        size_t n = 0, len = 0;
        ModuleIndex idx;
        int r;

        if (asprintf(&depfile, "%s/lib/modules/%s/modules.dep", arg_kernel_root, arg_kver) < 0)
                return -ENOMEM;
        r = module_index_load(depfile, &idx);
        if (r < 0)
                return log_error_errno(r, "cannot read module index '%s': %m", depfile);
        for (size_t i = 0; i < arg_n_modules && r >= 0; i++) {
                r = module_resolve(&idx, arg_modules[i], &order, &n);
                if (r == -ENOENT)
                        log_error("module '%s' (or one it depends on) is not in '%s'", arg_modules[i],
                                  depfile);
                else if (r < 0)
                        log_error_errno(r, "cannot resolve module '%s': %m", arg_modules[i]);
        }
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *src = NULL, *dest = NULL;
                const char *base = strrchr(order[i], '/');
                base = base ? base + 1 : order[i];
                if (asprintf(&src, "%s/lib/modules/%s/%s", arg_kernel_root, arg_kver, order[i]) < 0 ||
                    asprintf(&dest, "lib/modules/%s", base) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = add_path_file(w, src, dest, 0644);
                if (r >= 0) {
                        char *t = realloc(order_text, len + strlen(base) + 2);
                        if (!t) {
                                r = -ENOMEM;
                                break;
                        }
                        order_text = t;
                        len += (size_t) sprintf(order_text + len, "%s\n", base);
                }
        }
        if (r >= 0)
                r = cpio_add_file(w, "lib/modules/load.order", 0644, order_text ? order_text : "", len);
        for (size_t i = 0; i < n; i++)
                free(order[i]);
        free(order);
        module_index_free(&idx);
        return r;
}

static int run(void) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        CpioWriter w = {};
        int r = 0;

        if (asprintf(&tmp, "%s.tmp", arg_output) < 0)
                return -ENOMEM;
        f = fopen(tmp, "we");
        if (!f)
                return log_error_errno(negative_errno(), "cannot create '%s': %m", tmp);
        w = (CpioWriter){ .f = f, .next_ino = 1 };
        static const char *dirs[] = { "dev", "proc", "sys", "run", "sysroot", "lib", "lib/modules", "etc" };
        for (size_t i = 0; i < ELEMENTSOF(dirs) && r >= 0; i++)
                r = cpio_add_dir(&w, dirs[i], 0755);
        /* The kernel opens /dev/console for init's stdio before init can mount devtmpfs. */
        if (r >= 0)
                r = cpio_add_char_device(&w, "dev/console", 0600, 5, 1);
        if (r >= 0)
                r = add_path_file(&w, arg_init, "init", 0755);
        if (r >= 0 && arg_n_modules)
                r = add_modules(&w);
        for (size_t i = 0; i < arg_n_files && r >= 0; i++) {
                _cleanup_free_ char *spec = strdup(arg_files[i]);
                char *dest, *mode_s;
                unsigned long mode = 0644;

                if (!spec)
                        return -ENOMEM;
                dest = strchr(spec, ':');
                if (!dest || !dest[1])
                        return log_error_errno(-EINVAL, "--file '%s': expected SRC:DEST[:MODE]",
                                               arg_files[i]);
                *dest++ = 0;
                mode_s = strchr(dest, ':');
                if (mode_s) {
                        char *end;
                        *mode_s++ = 0;
                        mode = strtoul(mode_s, &end, 8);
                        if (*end || mode > 07777)
                                return log_error_errno(-EINVAL, "--file '%s': bad mode '%s'", arg_files[i],
                                                       mode_s);
                }
                while (*dest == '/')
                        dest++;
                r = add_path_file(&w, spec, dest, (mode_t) mode);
        }
        if (r >= 0)
                r = cpio_finish(&w);
        if (r >= 0 && (fsync(fileno(f)) < 0 || rename(tmp, arg_output) < 0))
                r = log_error_errno(negative_errno(), "cannot write '%s': %m", arg_output);
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

int main(int argc, char *argv[]) {
        int r;

        log_set_program("mkinitrd");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        return run() < 0 ? 1 : 0;
}
