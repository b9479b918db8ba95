/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <string.h>

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

static uint32_t crc32c_bitwise(uint32_t crc, const uint8_t *b, size_t n) {
        for (size_t i = 0; i < n; i++) {
                crc ^= b[i];
                for (int j = 0; j < 8; j++)
                        crc = crc & 1 ? 0x82F63B78u ^ (crc >> 1) : crc >> 1;
        }
        return crc;
}

#if defined(__x86_64__)
#include <nmmintrin.h>

__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(uint32_t crc, const uint8_t *b, size_t n) {
        uint64_t c = crc;

        for (; n >= 8; b += 8, n -= 8) {
                uint64_t v;

                memcpy(&v, b, sizeof(v)); /* unaligned, without undefined behaviour */
                c = _mm_crc32_u64(c, v);
        }
        for (; n > 0; b++, n--)
                c = _mm_crc32_u8((uint32_t) c, *b);
        return (uint32_t) c;
}
#endif

uint32_t crc32c(uint32_t crc, const void *data, size_t n) {
        crc = ~crc;
#if defined(__x86_64__)
        if (__builtin_cpu_supports("sse4.2"))
                return ~crc32c_sse42(crc, data, n);
#endif
        return ~crc32c_bitwise(crc, data, n);
}
