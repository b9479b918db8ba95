/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* A weekly maintenance window (docs/decisions/0012-automatic-updates.md): on each of its days, from a time
 * of day in UTC, for a number of minutes. A window may run past midnight into the next day, and from Sunday
 * into Monday; windows that touch or overlap are one window. Times are seconds since the epoch, UTC: no time
 * zone enters, so daylight saving cannot move or skip a window. Pure arithmetic, no clock: callers pass the
 * time. */

#define WINDOW_DAYS        7
#define WINDOW_DAY_MINUTES 1440
#define WINDOW_NEVER       INT64_MAX /* window_closes(): open every day all day */
/* The times the functions accept: the epoch to 9999-12-31T23:59:59Z. */
#define WINDOW_TIME_MAX INT64_C(253402300799)
#define WINDOW_TIME_LEN 21 /* "YYYY-MM-DDThh:mm:ssZ" and its NUL */

typedef struct Window {
        uint8_t days;    /* bit 0 Monday ... bit 6 Sunday */
        unsigned start;  /* minutes after 00:00 UTC, 0-1439 */
        unsigned length; /* minutes, 1-1440 */
} Window;

/* "mon", "tue", ..., "sun" to 0-6 (Monday first, as ISO 8601 counts); -EINVAL for anything else. */
int window_day_from_name(const char *name);

/* "HH:MM", 00:00 to 23:59, to minutes after midnight. Returns 0 or -EINVAL. */
int window_parse_time(const char *s, unsigned *ret);

/* The window settings.updates.maintenance-window describes:
 * {"days": ["mon", ...], "start-time": "HH:MM", "length-minutes": N}. Returns 0, or -EINVAL with the reason
 * in *ret_error (malloc()ed) for a missing or bad field, no days, or a length outside 1-1440. */
int window_from_json(json_object *o, Window *ret, char **ret_error);

/* Whether t is inside the window (false for t outside 0..WINDOW_TIME_MAX). */
bool window_contains(const Window *w, int64_t t);

/* When the window next opens at or after t: t itself when t is inside. Returns 0, -ENOENT if it never opens
 * (no days), -ERANGE for t outside 0..WINDOW_TIME_MAX. */
int window_next_open(const Window *w, int64_t t, int64_t *ret);

/* When the window t is inside closes: the first second after it, windows that touch merged. *ret is
 * WINDOW_NEVER when it never closes (every day, all day). Returns 0, -ENOENT if t is outside the window,
 * -ERANGE for t outside 0..WINDOW_TIME_MAX. */
int window_closes(const Window *w, int64_t t, int64_t *ret);

/* t as RFC 3339 "YYYY-MM-DDThh:mm:ssZ", the form the API uses for times. */
char *window_format_time(int64_t t, char buf[static WINDOW_TIME_LEN]);
