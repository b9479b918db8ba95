/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "tuf-time.h"

/* Reads exactly n decimal digits. */
static bool digits(const char **p, unsigned n, unsigned *ret) {
        unsigned v = 0;

        for (unsigned i = 0; i < n; i++) {
                char c = (*p)[i];
                if (c < '0' || c > '9')
                        return false;
                v = v * 10 + (unsigned) (c - '0');
        }
        *p += n;
        *ret = v;
        return true;
}

static bool expect(const char **p, char c) {
        if (**p != c)
                return false;
        (*p)++;
        return true;
}

static bool leap_year(unsigned y) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m) {
        static const unsigned days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar: count in 400-year eras starting in
 * March, so that the leap day is the last day of its year and each era has the same 146097 days. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
        int64_t era, yoe, doy, doe;

        y -= m <= 2;
        era = (y >= 0 ? y : y - 399) / 400;
        yoe = y - era * 400;
        doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

static bool parse_fraction(const char **p, uint32_t *ret_nsec) {
        uint32_t nsec = 0, scale = 100000000;
        const char *s = *p;

        if (*s < '0' || *s > '9')
                return false;
        for (; *s >= '0' && *s <= '9'; s++) {
                nsec += (uint32_t) (*s - '0') * scale;
                scale /= 10;
        }
        *p = s;
        *ret_nsec = nsec;
        return true;
}

static bool parse_offset(const char **p, int64_t *ret_seconds) {
        unsigned hh, mm;
        int sign;

        if (**p == 'Z' || **p == 'z') {
                (*p)++;
                *ret_seconds = 0;
                return true;
        }
        if (**p != '+' && **p != '-')
                return false;
        sign = **p == '-' ? -1 : 1;
        (*p)++;
        if (!digits(p, 2, &hh) || !expect(p, ':') || !digits(p, 2, &mm) || hh > 23 || mm > 59)
                return false;
        *ret_seconds = sign * (int64_t) (hh * 3600 + mm * 60);
        return true;
}

int tuf_time_parse(const char *s, TufTime *ret) {
        unsigned y, mo, d, h, mi, sec;
        uint32_t nsec = 0;
        int64_t offset;
        const char *p = s;

        if (!s)
                return -EINVAL;
        if (!digits(&p, 4, &y) || !expect(&p, '-') || !digits(&p, 2, &mo) || !expect(&p, '-') ||
            !digits(&p, 2, &d))
                return -EINVAL;
        if (*p != 'T' && *p != 't')
                return -EINVAL;
        p++;
        if (!digits(&p, 2, &h) || !expect(&p, ':') || !digits(&p, 2, &mi) || !expect(&p, ':') ||
            !digits(&p, 2, &sec))
                return -EINVAL;
        if (*p == '.' && (p++, !parse_fraction(&p, &nsec)))
                return -EINVAL;
        if (!parse_offset(&p, &offset) || *p != 0)
                return -EINVAL;
        if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
                return -EINVAL;
        *ret = (TufTime){
                .sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset,
                .nsec = nsec,
        };
        return 0;
}

char *tuf_time_format(TufTime t, char buf[static TUF_TIME_MAX]) {
        time_t tt = (time_t) t.sec;
        struct tm tm;

        if (!gmtime_r(&tt, &tm) || strftime(buf, TUF_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, TUF_TIME_MAX, "@%lld", (long long) t.sec);
        return buf;
}

int tuf_time_compare(TufTime a, TufTime b) {
        if (a.sec != b.sec)
                return a.sec < b.sec ? -1 : 1;
        if (a.nsec != b.nsec)
                return a.nsec < b.nsec ? -1 : 1;
        return 0;
}

TufTime tuf_time_now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (TufTime){ .sec = ts.tv_sec, .nsec = (uint32_t) ts.tv_nsec };
}
