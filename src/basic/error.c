/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"

static int error_vmessage(char **ret_error, int r, const char *fmt, va_list ap) {
        if (!ret_error || *ret_error)
                return r;
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        return r;
}

int error_message(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        r = error_vmessage(ret_error, r, fmt, ap);
        va_end(ap);
        return r;
}
