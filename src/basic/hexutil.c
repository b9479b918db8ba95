/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "hexutil.h"

void hex_encode(const uint8_t *data, size_t n, char *out) {
        static const char digits[] = "0123456789abcdef";

        for (size_t i = 0; i < n; i++) {
                out[2 * i] = digits[data[i] >> 4];
                out[2 * i + 1] = digits[data[i] & 15];
        }
        out[2 * n] = 0;
}

int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int hex_decode(const char *hex, uint8_t *out, size_t out_size, size_t *ret_len) {
        size_t len = strlen(hex);

        if (len % 2)
                return -EINVAL;
        if (len / 2 > out_size)
                return -ENOBUFS;
        for (size_t i = 0; i < len / 2; i++) {
                int hi = unhex(hex[2 * i]), lo = unhex(hex[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                out[i] = (uint8_t) (hi << 4 | lo);
        }
        if (ret_len)
                *ret_len = len / 2;
        return 0;
}
