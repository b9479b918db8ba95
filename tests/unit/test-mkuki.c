/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fileio.h"
#include "macro.h"
#include "pe.h"

#define STUB "/usr/lib/systemd/boot/efi/linuxx64.efi.stub"

static void test_append_sections(void **state) {
        char *stub;
        size_t size;
        PeImage pe;
        const char *error;
        unsigned before;
        static const char *names[] = { ".osrel", ".cmdline", ".initrd", ".linux" };
        size_t sizes[] = { 100, 5000, 70000, 123457 };

        if (read_full_file(STUB, 16 << 20, &stub, &size) < 0)
                skip();
        assert_int_equal(pe_parse((uint8_t *) stub, size, &pe, &error), 0);
        before = pe_section_count(&pe);
        for (unsigned i = 0; i < 4; i++) {
                _cleanup_free_ uint8_t *payload = malloc(sizes[i]);
                for (size_t j = 0; j < sizes[i]; j++)
                        payload[j] = (uint8_t) (i + j);
                assert_int_equal(pe_add_section(&pe, names[i], payload, sizes[i], &error), 0);
        }
        assert_int_equal(pe_section_count(&pe), before + 4);

        /* Re-parse what we wrote, as the firmware and sbsign will. */
        uint8_t *copy = malloc(pe.size);
        memcpy(copy, pe.data, pe.size);
        PeImage again;
        assert_int_equal(pe_parse(copy, pe.size, &again, &error), 0);
        uint64_t prev_end = 0;
        for (unsigned i = 0; i < pe_section_count(&again); i++) {
                PeSection s;
                pe_section_get(&again, i, &s);
                assert_true(s.virtual_address >= prev_end); /* in order, no overlap */
                prev_end = (uint64_t) s.virtual_address + s.virtual_size;
                if (i >= before) {
                        unsigned k = i - before;
                        assert_string_equal(s.name, names[k]);
                        assert_int_equal(s.virtual_address % 4096, 0);
                        assert_int_equal(s.virtual_size, sizes[k]);
                        for (size_t j = 0; j < sizes[k]; j++)
                                assert_int_equal(again.data[s.raw_pointer + j], (uint8_t) (k + j));
                }
        }
        /* SizeOfImage covers the last section. */
        uint32_t size_of_image;
        memcpy(&size_of_image, again.data + again.opt + 56, 4);
        assert_true(size_of_image >= prev_end);
        pe_free(&again);
        pe_free(&pe);
}

static void test_refuses_non_pe(void **state) {
        PeImage pe;
        const char *error;
        uint8_t *junk = calloc(1, 4096);

        assert_int_equal(pe_parse(junk, 4096, &pe, &error), -EBADMSG);
        assert_string_equal(error, "not a PE file (no MZ header)");
        junk[0] = 'M', junk[1] = 'Z', junk[0x3c] = 0x00, junk[0x3d] = 0x02;
        assert_int_equal(pe_parse(junk, 4096, &pe, &error), -EBADMSG);
        assert_string_equal(error, "not a PE file (no PE signature)");
        junk[0x3c] = 0xfc, junk[0x3d] = 0xff, junk[0x3e] = 0xff, junk[0x3f] = 0xff;
        assert_int_equal(pe_parse(junk, 4096, &pe, &error), -EBADMSG);
        assert_string_equal(error, "truncated PE header");
        free(junk);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_append_sections),
                cmocka_unit_test(test_refuses_non_pe),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
