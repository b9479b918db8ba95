/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdarg.h>

#include "macro.h"

/* Programs log once, at the boundary. Library code uses log_debug() at most.
 * log_*_errno() return the negative errno they were given so that
 * `return log_error_errno(r, "…: %m");` is one statement; %m prints strerror(-r). */

enum { LOG_LEVEL_ERR = 3, LOG_LEVEL_WARNING = 4, LOG_LEVEL_INFO = 6, LOG_LEVEL_DEBUG = 7 };

void log_set_max_level(int level);
void log_set_program(const char *name);
int log_internal(int level, int error, const char *fmt, ...) _printf_(3, 4);

#define log_debug(...)            log_internal(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
#define log_info(...)             log_internal(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_warning(...)          log_internal(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_error(...)            log_internal(LOG_LEVEL_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...)   log_internal(LOG_LEVEL_DEBUG, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_internal(LOG_LEVEL_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...)   log_internal(LOG_LEVEL_ERR, (e), __VA_ARGS__)
