/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <errno.h>
#include <json-c/json.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "window.h"

/* 2024-01-01 was a Monday; every time below is counted from it. */
#define MON    INT64_C(1704067200)
#define DAY    INT64_C(86400)
#define HOUR   INT64_C(3600)
#define MINUTE INT64_C(60)
#define TUE    (MON + DAY)
#define FRI    (MON + 4 * DAY)
#define SAT    (MON + 5 * DAY)
#define SUN    (MON + 6 * DAY)
#define WEEK   (7 * DAY)

enum { D_MON = 1, D_TUE = 2, D_WED = 4, D_THU = 8, D_FRI = 16, D_SAT = 32, D_SUN = 64, D_ALL = 127 };

static Window window(uint8_t days, unsigned hour, unsigned minute, unsigned length) {
        return (Window){ .days = days, .start = hour * 60 + minute, .length = length };
}

static void test_day_names(void **state) {
        assert_int_equal(window_day_from_name("mon"), 0);
        assert_int_equal(window_day_from_name("thu"), 3);
        assert_int_equal(window_day_from_name("sun"), 6);
        assert_int_equal(window_day_from_name("Mon"), -EINVAL);
        assert_int_equal(window_day_from_name("monday"), -EINVAL);
        assert_int_equal(window_day_from_name(""), -EINVAL);
        assert_int_equal(window_day_from_name(NULL), -EINVAL);
}

static void test_parse_time(void **state) {
        unsigned m = 12345;

        assert_int_equal(window_parse_time("00:00", &m), 0);
        assert_int_equal(m, 0);
        assert_int_equal(window_parse_time("03:30", &m), 0);
        assert_int_equal(m, 210);
        assert_int_equal(window_parse_time("23:59", &m), 0);
        assert_int_equal(m, 1439);
        m = 7;
        for (const char *const *bad =
                     (const char *const[]){ "24:00", "23:60", "3:00", "03:0", "0300", "03-00", "03:00 ",
                                            "+3:00", "a3:00", "03:0x", "", NULL };
             *bad; bad++)
                assert_int_equal(window_parse_time(*bad, &m), -EINVAL);
        assert_int_equal(window_parse_time(NULL, &m), -EINVAL);
        assert_int_equal(m, 7); /* set only on success */
}

static int from_json(const char *text, Window *w, char **error) {
        json_object *o = json_tokener_parse(text);
        int r;

        assert_non_null(o);
        r = window_from_json(o, w, error);
        json_object_put(o);
        return r;
}

static void assert_refused(const char *text, const char *why) {
        Window w;
        char *error = NULL;

        assert_int_equal(from_json(text, &w, &error), -EINVAL);
        assert_non_null(error);
        if (!strstr(error, why))
                fail_msg("'%s': expected '%s' in '%s'", text, why, error);
        free(error);
}

static void test_from_json(void **state) {
        char *error = NULL;
        Window w;

        assert_int_equal(from_json("{\"days\": [\"sat\", \"sun\", \"sat\"], \"start-time\": \"22:30\", "
                                   "\"length-minutes\": 90}",
                                   &w, &error),
                         0);
        assert_null(error);
        assert_int_equal(w.days, D_SAT | D_SUN);
        assert_int_equal(w.start, 22 * 60 + 30);
        assert_int_equal(w.length, 90);
        assert_int_equal(from_json("{\"days\": [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"], "
                                   "\"start-time\": \"00:00\", \"length-minutes\": 1440}",
                                   &w, &error),
                         0);
        assert_int_equal(w.days, D_ALL);

        assert_refused("[]", "not an object");
        assert_refused("{\"start-time\": \"03:00\", \"length-minutes\": 60}", "no days");
        assert_refused("{\"days\": [], \"start-time\": \"03:00\", \"length-minutes\": 60}", "no days");
        assert_refused("{\"days\": \"mon\", \"start-time\": \"03:00\", \"length-minutes\": 60}", "no days");
        assert_refused("{\"days\": [\"Mon\"], \"start-time\": \"03:00\", \"length-minutes\": 60}", "a day");
        assert_refused("{\"days\": [1], \"start-time\": \"03:00\", \"length-minutes\": 60}", "a day");
        assert_refused("{\"days\": [\"mon\"], \"length-minutes\": 60}", "start-time");
        assert_refused("{\"days\": [\"mon\"], \"start-time\": \"3:00\", \"length-minutes\": 60}",
                       "start-time");
        assert_refused("{\"days\": [\"mon\"], \"start-time\": \"03:00\"}", "no length-minutes");
        assert_refused("{\"days\": [\"mon\"], \"start-time\": \"03:00\", \"length-minutes\": \"60\"}",
                       "no length-minutes");
        assert_refused("{\"days\": [\"mon\"], \"start-time\": \"03:00\", \"length-minutes\": 0}",
                       "not between 1 and 1440");
        assert_refused("{\"days\": [\"mon\"], \"start-time\": \"03:00\", \"length-minutes\": -5}",
                       "not between 1 and 1440");
        assert_refused("{\"days\": [\"mon\"], \"start-time\": \"03:00\", \"length-minutes\": 1441}",
                       "not between 1 and 1440");
}

