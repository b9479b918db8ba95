/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crc32.h"
#include "gpt.h"
#include "hexutil.h"

/* The first three fields are stored little-endian, the last two as written: textual byte i comes from
 * on-disk byte order[i]. */
static const unsigned order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };

int gpt_guid_parse(const char *s, uint8_t ret[16]) {
        uint8_t g[16];
        unsigned k = 0;

        if (!s || strlen(s) != 36)
                return -EINVAL;
        for (unsigned i = 0; i < 36;) {
                if (i == 8 || i == 13 || i == 18 || i == 23) {
                        if (s[i] != '-')
                                return -EINVAL;
                        i++;
                        continue;
                }
                int hi = unhex(s[i]), lo = unhex(s[i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                g[order[k++]] = (uint8_t) (hi << 4 | lo);
                i += 2;
        }
        memcpy(ret, g, 16);
        return 0;
}

void gpt_guid_format(const uint8_t guid[16], char ret[37]) {
        char *p = ret;

        for (unsigned k = 0; k < 16; k++) {
                if (k == 4 || k == 6 || k == 8 || k == 10)
                        *p++ = '-';
                p += sprintf(p, "%02x", guid[order[k]]);
        }
}

uint32_t gpt_crc32(const void *data, size_t n) {
        return crc32_ieee(data, n);
}
