/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "macro.h"
#include "ready.h"

static void test_cmdline_get(void **state) {
        char v[8];

        assert_int_equal(cmdline_get("console=ttyS0 bulkhead.set=b quiet\n", "bulkhead.set", v, sizeof(v)),
                         0);
        assert_string_equal(v, "b");
        assert_int_equal(cmdline_get("bulkhead.setx=a", "bulkhead.set", v, sizeof(v)), -ENOENT);
        assert_int_equal(cmdline_get("bulkhead.set=abcdefghijk", "bulkhead.set", v, sizeof(v)), -ENOBUFS);
}

static void test_os_release_get(void **state) {
        char v[32];

        assert_int_equal(os_release_get("NAME=Bulkhead\nVERSION_ID=\"1.2.3\"\n", "VERSION_ID", v, sizeof(v)),
                         0);
        assert_string_equal(v, "1.2.3");
        assert_int_equal(os_release_get("NAME=Bulkhead\n", "VERSION_ID", v, sizeof(v)), -ENOENT);
}

static void test_mount_facts(void **state) {
        char path[] = "/tmp/test-ready-XXXXXX";
        int fd = mkstemp(path);
        FILE *f = fdopen(fd, "w");
        MountFacts m;

        fputs("22 1 254:0 / / ro,relatime shared:1 - erofs /dev/mapper/root ro\n"
              "23 22 0:21 / /etc rw,nosuid shared:2 - tmpfs tmpfs rw\n"
              "30 22 253:6 /var /var rw,relatime shared:9 - ext4 /dev/vda6 rw\n",
              f);
        fclose(f);
        assert_int_equal(mount_facts(path, "/", &m), 0);
        assert_string_equal(m.source, "/dev/mapper/root");
        assert_string_equal(m.fstype, "erofs");
        assert_true(m.read_only);
        assert_int_equal(mount_facts(path, "/etc", &m), 0);
        assert_string_equal(m.fstype, "tmpfs");
        assert_false(m.read_only);
        assert_int_equal(mount_facts(path, "/opt", &m), -ENOENT);
        assert_string_equal(m.source, "-");
        unlink(path);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cmdline_get),
                cmocka_unit_test(test_os_release_get),
                cmocka_unit_test(test_mount_facts),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
