/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

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

                /* Make %m print the error we were handed, not whatever errno holds. */
                errno = e;
                if (program)
                        fprintf(stderr, "%s: ", program);
                va_start(ap, fmt);
                vfprintf(stderr, fmt, ap);
                va_end(ap);
                fputc('\n', stderr);
                errno = saved;
        }
        return error < 0 ? error : -e;
}
