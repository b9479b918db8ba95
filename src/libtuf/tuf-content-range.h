/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

/* The part of a representation a 206 response carries (RFC 9110, section 14.4): bytes first to last,
 * inclusive, of complete bytes (UINT64_MAX when the server wrote "*": length unknown). */
typedef struct TufContentRange {
        uint64_t first, last, complete;
} TufContentRange;

/* Parses the value of a Content-Range header: "bytes 100-199/1000", or with an asterisk for the
 * complete length when the server does not know it; blanks around it are allowed. Refuses anything else:
 * another unit, an unsatisfied range (an asterisk for the range), last before first, a range that does not
 * fit in complete, numbers beyond 2^63-1, signs or other characters. Returns 0 or -EBADMSG. */
int tuf_content_range_parse(const char *value, TufContentRange *ret);
