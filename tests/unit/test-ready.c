/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "fileio.h"
#include "ready-record.h"
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
        assert_string_equal(m.devnum, "254:0");
        assert_int_equal(mount_facts(path, "/etc", &m), 0);
        assert_string_equal(m.fstype, "tmpfs");
        assert_false(m.read_only);
        assert_int_equal(mount_facts(path, "/opt", &m), -ENOENT);
        assert_string_equal(m.source, "-");
        unlink(path);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void) st, (void) type, (void) ftw;
        return remove(path);
}

static void write_at(const char *dir, const char *rel, const char *content) {
        char p[512];
        FILE *f;

        snprintf(p, sizeof(p), "%s/%s", dir, rel);
        f = fopen(p, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static void test_block_device_describe(void **state) {
        char dir[] = "/tmp/test-ready-sys-XXXXXX", p[512], node[64];
        bool verity;

        assert_non_null(mkdtemp(dir));
        snprintf(p, sizeof(p), "%s/dev/block/254:0/dm", dir);
        for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
                *s = 0;
                mkdir(p, 0755);
                *s = '/';
        }
        mkdir(p, 0755);
        write_at(dir, "dev/block/254:0/uevent", "MAJOR=254\nMINOR=0\nDEVNAME=dm-0\nDEVTYPE=disk\n");
        write_at(dir, "dev/block/254:0/dm/uuid", "BULKHEAD-VERITY-0123\n");
        assert_int_equal(block_device_describe(dir, "254:0", node, sizeof(node), &verity), 0);
        assert_string_equal(node, "/dev/dm-0");
        assert_true(verity);

        write_at(dir, "dev/block/254:0/dm/uuid", "CRYPT-LUKS2-abc\n");
        assert_int_equal(block_device_describe(dir, "254:0", node, sizeof(node), &verity), 0);
        assert_false(verity);
        assert_int_equal(block_device_describe(dir, "8:1", node, sizeof(node), &verity), -ENOENT);
        assert_int_equal(block_device_describe(dir, "254:0", node, 6, &verity), -ENOBUFS);

        write_at(dir, "dev/block/254:0/uevent", "MAJOR=254\nXDEVNAME=dm-0\n");
        assert_int_equal(block_device_describe(dir, "254:0", node, sizeof(node), &verity), -ENOENT);
        assert_int_equal(nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

static void test_meminfo_parse(void **state) {
        MemoryUse m;

        assert_int_equal(meminfo_parse("MemTotal:  1000 kB\nMemFree:  500 kB\nMemAvailable: 600 kB\n"
                                       "Buffers: 10 kB\nCached: 100 kB\nSwapCached: 7 kB\n"
                                       "Shmem: 30 kB\nSReclaimable: 20 kB\n",
                                       &m),
                         0);
        assert_int_equal(m.used, 1000 - 500 - 10 - (100 - 30) - 20);
        assert_int_equal(m.unavailable, 400);
        /* SwapCached must not be taken for Cached, nor a missing field for zero. */
        assert_int_equal(meminfo_parse("MemTotal: 1000 kB\nMemFree: 500 kB\nSwapCached: 7 kB\n", &m),
                         -EINVAL);
        assert_int_equal(meminfo_parse("", &m), -EINVAL);
}

/* A boot on trial marks itself; the boot that judges it takes the mark. A mark another boot left is a boot
 * that never got judged: it is reported once, then gone. */
static void test_trial_mark(void **state) {
        char dir[] = "/tmp/test-ready-trial-XXXXXX", mark[512], failed[512];
        _cleanup_free_ char *what = NULL, *text = NULL;

        assert_non_null(mkdtemp(dir));
        snprintf(mark, sizeof(mark), "%s/trial-boot", dir);
        snprintf(failed, sizeof(failed), "%s/failed-boots", dir);
        assert_int_equal(trial_take(mark, "boot-1", &what), 0); /* no mark */

        assert_int_equal(trial_mark(mark, "boot-1", "version=0.2.0 set=b"), 0);
        assert_int_equal(trial_take(mark, "boot-1", &what), 0); /* its own: judged now */
        assert_null(what);
        assert_int_equal(access(mark, F_OK), -1);

        assert_int_equal(trial_mark(mark, "boot-1", "version=0.2.0 set=b"), 0);
        assert_int_equal(trial_take(mark, "boot-2", &what), 1); /* boot-1 hung */
        assert_string_equal(what, "version=0.2.0 set=b");
        assert_int_equal(trial_take(mark, "boot-3", &what), 0); /* reported once */

        /* A boot id that is a prefix of another is not the same boot. */
        assert_int_equal(trial_mark(mark, "boot-10", "version=0.3.0 set=a"), 0);
        free(what);
        what = NULL;
        assert_int_equal(trial_take(mark, "boot-1", &what), 1);

        assert_int_equal(record_failed_boot(failed, "version=0.2.0 set=b api=down"), 0);
        assert_int_equal(record_failed_boot(failed, "version=0.2.0 set=b: never judged"), 0);
        assert_int_equal(read_full_file(failed, 4096, &text, NULL), 0);
        assert_string_equal(text, "version=0.2.0 set=b api=down\nversion=0.2.0 set=b: never judged\n");
        assert_int_equal(nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cmdline_get),   cmocka_unit_test(test_os_release_get),
                cmocka_unit_test(test_mount_facts),   cmocka_unit_test(test_block_device_describe),
                cmocka_unit_test(test_meminfo_parse), cmocka_unit_test(test_trial_mark),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
