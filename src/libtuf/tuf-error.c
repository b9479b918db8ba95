/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include "tuf-error.h"

int tuf_error(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;

        /* The innermost failure is the one that names the cause; callers higher up keep it. */
        if (!ret_error || *ret_error)
                return r;
        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return r;
}
