/* SPDX-License-Identifier: MIT */
/* The two CRCs of src/basic against their published check values, and CRC-32C's fast paths against its
 * bitwise definition: every length and alignment around its 8-byte steps, and random buffers of every
 * length around the blocks that its three-lane path works in, from several initial values and in parts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "crc32.h"
#include "macro.h"

/* The three-lane path of crc32.c takes blocks of 3 × 4096 bytes, then of 3 × 256, then 8 bytes at a
 * time; the lengths below sit around multiples of each block. */
#define BLOCK_LONG  (3 * 4096)
#define BLOCK_SHORT (3 * 256)
#define MAX_LEN     (25 * BLOCK_LONG + 2 * BLOCK_SHORT + 100) /* about 300 KiB */
#define MAX_OFFSET  8

static void check_values(void **state) {
        /* The "check" of each CRC: its value over the nine ASCII digits. */
        assert_int_equal(crc32_ieee("123456789", 9), 0xCBF43926u);
        assert_int_equal(crc32c(0, "123456789", 9), 0xE3069283u);
        assert_int_equal(crc32c(0, "", 0), 0);
#if defined(__x86_64__)
        /* Only says which path the other tests check here; on other CPUs they check the others. */
        print_message("crc32c: sse4.2 %s, pclmul %s\n", __builtin_cpu_supports("sse4.2") ? "yes" : "no",
                      __builtin_cpu_supports("pclmul") ? "yes" : "no");
#endif
}

