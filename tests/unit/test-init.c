/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "init.h"
#include "macro.h"

#define GOOD                                                                                 \
        "console=ttyS0 bulkhead.set=b bulkhead.root=1dd8e114-6480-4721-be2c-e8aecf5e281c "   \
        "bulkhead.verity=8de3bab9-409b-4e21-9b61-5eb0cd38061a bulkhead.verity_blocks=18000 " \
        "bulkhead.verity_salt=00ff "                                                         \
        "roothash=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef quiet"

static void test_cmdline_good(void **state) {
        BootParams p;
        char bad[256], table[512];

        assert_int_equal(boot_params_parse(GOOD, &p, bad, sizeof(bad)), 0);
        assert_int_equal(p.set, 'b');
        assert_int_equal(p.verity_blocks, 18000);
        assert_string_equal(p.salt_hex, "00ff");
        assert_string_equal(p.init, INIT_DEFAULT_INIT);
        /* On-disk GUID byte order: first field little-endian. */
        assert_int_equal(p.root_uuid[0], 0x14);
        assert_int_equal(p.root_uuid[3], 0x1d);
        assert_int_equal(verity_table(&p, "254:2", "254:3", table, sizeof(table)), 0);
        assert_string_equal(table, "1 254:2 254:3 4096 4096 18000 1 sha256 "
                                   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef 00ff 1 "
                                   "restart_on_corruption");
        assert_int_equal(verity_table(&p, "254:2", "254:3", table, 20), -ENOBUFS);
}

static void expect_bad(const char *cmdline, const char *message) {
        BootParams p;
        char bad[256];

        assert_int_equal(boot_params_parse(cmdline, &p, bad, sizeof(bad)), -EINVAL);
        assert_string_equal(bad, message);
}

static void test_cmdline_bad(void **state) {
        char line[2048];

        expect_bad("console=ttyS0", "missing bulkhead.set= on the kernel command line");
        snprintf(line, sizeof(line), "%s bulkhead.set=c", GOOD);
        expect_bad(line, "invalid bulkhead.set=c");
        snprintf(line, sizeof(line), "%s roothash=abc", GOOD);
        expect_bad(line, "invalid roothash=abc");
        snprintf(line, sizeof(line), "%s bulkhead.verity_blocks=0", GOOD);
        expect_bad(line, "invalid bulkhead.verity_blocks=0");
        snprintf(line, sizeof(line), "%s bulkhead.verity_blocks=-5", GOOD);
        expect_bad(line, "invalid bulkhead.verity_blocks=-5");
        snprintf(line, sizeof(line), "%s bulkhead.root=1dd8e114-6480-4721-be2c-e8aecf5e281", GOOD);
        expect_bad(line, "invalid bulkhead.root=1dd8e114-6480-4721-be2c-e8aecf5e281");
        snprintf(line, sizeof(line), "%s bulkhead.verity_salt=0g", GOOD);
        expect_bad(line, "invalid bulkhead.verity_salt=0g");
        snprintf(line, sizeof(line), "%s bulkhead.init=relative/path", GOOD);
        expect_bad(line, "invalid bulkhead.init=relative/path");
        expect_bad("bulkhead.set=a bulkhead.root=1dd8e114-6480-4721-be2c-e8aecf5e281c",
                   "missing bulkhead.verity= on the kernel command line");
}

static void test_empty_salt(void **state) {
        BootParams p;
        char bad[256], line[2048];

        snprintf(line, sizeof(line), "%s bulkhead.verity_salt=-", GOOD);
        assert_int_equal(boot_params_parse(line, &p, bad, sizeof(bad)), 0);
        assert_string_equal(p.salt_hex, "");
}

static void test_gpt_find(void **state) {
        char path[] = "/tmp/test-init-gpt-XXXXXX", cmd[256];
        int fd = mkstemp(path);
        uint8_t uuid[16];

        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, 8 << 20), 0);
        snprintf(cmd, sizeof(cmd),
                 "sgdisk -n 1:2048:4095 -u 1:7db251dd-b9ab-4aba-a007-fe31e0bb967a -n 3:4096:8191 "
                 "-u 3:1397cc2b-6846-4d6a-ae3d-21e716b516ee %s >/dev/null",
                 path);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(uuid_parse_gpt("1397cc2b-6846-4d6a-ae3d-21e716b516ee", uuid), 0);
        assert_int_equal(gpt_find_partition(fd, uuid), 3);
        assert_int_equal(uuid_parse_gpt("7db251dd-b9ab-4aba-a007-fe31e0bb967a", uuid), 0);
        assert_int_equal(gpt_find_partition(fd, uuid), 1);
        assert_int_equal(uuid_parse_gpt("8de3bab9-409b-4e21-9b61-5eb0cd38061a", uuid), 0);
        assert_int_equal(gpt_find_partition(fd, uuid), -ENOENT);
        /* A damaged header is not trusted. */
        assert_int_equal(pwrite(fd, "X", 1, 512 + 30), 1);
        assert_int_equal(gpt_find_partition(fd, uuid), -EBADMSG);
        close(fd);
        unlink(path);
}

static void test_load_order(void **state) {
        char names[4][64];

        assert_int_equal(load_order_parse("virtio.ko\n# comment\n\nerofs.ko\n", names, 4), 2);
        assert_string_equal(names[0], "virtio.ko");
        assert_string_equal(names[1], "erofs.ko");
        assert_int_equal(load_order_parse("../evil.ko\n", names, 4), -EINVAL);
        assert_int_equal(load_order_parse("a\nb\nc\nd\ne\n", names, 4), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cmdline_good), cmocka_unit_test(test_cmdline_bad),
                cmocka_unit_test(test_empty_salt),   cmocka_unit_test(test_gpt_find),
                cmocka_unit_test(test_load_order),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
