/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "macro.h"

static int max_level = LOG_LEVEL_INFO;
static const char *program;

void log_set_max_level(int level) {
        max_level = level;
}

void log_set_program(const char *name) {
        program = name;
}

int log_internal(int level, int error, const char *fmt, ...) {
        int e = error < 0 ? -error : error;

        if (level <= max_level) {
                va_list ap;
                int saved = errno;

                char line[2048];
                int n = 0;

                /* Make %m print the error we were handed, not whatever errno holds. */
                errno = e;
                int k;

                if (program)
                        n = snprintf(line, sizeof(line) / 2, "%s: ", program);
                n = n < 0 ? 0 : MIN(n, (int) sizeof(line) / 2 - 1);
                va_start(ap, fmt);
                k = vsnprintf(line + n, sizeof(line) - (size_t) n, fmt, ap);
                va_end(ap);
                if (k > 0)
                        n += k;
                /* One write per line: lines from concurrent writers do not interleave, and a busy server
                 * (the API logs every request) makes one system call, not three. Longer lines are cut. */
                if (n > (int) sizeof(line) - 2)
                        n = (int) sizeof(line) - 2;
                line[n++] = '\n';
                fwrite(line, 1, (size_t) n, stderr);
                errno = saved;
        }
        return error < 0 ? error : -e;
}
