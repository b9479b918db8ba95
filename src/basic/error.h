/* SPDX-License-Identifier: MIT */
#pragma once

#include "macro.h"

/* Errors for the person who made a request, as a malloc()ed message beside a negative errno: fills
 * *ret_error (if ret_error is not NULL and holds no message yet) and returns r, so that
 * `return error_message(ret_error, -EINVAL, "...")` is one statement. The innermost failure names the
 * cause, so a message already there is kept. */
int error_message(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
