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
#include <immintrin.h>

static inline uint64_t load64(const uint8_t *b) {
        uint64_t v;

        memcpy(&v, b, sizeof(v)); /* unaligned, without undefined behaviour */
        return v;
}

__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(uint32_t crc, const uint8_t *b, size_t n) {
        uint64_t c = crc;

        for (; n >= 8; b += 8, n -= 8)
                c = _mm_crc32_u64(c, load64(b));
        for (; n > 0; b++, n--)
                c = _mm_crc32_u8((uint32_t) c, *b);
        return (uint32_t) c;
}

/* One crc32 instruction waits 3 cycles for the one before it, but the CPU starts one every cycle: three
 * independent chains, over three lanes of a block, run three times as fast as one. The CRC is linear, so
 * the block's CRC is that of its first lane carried over two lanes of zeros, XOR that of the second
 * (started from 0) carried over one, XOR that of the third. Carrying a CRC over n zero bytes multiplies it
 * by x^(8n) mod P.
 *
 * In the reflected order crc32 uses, bit i of a 32-bit word is the coefficient of x^(31-i), and crc32 from
 * 0 over a 64-bit word W (bit i the coefficient of x^(63-i)) is W·x^32 mod P. The carry-less product of two
 * 32-bit words a and k, read as such a 64-bit word, is a·k·x (its top bit is always 0), so crc32 of it is
 * a·k·x^33 mod P: k = x^(8n-33) mod P carries a over n bytes. tests/unit/test-crc32.c checks each
 * constant below against the bitwise definition, around every multiple of each block. */
#define TARGET_CLMUL __attribute__((target("sse4.2,pclmul")))

typedef struct Crc32cBlock {
        size_t lane; /* bytes, a multiple of 8 */
        uint32_t k1; /* x^(8·lane-33) mod P, reflected */
        uint32_t k2; /* x^(16·lane-33) mod P, reflected */
} Crc32cBlock;

/* With 4 KiB lanes, joining them (~15 cycles) is ~1% of a block (~1500 cycles). What is left, up to 12 KiB,
 * would take three times as long on one chain: lanes of 256 bytes take all but the last < 768 bytes. */
static const Crc32cBlock block_long = { 4096, 0x82F89C77u, 0x54A86326u };
static const Crc32cBlock block_short = { 256, 0xB9E02B86u, 0xDD7E3B0Cu };

/* a carried over the lanes ka is for, XOR b carried over those kb is for. */
TARGET_CLMUL static inline uint32_t carry2(uint32_t a, uint32_t ka, uint32_t b, uint32_t kb) {
        __m128i pa = _mm_clmulepi64_si128(_mm_cvtsi64_si128(a), _mm_cvtsi64_si128(ka), 0x00);
        __m128i pb = _mm_clmulepi64_si128(_mm_cvtsi64_si128(b), _mm_cvtsi64_si128(kb), 0x00);

        return (uint32_t) _mm_crc32_u64(0, (uint64_t) _mm_cvtsi128_si64(_mm_xor_si128(pa, pb)));
}

/* Always inlined, so that the lane length is a constant in each loop. */
TARGET_CLMUL __attribute__((always_inline)) static inline uint32_t
crc32c_block3(uint32_t crc, const uint8_t *b, Crc32cBlock blk) {
        uint64_t c0 = crc, c1 = 0, c2 = 0;

        for (size_t i = 0; i < blk.lane; i += 8) {
                c0 = _mm_crc32_u64(c0, load64(b + i));
                c1 = _mm_crc32_u64(c1, load64(b + blk.lane + i));
                c2 = _mm_crc32_u64(c2, load64(b + 2 * blk.lane + i));
        }
        return carry2((uint32_t) c0, blk.k2, (uint32_t) c1, blk.k1) ^ (uint32_t) c2;
}

TARGET_CLMUL static uint32_t crc32c_clmul(uint32_t crc, const uint8_t *b, size_t n) {
        for (; n >= 3 * block_long.lane; b += 3 * block_long.lane, n -= 3 * block_long.lane)
                crc = crc32c_block3(crc, b, block_long);
        for (; n >= 3 * block_short.lane; b += 3 * block_short.lane, n -= 3 * block_short.lane)
                crc = crc32c_block3(crc, b, block_short);
        return crc32c_sse42(crc, b, n);
}
#endif

uint32_t crc32c(uint32_t crc, const void *data, size_t n) {
        crc = ~crc;
#if defined(__x86_64__)
        /* Intel's first SSE 4.2 CPUs (Nehalem, 2008) lack PCLMULQDQ (Westmere, 2010): they run one chain. */
        if (__builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul"))
                return ~crc32c_clmul(crc, data, n);
        if (__builtin_cpu_supports("sse4.2"))
                return ~crc32c_sse42(crc, data, n);
#endif
        return ~crc32c_bitwise(crc, data, n);
}
