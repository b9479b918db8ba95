/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* A point in time, UTC, to the nanosecond: metadata expiry and the client's fixed update start time. */
typedef struct TufTime {
        int64_t sec; /* since the epoch */
        uint32_t nsec;
} TufTime;

/* Parses an RFC 3339 date-time as TUF writes "expires": "2030-08-15T14:30:45Z", optionally with a fraction
 * of a second (any number of digits; those past the nanosecond are dropped) and with "Z" or a numeric
 * offset "+hh:mm". Every field is range-checked (the day against its month). Leap seconds (":60") are
 * refused. Returns 0 or -EINVAL. */
int tuf_time_parse(const char *s, TufTime *ret);

/* Formats t as "YYYY-MM-DDThh:mm:ssZ" (whole seconds). buf must hold at least TUF_TIME_MAX bytes. */
#define TUF_TIME_MAX 32
char *tuf_time_format(TufTime t, char buf[static TUF_TIME_MAX]);

/* <0, 0, >0 as a is before, equal to or after b. */
int tuf_time_compare(TufTime a, TufTime b);

/* The current time from CLOCK_REALTIME. */
TufTime tuf_time_now(void);
