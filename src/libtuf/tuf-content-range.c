/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "tuf-content-range.h"

#define NUMBER_MAX ((uint64_t) INT64_MAX)

static const char *skip_blanks(const char *p) {
        while (*p == ' ' || *p == '\t')
                p++;
        return p;
}

/* Decimal digits only (strtoull() would take a sign, blanks and "0x"), at most NUMBER_MAX. */
static bool parse_number(const char **p, uint64_t *ret) {
        const char *s = *p;
        uint64_t v = 0;

        if (*s < '0' || *s > '9')
                return false;
        for (; *s >= '0' && *s <= '9'; s++) {
                if (v > (NUMBER_MAX - (uint64_t) (*s - '0')) / 10)
                        return false;
                v = v * 10 + (uint64_t) (*s - '0');
        }
        *p = s;
        *ret = v;
        return true;
}

int tuf_content_range_parse(const char *value, TufContentRange *ret) {
        TufContentRange cr = { .complete = UINT64_MAX };
        const char *p = skip_blanks(value);

        /* The unit is case-sensitive in the grammar, but "Bytes" does no harm. */
        if ((p[0] != 'b' && p[0] != 'B') || p[1] != 'y' || p[2] != 't' || p[3] != 'e' || p[4] != 's' ||
            p[5] != ' ')
                return -EBADMSG;
        p = skip_blanks(p + 6);
        if (!parse_number(&p, &cr.first) || *p++ != '-' || !parse_number(&p, &cr.last) || *p++ != '/')
                return -EBADMSG;
        if (*p == '*')
                p++;
        else if (!parse_number(&p, &cr.complete))
                return -EBADMSG;
        if (*skip_blanks(p) != 0 || cr.last < cr.first ||
            (cr.complete != UINT64_MAX && cr.last >= cr.complete))
                return -EBADMSG;
        *ret = cr;
        return 0;
}
