/* SPDX-License-Identifier: MIT */
/* libgpt against sgdisk (gdisk), an independent GPT implementation: what we write it must find clean, and
 * what we read must be what we wrote. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "gpt.h"
#include "macro.h"
#include "mkdisk.h"

static char dir[] = "/tmp/test-gpt-XXXXXX";
static char disk[128];

static const char *names[] = { "ESP", "root-a", "verity-a", "root-b", "verity-b", "BULKHEAD-DATA" };
static const char *kinds[] = { "esp",         "root-x86-64",        "root-x86-64-verity",
                               "root-x86-64", "root-x86-64-verity", "linux-data" };
static const unsigned mib[] = { 64, 256, 16, 256, 16, 8 };
static const char *uuids[] = {
        "7db251dd-b9ab-4aba-a007-fe31e0bb967a", "1397cc2b-6846-4d6a-ae3d-21e716b516ee",
        "4ffddfed-e73c-462a-8353-942e00d20510", "1dd8e114-6480-4721-be2c-e8aecf5e281c",
        "8de3bab9-409b-4e21-9b61-5eb0cd38061a", "bf050fb4-a099-4397-90b9-4d33c65eae03"
};

static char *run(const char *cmd, int *ret_status) {
        static char out[16384];
        FILE *p = popen(cmd, "r");
        size_t n;

        assert_non_null(p);
        n = fread(out, 1, sizeof(out) - 1, p);
        out[n] = 0;
        *ret_status = pclose(p);
        return out;
}

static void sgdisk_clean(void) {
        char cmd[256];
        int status;
        const char *out;

        snprintf(cmd, sizeof(cmd), "sgdisk -v %s 2>&1", disk);
        out = run(cmd, &status);
        if (!strstr(out, "No problems found"))
                fail_msg("sgdisk -v reports: %s", out);
}

static void write_layout(void) {
        DiskPart parts[6];
        _cleanup_free_ char *error = NULL;
        uint8_t guid[16];

        for (unsigned i = 0; i < 6; i++) {
                char spec[256];
                snprintf(spec, sizeof(spec), "%s,%s,%u,%s", names[i], kinds[i], mib[i], uuids[i]);
                assert_int_equal(disk_part_parse(spec, &parts[i], &error), 0);
        }
        assert_int_equal(gpt_guid_parse("11111111-2222-3333-4444-555555555555", guid), 0);
        assert_int_equal(disk_write(disk, 0, guid, parts, 6, &error), 0);
}

static void test_guid_roundtrip(void **state) {
        uint8_t g[16];
        char s[37];

        assert_int_equal(gpt_guid_parse(GPT_TYPE_ESP, g), 0);
        /* The first field is little-endian on disk. */
        assert_int_equal(g[0], 0x28);
        assert_int_equal(g[3], 0xc1);
        gpt_guid_format(g, s);
        assert_string_equal(s, GPT_TYPE_ESP);
        assert_int_equal(gpt_guid_parse("c12a7328-f81f-11d2-ba4b-00a0c93ec93", g), -EINVAL);
        assert_int_equal(gpt_guid_parse("c12a7328xf81f-11d2-ba4b-00a0c93ec93b", g), -EINVAL);
        assert_int_equal(gpt_guid_parse("g12a7328-f81f-11d2-ba4b-00a0c93ec93b", g), -EINVAL);
}

static void test_layout_sgdisk_and_readback(void **state) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        GptTable t;
        bool backup;
        char cmd[256];
        int status;

        write_layout();
        sgdisk_clean();
        snprintf(cmd, sizeof(cmd), "sgdisk -i 6 %s", disk);
        assert_non_null(strstr(run(cmd, &status), "Partition name: 'BULKHEAD-DATA'"));
        fd = open(disk, O_RDWR | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(gpt_read(fd, (uint64_t) st.st_size, &t, &backup), 0);
        assert_false(backup);
        assert_int_equal(t.n_partitions, 6);
        uint64_t lba = 2048;
        for (unsigned i = 0; i < 6; i++) {
                uint8_t u[16];
                assert_string_equal(t.partitions[i].name, names[i]);
                assert_int_equal(gpt_guid_parse(uuids[i], u), 0);
                assert_memory_equal(t.partitions[i].uuid, u, 16);
                assert_int_equal(t.partitions[i].first_lba, lba);
                lba += mib[i] * 2048ULL;
                assert_int_equal(t.partitions[i].last_lba, lba - 1);
                assert_ptr_equal(gpt_find_name(&t, names[i]), &t.partitions[i]);
                assert_ptr_equal(gpt_find_uuid(&t, u), &t.partitions[i]);
        }
        /* The disk is just big enough: the data partition, then one MiB for the backup table. */
        assert_int_equal((uint64_t) st.st_size, (lba + 2048) * 512);
        assert_null(gpt_find_name(&t, "nope"));
}