/* The definition, one bit at a time, continuing like crc32c() from a finished CRC. */
static uint32_t reference(uint32_t crc, const uint8_t *b, size_t n) {
        crc = ~crc;
        for (size_t i = 0; i < n; i++) {
                crc ^= b[i];
                for (int j = 0; j < 8; j++)
                        crc = crc & 1 ? 0x82F63B78u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
}

static void lengths_and_splits(void **state) {
        uint8_t buf[100];

        for (size_t i = 0; i < sizeof(buf); i++)
                buf[i] = (uint8_t) (i * 151 + 7);
        for (size_t off = 0; off < 8; off++)
                for (size_t n = 0; off + n <= sizeof(buf); n++) {
                        uint32_t want = reference(0, buf + off, n);

                        assert_int_equal(crc32c(0, buf + off, n), want);
                        /* Continued in two parts, it is the CRC of the whole. */
                        assert_int_equal(crc32c(crc32c(0, buf + off, n / 3), buf + off + n / 3, n - n / 3),
                                         want);
                }
}

/* splitmix64: a fixed seed gives the same bytes on every machine and libc. */
static uint64_t next_random(uint64_t *s) {
        uint64_t z = (*s += 0x9E3779B97F4A7C15u);

        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
        return z ^ (z >> 31);
}

static uint8_t *random_buffer(size_t n, uint64_t seed) {
        uint8_t *b = malloc(n);

        assert_non_null(b);
        for (size_t i = 0; i < n; i++)
                b[i] = (uint8_t) next_random(&seed);
        return b;
}

/* The reference CRC of every prefix of b, from init: prefix[n] is that of the first n bytes. One bitwise
 * pass instead of one per length keeps the test quick under the sanitizers. */
static uint32_t *reference_prefixes(uint32_t init, const uint8_t *b, size_t n) {
        uint32_t *prefix = malloc((n + 1) * sizeof(uint32_t));

        assert_non_null(prefix);
        prefix[0] = init;
        for (size_t i = 0; i < n; i++)
                prefix[i + 1] = reference(prefix[i], b + i, 1);
        return prefix;
}

/* Calls f(n) for each tested length ≤ max: all up to two short blocks, those within 8 of a multiple of the
 * short block up to a few long ones, those within 8 of a multiple of the long block, max, and some at
 * random. */
static void for_each_length(size_t max, void (*f)(size_t n, void *userdata), void *userdata) {
        uint64_t seed = max;

        for (size_t n = 0; n <= MIN(max, (size_t) 2 * BLOCK_SHORT); n++)
                f(n, userdata);
        for (size_t m = 3 * BLOCK_SHORT; m <= MIN(max, (size_t) 3 * BLOCK_LONG); m += BLOCK_SHORT)
                for (size_t n = m - 8; n <= MIN(max, m + 8); n++)
                        f(n, userdata);
        for (size_t m = 4 * BLOCK_LONG; m <= max + 8; m += BLOCK_LONG)
                for (size_t n = m - 8; n <= MIN(max, m + 8); n++)
                        f(n, userdata);
        f(max, userdata);
        for (int i = 0; i < 100; i++)
                f(next_random(&seed) % (max + 1), userdata);
}

typedef struct LengthCheck {
        const uint8_t *buf;
        const uint32_t *prefix;
        uint32_t init;
        size_t count;
} LengthCheck;

static void check_length(size_t n, void *userdata) {
        LengthCheck *c = userdata;

        assert_int_equal(crc32c(c->init, c->buf, n), c->prefix[n]);
        c->count++;
}

static void random_lengths_and_alignments(void **state) {
        _cleanup_free_ uint8_t *buf = random_buffer(MAX_LEN + MAX_OFFSET, 1);

        for (size_t off = 0; off < MAX_OFFSET; off++) {
                _cleanup_free_ uint32_t *prefix = reference_prefixes(0, buf + off, MAX_LEN);
                LengthCheck c = { .buf = buf + off, .prefix = prefix };

                for_each_length(MAX_LEN, check_length, &c);
                assert_true(c.count > 2000);
        }
}

static void initial_values(void **state) {
        static const uint32_t inits[] = { 1, 0x80000000u, 0xFFFFFFFFu, 0xE3069283u, 0x12345678u };
        _cleanup_free_ uint8_t *buf = random_buffer(MAX_LEN + MAX_OFFSET, 2);

        for (size_t i = 0; i < ELEMENTSOF(inits); i++) {
                /* Each initial value at another alignment: the two are independent in the code. */
                size_t off = (3 + 3 * i) % MAX_OFFSET;
                _cleanup_free_ uint32_t *prefix = reference_prefixes(inits[i], buf + off, MAX_LEN);
                LengthCheck c = { .buf = buf + off, .prefix = prefix, .init = inits[i] };

                for_each_length(MAX_LEN, check_length, &c);
        }
}

typedef struct ChainCheck {
        const uint8_t *buf;
        const uint32_t *prefix;
        size_t total;
} ChainCheck;

/* crc32c(crc32c(0, a), b) == crc32c(0, a || b), with the first part n bytes long. */
static void check_split(size_t n, void *userdata) {
        ChainCheck *c = userdata;

        assert_int_equal(crc32c(c->prefix[n], c->buf + n, c->total - n), c->prefix[c->total]);
        assert_int_equal(crc32c(crc32c(0, c->buf, n), c->buf + n, c->total - n), c->prefix[c->total]);
}

static void chained_calls(void **state) {
        /* A whole that is no multiple of any block, so that every split leaves parts of other lengths. */
        size_t total = 5 * BLOCK_LONG + 3 * BLOCK_SHORT + 5;
        _cleanup_free_ uint8_t *buf = random_buffer(total + 1, 3);
        _cleanup_free_ uint32_t *prefix = reference_prefixes(0, buf + 1, total);
        ChainCheck c = { .buf = buf + 1, .prefix = prefix, .total = total };
        uint64_t seed = 4;

        for_each_length(total, check_split, &c);

        /* In many parts of random lengths, as the update agent's stream arrives. */
        for (int round = 0; round < 50; round++) {
                uint32_t crc = 0;

                for (size_t at = 0; at < total;) {
                        /* Drawn apart from MIN(), which evaluates its arguments twice. */
                        size_t want = next_random(&seed) % (2 * BLOCK_LONG), n = MIN(total - at, want);

                        crc = crc32c(crc, c.buf + at, n);
                        at += n;
                }
                assert_int_equal(crc, prefix[total]);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(check_values),
                cmocka_unit_test(lengths_and_splits),
                cmocka_unit_test(random_lengths_and_alignments),
                cmocka_unit_test(initial_values),
                cmocka_unit_test(chained_calls),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