static void test_contains_daily(void **state) {
        Window w = window(D_ALL, 3, 0, 60);

        assert_false(window_contains(&w, MON + 3 * HOUR - 1));
        assert_true(window_contains(&w, MON + 3 * HOUR));
        assert_true(window_contains(&w, MON + 4 * HOUR - 1));
        assert_false(window_contains(&w, MON + 4 * HOUR)); /* the end is outside */
        for (int64_t day = 0; day < 7; day++)
                assert_true(window_contains(&w, MON + day * DAY + 3 * HOUR + 30 * MINUTE));
        assert_false(window_contains(&w, MON + 12 * HOUR));
}

static void test_contains_days(void **state) {
        Window w = window(D_SAT | D_SUN, 22, 30, 60);

        assert_true(window_contains(&w, SAT + 22 * HOUR + 30 * MINUTE));
        assert_true(window_contains(&w, SUN + 23 * HOUR));
        assert_false(window_contains(&w, FRI + 22 * HOUR + 45 * MINUTE));
        assert_false(window_contains(&w, MON + 22 * HOUR + 45 * MINUTE));
        assert_false(window_contains(&w, SAT + 12 * HOUR));
}

static void test_crossing_midnight(void **state) {
        Window fri = window(D_FRI, 23, 0, 120), sun = window(D_SUN, 23, 0, 120);

        /* Friday's window runs into Saturday; Thursday night has none. */
        assert_true(window_contains(&fri, FRI + 23 * HOUR + 59 * MINUTE));
        assert_true(window_contains(&fri, SAT + 30 * MINUTE));
        assert_true(window_contains(&fri, SAT + HOUR - 1));
        assert_false(window_contains(&fri, SAT + HOUR));
        assert_false(window_contains(&fri, FRI + 30 * MINUTE));
        /* Sunday's runs into the next week's Monday. */
        assert_true(window_contains(&sun, SUN + 23 * HOUR + 1));
        assert_true(window_contains(&sun, MON + WEEK + 59 * MINUTE));
        assert_true(window_contains(&sun, MON + 59 * MINUTE)); /* the Sunday before 2024-01-01 */
        assert_false(window_contains(&sun, MON + WEEK + HOUR));
        assert_false(window_contains(&sun, SAT + 23 * HOUR + 30 * MINUTE));
}

static void test_next_open(void **state) {
        Window daily = window(D_ALL, 3, 0, 60), weekend = window(D_SAT, 22, 30, 60),
               sun = window(D_SUN, 23, 0, 120), none = window(0, 3, 0, 60);
        int64_t t;

        assert_int_equal(window_next_open(&daily, MON + 3 * HOUR + 5, &t), 0);
        assert_int_equal(t, MON + 3 * HOUR + 5); /* inside: now */
        assert_int_equal(window_next_open(&daily, MON + 4 * HOUR, &t), 0);
        assert_int_equal(t, TUE + 3 * HOUR);
        assert_int_equal(window_next_open(&daily, MON + 2 * HOUR + 59 * MINUTE + 59, &t), 0);
        assert_int_equal(t, MON + 3 * HOUR);
        assert_int_equal(window_next_open(&weekend, SAT + 23 * HOUR + 30 * MINUTE, &t), 0);
        assert_int_equal(t, SAT + WEEK + 22 * HOUR + 30 * MINUTE); /* just missed: a week later */
        assert_int_equal(window_next_open(&weekend, MON, &t), 0);
        assert_int_equal(t, SAT + 22 * HOUR + 30 * MINUTE);
        assert_int_equal(window_next_open(&sun, MON + 30 * MINUTE, &t), 0);
        assert_int_equal(t, MON + 30 * MINUTE); /* inside Sunday's, past midnight */
        assert_int_equal(window_next_open(&sun, MON + 2 * HOUR, &t), 0);
        assert_int_equal(t, SUN + 23 * HOUR);
        assert_int_equal(window_next_open(&none, MON, &t), -ENOENT);
        assert_int_equal(window_next_open(&daily, -1, &t), -ERANGE);
        assert_int_equal(window_next_open(&daily, WINDOW_TIME_MAX + 1, &t), -ERANGE);
        assert_false(window_contains(&daily, -DAY + 3 * HOUR));
}

