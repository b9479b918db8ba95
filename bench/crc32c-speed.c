/* SPDX-License-Identifier: MIT */
/* crc32c-speed: MB/s of crc32c() on buffers from 1 MiB down to 64 bytes, against one chain of crc32
 * instructions (crc32c() before it ran three) over the same bytes in the same run. Run by hand,
 * build/meson/bench/crc32c-speed; prints one line per size. Each figure is the best of many timings: on a
 * shared machine the others only measure the neighbours. */
#include <nmmintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crc32.h"
#include "macro.h"

#define BYTES_PER_TIMING (64u << 20)
#define TIMINGS          25

typedef uint32_t (*CrcFunc)(uint32_t crc, const void *data, size_t n);

__attribute__((target("sse4.2"))) static uint32_t one_chain(uint32_t crc, const void *data, size_t n) {
        const uint8_t *b = data;
        uint64_t c = ~crc;

        for (; n >= 8; b += 8, n -= 8) {
                uint64_t v;

                memcpy(&v, b, sizeof(v));
                c = _mm_crc32_u64(c, v);
        }
        for (; n > 0; b++, n--)
                c = _mm_crc32_u8((uint32_t) c, *b);
        return ~(uint32_t) c;
}

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

/* Each call continues from the last one's result, so that none can be left out or run ahead. */
static double megabytes_per_second(CrcFunc f, const uint8_t *b, size_t n, uint32_t *ret_crc) {
        size_t calls = MAX(BYTES_PER_TIMING / n, (size_t) 1);
        double best = 0;
        uint32_t crc = 0;

        for (int t = 0; t < TIMINGS; t++) {
                double start = now();

                for (size_t i = 0; i < calls; i++)
                        crc = f(crc, b, n);
                best = MAX(best, (double) (n * calls) / (now() - start) / 1e6);
        }
        *ret_crc = crc;
        return best;
}

int main(void) {
        static const size_t sizes[] = { 1u << 20, (1u << 20) + 5, 64u << 10, 12288, 4096, 1024, 256, 64 };
        size_t max = (1u << 20) + 5;
        _cleanup_free_ uint8_t *buf = malloc(max + 1);

        if (!buf) {
                fprintf(stderr, "Out of memory\n");
                return EXIT_FAILURE;
        }
        for (size_t i = 0; i < max + 1; i++)
                buf[i] = (uint8_t) (i * 2654435761u >> 13);
        if (!__builtin_cpu_supports("sse4.2")) {
                fprintf(stderr, "This CPU has no SSE 4.2: there is no crc32 chain to compare with\n");
                return EXIT_FAILURE;
        }

        /* At an odd address, as a buffer inside a stream may be. */
        for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
                uint32_t crc_one, crc_three;
                double one = megabytes_per_second(one_chain, buf + 1, sizes[i], &crc_one);
                double three = megabytes_per_second(crc32c, buf + 1, sizes[i], &crc_three);

                if (crc_one != crc_three) {
                        fprintf(stderr, "crc32c() and one chain differ on %zu bytes\n", sizes[i]);
                        return EXIT_FAILURE;
                }
                printf("bytes=%zu one_chain_mb_s=%.0f crc32c_mb_s=%.0f speedup=%.2f\n", sizes[i], one, three,
                       three / one);
        }
        return EXIT_SUCCESS;
}
