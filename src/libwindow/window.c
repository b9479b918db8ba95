/* SPDX-License-Identifier: MIT */
/* Maintenance windows as arithmetic on UTC seconds. A week is 604800 of them and starts on Monday 00:00; the
 * window of day d is [d days + start, + length) within the week, taken modulo the week so that Sunday's may
 * run into Monday. No calendar or time zone is involved, so there is nothing for daylight saving to shift.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "window.h"

#define DAY_SECONDS  INT64_C(86400)
#define WEEK_SECONDS (WINDOW_DAYS * DAY_SECONDS)
/* Day 0 of the epoch, 1970-01-01, was a Thursday: Monday 1970-01-05 starts a week. */
#define EPOCH_MONDAY (4 * DAY_SECONDS)

static const char *const day_names[WINDOW_DAYS] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

int window_day_from_name(const char *name) {
        for (int d = 0; d < WINDOW_DAYS; d++)
                if (name && streq(name, day_names[d]))
                        return d;
        return -EINVAL;
}

int window_parse_time(const char *s, unsigned *ret) {
        unsigned h, m;

        if (!s || strlen(s) != 5 || s[2] != ':')
                return -EINVAL;
        for (int i = 0; i < 5; i++)
                if (i != 2 && (s[i] < '0' || s[i] > '9'))
                        return -EINVAL;
        h = (unsigned) (s[0] - '0') * 10 + (unsigned) (s[1] - '0');
        m = (unsigned) (s[3] - '0') * 10 + (unsigned) (s[4] - '0');
        if (h > 23 || m > 59)
                return -EINVAL;
        *ret = h * 60 + m;
        return 0;
}

static int fail(char **ret_error, const char *why) {
        free(*ret_error);
        *ret_error = strdup(why);
        return -EINVAL;
}

int window_from_json(json_object *o, Window *ret, char **ret_error) {
        json_object *days, *start, *length;
        Window w = {};
        int64_t minutes;

        if (!json_object_is_type(o, json_type_object))
                return fail(ret_error, "the maintenance window is not an object");
        if (!json_object_object_get_ex(o, "days", &days) || !json_object_is_type(days, json_type_array) ||
            json_object_array_length(days) == 0)
                return fail(ret_error, "the maintenance window has no days");
        for (size_t i = 0; i < json_object_array_length(days); i++) {
                json_object *name = json_object_array_get_idx(days, i);
                int d = json_object_is_type(name, json_type_string)
                                ? window_day_from_name(json_object_get_string(name))
                                : -EINVAL;
                if (d < 0)
                        return fail(ret_error,
                                    "a day of the maintenance window is not mon, tue, ... or sun");
                w.days |= (uint8_t) (1u << d);
        }
        if (!json_object_object_get_ex(o, "start-time", &start) ||
            !json_object_is_type(start, json_type_string) ||
            window_parse_time(json_object_get_string(start), &w.start) < 0)
                return fail(ret_error, "the maintenance window's start-time is not HH:MM");
        if (!json_object_object_get_ex(o, "length-minutes", &length) ||
            !json_object_is_type(length, json_type_int))
                return fail(ret_error, "the maintenance window has no length-minutes");
        minutes = json_object_get_int64(length);
        if (minutes < 1 || minutes > WINDOW_DAY_MINUTES)
                return fail(ret_error, "the maintenance window's length-minutes is not between 1 and 1440");
        w.length = (unsigned) minutes;
        *ret = w;
        return 0;
}

static int64_t modulo(int64_t a, int64_t m) {
        int64_t r = a % m;
        return r < 0 ? r + m : r;
}

static bool time_valid(int64_t t) {
        return t >= 0 && t <= WINDOW_TIME_MAX;
}

static bool has_day(const Window *w, unsigned d) {
        return w->days & (1u << d);
}

/* How long ago, modulo a week, day d's window opened at time t: [0, WEEK_SECONDS). */
static int64_t since_open(const Window *w, unsigned d, int64_t t) {
        return modulo(t - EPOCH_MONDAY - (int64_t) d * DAY_SECONDS - (int64_t) w->start * 60, WEEK_SECONDS);
}

bool window_contains(const Window *w, int64_t t) {
        if (!time_valid(t))
                return false;
        for (unsigned d = 0; d < WINDOW_DAYS; d++)
                if (has_day(w, d) && since_open(w, d, t) < (int64_t) w->length * 60)
                        return true;
        return false;
}

int window_next_open(const Window *w, int64_t t, int64_t *ret) {
        int64_t wait = -1;

        if (!time_valid(t))
                return -ERANGE;
        if (!(w->days & ((1u << WINDOW_DAYS) - 1)))
                return -ENOENT;
        if (window_contains(w, t)) {
                *ret = t;
                return 0;
        }
        for (unsigned d = 0; d < WINDOW_DAYS; d++) {
                int64_t until = modulo(-since_open(w, d, t), WEEK_SECONDS);
                if (has_day(w, d) && (wait < 0 || until < wait))
                        wait = until;
        }
        *ret = t + wait;
        return 0;
}

int window_closes(const Window *w, int64_t t, int64_t *ret) {
        int64_t end = t;

        if (!time_valid(t))
                return -ERANGE;
        if (!window_contains(w, t))
                return -ENOENT;
        /* Each step moves the end to the close of the windows that hold it, which covers the time from t on
         * without a gap. Seven days have seven windows: an eighth step uses one of them a week later, so the
         * windows cover the whole week and never close. */
        for (unsigned step = 0; step <= WINDOW_DAYS; step++) {
                int64_t next = end;

                for (unsigned d = 0; d < WINDOW_DAYS; d++) {
                        int64_t since = since_open(w, d, end), length = (int64_t) w->length * 60;
                        if (has_day(w, d) && since < length && end + length - since > next)
                                next = end + length - since;
                }
                if (next == end) {
                        *ret = end;
                        return 0;
                }
                end = next;
        }
        *ret = WINDOW_NEVER;
        return 0;
}

char *window_format_time(int64_t t, char buf[static WINDOW_TIME_LEN]) {
        time_t tt = (time_t) t;
        struct tm tm;

        if (!gmtime_r(&tt, &tm) || strftime(buf, WINDOW_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, WINDOW_TIME_LEN, "invalid");
        return buf;
}