static void test_closes(void **state) {
        Window daily = window(D_ALL, 3, 0, 60), always = window(D_ALL, 0, 0, 1440),
               almost = window(D_ALL, 0, 0, 1439), weekend = window(D_SAT | D_SUN, 22, 0, 1440),
               evening = window(D_ALL, 23, 0, 1440);
        int64_t t;

        assert_int_equal(window_closes(&daily, MON + 3 * HOUR + 10 * MINUTE, &t), 0);
        assert_int_equal(t, MON + 4 * HOUR);
        assert_int_equal(window_closes(&daily, MON + 5 * HOUR, &t), -ENOENT);
        assert_int_equal(window_closes(&always, FRI + 12345, &t), 0);
        assert_true(t == WINDOW_NEVER);
        assert_int_equal(window_closes(&evening, FRI, &t), 0);
        assert_true(t == WINDOW_NEVER);
        assert_int_equal(window_closes(&almost, FRI + 12345, &t), 0);
        assert_int_equal(t, FRI + 23 * HOUR + 59 * MINUTE);
        /* Saturday 22:00 for a day, then Sunday 22:00 for a day: one window to Monday 22:00. */
        assert_int_equal(window_closes(&weekend, SAT + 23 * HOUR, &t), 0);
        assert_int_equal(t, MON + WEEK + 22 * HOUR);
        assert_int_equal(window_closes(&weekend, MON + 21 * HOUR, &t), 0);
        assert_int_equal(t, MON + 22 * HOUR);
        assert_int_equal(window_closes(&daily, -5, &t), -ERANGE);
}

/* The clock is UTC: on the days Europe and the US change their clocks, a window is as long as on any other
 * day and opens at the same UTC time. */
static void test_no_daylight_saving(void **state) {
        /* 2024-03-31 and 2024-10-27 (Europe, 01:00 UTC), 2024-03-10 (the US, Eastern at 07:00 UTC): Sundays.
         */
        const int64_t days[] = { INT64_C(1711843200), INT64_C(1710028800), INT64_C(1729987200) };
        Window w = window(D_SUN, 0, 30, 120);
        int64_t open, close;

        for (size_t i = 0; i < ELEMENTSOF(days); i++) {
                assert_int_equal(window_next_open(&w, days[i] - DAY, &open), 0);
                assert_int_equal(open, days[i] + 30 * MINUTE);
                assert_int_equal(window_closes(&w, open, &close), 0);
                assert_int_equal(close - open, 120 * MINUTE);
        }
}

/* Every answer against a plain reading of the definition through the C library's calendar: the day of the
 * week and the minute of the day of t, and of the day before for a window that runs past midnight. */
static bool naive_contains(const Window *w, int64_t t) {
        time_t tt = (time_t) t;
        struct tm tm;
        unsigned today, yesterday, minute;

        assert_non_null(gmtime_r(&tt, &tm));
        today = (unsigned) (tm.tm_wday + 6) % 7;
        yesterday = (today + 6) % 7;
        minute = (unsigned) (tm.tm_hour * 60 + tm.tm_min);
        if ((w->days & (1u << today)) && minute >= w->start && minute < w->start + w->length)
                return true;
        return (w->days & (1u << yesterday)) && minute + WINDOW_DAY_MINUTES < w->start + w->length;
}

static void test_against_calendar(void **state) {
        srand(12345);
        for (int i = 0; i < 3000; i++) {
                Window w = { .days = (uint8_t) (rand() % 128),
                             .start = (unsigned) (rand() % 1440),
                             .length = 1 + (unsigned) (rand() % 1440) };
                int64_t t = MON - 3 * WEEK + (int64_t) rand() % (60 * WEEK), open, close, m;

                assert_int_equal(window_contains(&w, t), naive_contains(&w, t));
                if (!w.days) {
                        assert_int_equal(window_next_open(&w, t, &open), -ENOENT);
                        continue;
                }
                assert_int_equal(window_next_open(&w, t, &open), 0);
                if (naive_contains(&w, t)) {
                        assert_int_equal(open, t);
                        assert_int_equal(window_closes(&w, t, &close), 0);
                        assert_true(close > t);
                        if (close != WINDOW_NEVER) {
                                assert_false(naive_contains(&w, close));
                                assert_true(naive_contains(&w, close - 1));
                        }
                        continue;
                }
                /* Windows open on whole minutes: the first minute from t on that the calendar says is in. */
                for (m = (t + 59) / 60 * 60; !naive_contains(&w, m); m += 60)
                        assert_true(m < t + WEEK);
                assert_int_equal(open, m);
        }
}

static void test_format(void **state) {
        char buf[WINDOW_TIME_LEN];

        assert_string_equal(window_format_time(MON + 3 * HOUR + 7, buf), "2024-01-01T03:00:07Z");
        assert_string_equal(window_format_time(0, buf), "1970-01-01T00:00:00Z");
        assert_string_equal(window_format_time(WINDOW_TIME_MAX, buf), "9999-12-31T23:59:59Z");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_day_names),
                cmocka_unit_test(test_parse_time),
                cmocka_unit_test(test_from_json),
                cmocka_unit_test(test_contains_daily),
                cmocka_unit_test(test_contains_days),
                cmocka_unit_test(test_crossing_midnight),
                cmocka_unit_test(test_next_open),
                cmocka_unit_test(test_closes),
                cmocka_unit_test(test_no_daylight_saving),
                cmocka_unit_test(test_against_calendar),
                cmocka_unit_test(test_format),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
