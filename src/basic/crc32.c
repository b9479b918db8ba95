/* SPDX-License-Identifier: MIT */
#include "crc32.h"

uint32_t crc32_ieee(const void *data, size_t n) {
        const uint8_t *b = data;
        uint32_t crc = 0xFFFFFFFFu;

        /* Bitwise: GPT headers and entry arrays are a few KiB, read once per boot; no table needed. */
        for (size_t i = 0; i < n; i++) {
                crc ^= b[i];
                for (int j = 0; j < 8; j++)
                        crc = crc & 1 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return crc ^ 0xFFFFFFFFu;
}
