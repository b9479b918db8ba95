/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "fileio.h"
#include "init.h"
#include "macro.h"

#define MAX_MODULES 64

int load_order_parse(const char *text, char names[][64], size_t max) {
        size_t n = 0;

        for (const char *p = text; *p;) {
                size_t len = strcspn(p, "\n");

                if (len > 0 && p[0] != '#') {
                        if (n == max || len >= 64 || memchr(p, '/', len))
                                return -EINVAL;
                        memcpy(names[n], p, len);
                        names[n][len] = 0;
                        n++;
                }
                p += len + (p[len] == '\n');
        }
        return (int) n;
}

int load_modules(const char *dir, const char **ret_module) {
        static char names[MAX_MODULES][64];
        _cleanup_free_ char *text = NULL;
        char path[512];
        int n, r;

        *ret_module = "load.order";
        if (!snprintf_ok(path, "%s/load.order", dir))
                return -ENAMETOOLONG;
        r = read_full_file(path, 64 * 1024, &text, NULL);
        if (r < 0)
                return r;
        n = load_order_parse(text, names, MAX_MODULES);
        if (n < 0)
                return n;
        for (int i = 0; i < n; i++) {
                _cleanup_close_ int fd = -EBADF;

                *ret_module = names[i];
                if (!snprintf_ok(path, "%s/%s", dir, names[i]))
                        return -ENAMETOOLONG;
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return negative_errno();
                if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
                        return negative_errno();
        }
        return n;
}
