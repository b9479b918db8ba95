/* SPDX-License-Identifier: MIT */
/* The two CRCs of src/basic against their published check values, and CRC-32C's fast path against its
 * bitwise definition over every length and alignment around its 8-byte steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "crc32.h"
#include "macro.h"

static void check_values(void **state) {
        /* The "check" of each CRC: its value over the nine ASCII digits. */
        assert_int_equal(crc32_ieee("123456789", 9), 0xCBF43926u);
        assert_int_equal(crc32c(0, "123456789", 9), 0xE3069283u);
        assert_int_equal(crc32c(0, "", 0), 0);
}

static uint32_t reference(const uint8_t *b, size_t n) {
        uint32_t crc = 0xFFFFFFFFu;

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
                        uint32_t want = reference(buf + off, n);

                        assert_int_equal(crc32c(0, buf + off, n), want);
                        /* Continued in two parts, it is the CRC of the whole. */
                        assert_int_equal(crc32c(crc32c(0, buf + off, n / 3), buf + off + n / 3, n - n / 3),
                                         want);
                }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(check_values),
                cmocka_unit_test(lengths_and_splits),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