static void test_backup_fallback(void **state) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        GptTable t;
        bool backup;
        uint8_t junk[8] = "garbage!";

        write_layout();
        fd = open(disk, O_RDWR | O_CLOEXEC);
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(pwrite(fd, junk, sizeof(junk), 512 + 40), (ssize_t) sizeof(junk));
        assert_int_equal(gpt_read(fd, (uint64_t) st.st_size, &t, &backup), 0);
        assert_true(backup);
        assert_int_equal(t.n_partitions, 6);
        /* Both copies damaged: refused. */
        assert_int_equal(pwrite(fd, junk, sizeof(junk), st.st_size - 512 + 40), (ssize_t) sizeof(junk));
        assert_int_equal(gpt_read(fd, (uint64_t) st.st_size, &t, &backup), -EBADMSG);
}

static void test_grow(void **state) {
        _cleanup_close_ int fd = -EBADF;
        const uint64_t big = 2048ULL << 20;
        GptTable t;
        unsigned idx;

        write_layout();
        assert_int_equal(truncate(disk, (off_t) big), 0);
        fd = open(disk, O_RDWR | O_CLOEXEC);
        assert_int_equal(gpt_grow_last_partition(fd, big, &idx), 1);
        assert_int_equal(idx, 5);
        sgdisk_clean();
        assert_int_equal(gpt_read(fd, big, &t, NULL), 0);
        assert_int_equal(t.partitions[5].last_lba, big / 512 - 2048 - 1);
        assert_int_equal((t.partitions[5].last_lba + 1) % 2048, 0);
        /* Nothing left to do the second time. */
        assert_int_equal(gpt_grow_last_partition(fd, big, &idx), 0);
}

static void test_refusals(void **state) {
        _cleanup_free_ char *error = NULL;
        DiskPart p[2];
        uint8_t guid[16] = { 1 };
        char content[160];

        assert_int_equal(disk_part_parse("x,floppy,1,7db251dd-b9ab-4aba-a007-fe31e0bb967a", &p[0], &error),
                         -EINVAL);
        assert_non_null(strstr(error, "unknown type 'floppy'"));
        assert_int_equal(disk_part_parse("x,esp,1,not-a-uuid", &p[0], &error), -EINVAL);
        assert_non_null(strstr(error, "not a UUID"));
        assert_int_equal(disk_part_parse("x,esp,lots,7db251dd-b9ab-4aba-a007-fe31e0bb967a", &p[0], &error),
                         -EINVAL);
        assert_int_equal(disk_part_parse("x,esp,1", &p[0], &error), -EINVAL);

        assert_int_equal(disk_part_parse("a,esp,64,7db251dd-b9ab-4aba-a007-fe31e0bb967a", &p[0], &error), 0);
        assert_int_equal(disk_write(disk, 10 << 20, guid, p, 1, &error), -EINVAL);
        assert_non_null(strstr(error, "disk too small for the layout: need"));

        assert_int_equal(disk_part_parse("a,esp,1,7db251dd-b9ab-4aba-a007-fe31e0bb967a", &p[0], &error), 0);
        assert_int_equal(disk_part_parse("a,esp,1,1397cc2b-6846-4d6a-ae3d-21e716b516ee", &p[1], &error), 0);
        assert_int_equal(disk_write(disk, 0, guid, p, 2, &error), -EINVAL);
        assert_non_null(strstr(error, "used twice"));

        snprintf(content, sizeof(content), "%s/big", dir);
        FILE *f = fopen(content, "we");
        assert_non_null(f);
        fclose(f);
        assert_int_equal(truncate(content, (2 << 20) + 1), 0);
        char spec[256];
        snprintf(spec, sizeof(spec), "a,esp,2,7db251dd-b9ab-4aba-a007-fe31e0bb967a,%s", content);
        assert_int_equal(disk_part_parse(spec, &p[0], &error), 0);
        assert_int_equal(disk_write(disk, 0, guid, p, 1, &error), -EINVAL);
        assert_non_null(strstr(error, "does not fit its 2 MiB"));
}

static int setup(void **state) {
        if (!mkdtemp(dir))
                return -1;
        snprintf(disk, sizeof(disk), "%s/disk.img", dir);
        return 0;
}
static int teardown(void **state) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return system(cmd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_guid_roundtrip),  cmocka_unit_test(test_layout_sgdisk_and_readback),
                cmocka_unit_test(test_backup_fallback), cmocka_unit_test(test_grow),
                cmocka_unit_test(test_refusals),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
