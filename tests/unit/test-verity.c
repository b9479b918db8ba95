/* SPDX-License-Identifier: MIT */
/* libverity against veritysetup (cryptsetup), the reference implementation: same data, salt and parameters
 * must give the same root hash, and veritysetup must accept our hash device. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "fileio.h"
#include "hexutil.h"
#include "macro.h"
#include "verity.h"

static char dir[] = "/tmp/test-verity-XXXXXX";

static void make_data(const char *path, size_t bytes) {
        _cleanup_free_ uint8_t *buf = malloc(bytes);
        FILE *f = fopen(path, "we");

        assert_non_null(buf);
        assert_non_null(f);
        for (size_t i = 0; i < bytes; i++)
                buf[i] = (uint8_t) (i * 7 + i / 4096);
        assert_int_equal(fwrite(buf, 1, bytes, f), bytes);
        fclose(f);
}

/* Runs a shell-free command line through popen's /bin/sh on the build host and returns its output. */
static char *run(const char *cmd) {
        FILE *p = popen(cmd, "r");
        static char out[4096];
        size_t n;

        assert_non_null(p);
        n = fread(out, 1, sizeof(out) - 1, p);
        out[n] = 0;
        assert_int_equal(pclose(p), 0);
        return out;
}

static void ours(const char *data, const char *hash, const char *salt_hex, bool sb, char *ret_hex) {
        _cleanup_close_ int dfd = open(data, O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int hfd = open(hash, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        uint8_t root[VERITY_DIGEST_SIZE];
        VerityParams p;
        struct stat st;

        assert_true(dfd >= 0 && hfd >= 0);
        verity_params_init(&p);
        p.superblock = sb;
        assert_int_equal(hex_decode(salt_hex, p.salt, sizeof(p.salt), &p.salt_size), 0);
        assert_int_equal(fstat(dfd, &st), 0);
        p.data_blocks = (uint64_t) st.st_size / 4096;
        assert_int_equal(verity_format(dfd, hfd, &p, root), 0);
        hex_encode(root, sizeof(root), ret_hex);
}

static void compare(size_t bytes, const char *salt, bool sb) {
        char data[128], hash[128], ref[128], cmd[1024], mine[65];
        const char *line;

        snprintf(data, sizeof(data), "%s/data", dir);
        snprintf(hash, sizeof(hash), "%s/hash", dir);
        snprintf(ref, sizeof(ref), "%s/ref", dir);
        make_data(data, bytes);
        if (bytes % 4096) /* veritysetup needs whole blocks: both sides see the same zero padding */
                assert_int_equal(truncate(data, (off_t) ALIGN_TO(bytes, 4096)), 0);
        ours(data, hash, salt, sb, mine);
        (void) unlink(ref); /* veritysetup does not truncate an existing hash file */
        snprintf(cmd, sizeof(cmd), "veritysetup format %s --salt=%s %s %s", sb ? "" : "--no-superblock",
                 *salt ? salt : "-", data, ref);
        line = strstr(run(cmd), "Root hash:");
        assert_non_null(line);
        line += strlen("Root hash:");
        line += strspn(line, " \t");
        assert_memory_equal(line, mine, 64);
        snprintf(cmd, sizeof(cmd), "veritysetup verify %s %s %s %s", sb ? "" : "--no-superblock --salt=x",
                 data, hash, mine);
        if (sb) /* with a superblock veritysetup reads salt and sizes from our hash device */
                run(cmd);
        if (!sb) { /* and without, the hash devices must be byte-identical */
                snprintf(cmd, sizeof(cmd), "cmp %s %s", hash, ref);
                run(cmd);
        }
}

static void test_one_block(void **state) {
        compare(4096, "00112233", true);
}
static void test_127_blocks(void **state) {
        compare(127 * 4096, "00112233", true);
}
static void test_128_blocks(void **state) {
        compare(128 * 4096, "abcdef", true);
}
static void test_129_blocks(void **state) {
        compare(129 * 4096, "abcdef", false);
}
static void test_level_boundary(void **state) {
        compare(128 * 128 * 4096 + 4096, "0f", true);
}
static void test_few_mib(void **state) {
        compare(5 * 1024 * 1024, "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", true);
}
static void test_not_block_multiple(void **state) {
        compare(3 * 4096 + 123, "77", true);
}
static void test_empty_salt(void **state) {
        compare(300 * 4096, "", false);
}

static void test_bad_params(void **state) {
        VerityParams p;
        uint64_t n;

        verity_params_init(&p);
        assert_int_equal(verity_hash_size(&p, &n), -EINVAL); /* zero data blocks */
        p.data_blocks = 1;
        p.salt_size = VERITY_MAX_SALT + 1;
        assert_int_equal(verity_params_validate(&p), -EINVAL);
        p.salt_size = 0;
        p.hash_block_size = 3000;
        assert_int_equal(verity_params_validate(&p), -EINVAL);
        p.hash_block_size = 4096;
        assert_int_equal(verity_hash_size(&p, &n), 0);
        assert_int_equal(n, 4096); /* superblock only: one data block has no tree levels */
        p.data_blocks = 129;
        assert_int_equal(verity_hash_size(&p, &n), 0);
        assert_int_equal(n, 4 * 4096); /* superblock + 1 top block + 2 level-0 blocks */
}

static void test_short_data(void **state) {
        char data[128];
        uint8_t root[32];
        VerityParams p;

        snprintf(data, sizeof(data), "%s/short", dir);
        make_data(data, 4096);
        _cleanup_close_ int dfd = open(data, O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int hfd = open("/dev/null", O_RDWR | O_CLOEXEC);
        verity_params_init(&p);
        p.data_blocks = 2;
        assert_int_equal(verity_format(dfd, hfd, &p, root), -EIO);
}

/* The builder, fed the data in any split (and more bytes than the tree covers), writes the same hash device
 * and root hash as verity_format reading the data, which the tests above hold against veritysetup. */
static void builder_matches(uint64_t blocks, bool sb) {
        const size_t splits[] = { 1, 4095, 4096, 4097, 65536 + 3, 1024 * 1024 };
        const size_t extra = 5000, bytes = blocks * 4096 + extra;
        _cleanup_free_ uint8_t *data = malloc(bytes), *want = NULL, *got = NULL;
        _cleanup_close_ int dfd = memfd_create("data", MFD_CLOEXEC), ref = memfd_create("ref", MFD_CLOEXEC);
        uint8_t want_root[32], got_root[32];
        uint64_t hash_bytes;
        VerityParams p;

        assert_non_null(data);
        assert_true(dfd >= 0 && ref >= 0);
        for (size_t i = 0; i < bytes; i++)
                data[i] = (uint8_t) (i * 13 + i / 4096);
        assert_int_equal(pwrite_full(dfd, data, bytes, 0), 0);
        verity_params_init(&p);
        p.data_blocks = blocks;
        p.superblock = sb;
        p.salt_size = 3;
        memcpy(p.salt, "\x01\x02\x03", 3);
        assert_int_equal(verity_format(dfd, ref, &p, want_root), 0);
        assert_int_equal(verity_hash_size(&p, &hash_bytes), 0);
        want = malloc(hash_bytes);
        got = malloc(hash_bytes);
        assert_true(want && got);
        assert_int_equal(pread_full(ref, want, hash_bytes, 0), 0);
        for (size_t s = 0; s < ELEMENTSOF(splits); s++) {
                _cleanup_close_ int hfd = memfd_create("hash", MFD_CLOEXEC);
                _cleanup_(verity_builder_freep) VerityBuilder *b = NULL;

                assert_true(hfd >= 0);
                assert_int_equal(verity_builder_new(&p, hfd, &b), 0);
                for (size_t done = 0; done < bytes; done += MIN(splits[s], bytes - done))
                        assert_int_equal(verity_builder_feed(b, data + done, MIN(splits[s], bytes - done)),
                                         0);
                assert_int_equal(verity_builder_finish(b, got_root), 0);
                assert_memory_equal(got_root, want_root, 32);
                assert_int_equal(pread_full(hfd, got, hash_bytes, 0), 0);
                assert_memory_equal(got, want, hash_bytes);
        }
}

static void test_builder_splits(void **state) {
        builder_matches(1, true);
        builder_matches(129, false);
        builder_matches(128 * 128 + 1, true);
}

/* Fewer bytes than the tree covers: refused at the end, not a tree of what happened to arrive. */
static void test_builder_short(void **state) {
        _cleanup_close_ int hfd = memfd_create("hash", MFD_CLOEXEC);
        _cleanup_(verity_builder_freep) VerityBuilder *b = NULL;
        uint8_t block[4096] = {}, root[32];
        VerityParams p;

        verity_params_init(&p);
        p.data_blocks = 2;
        assert_int_equal(verity_builder_new(&p, hfd, &b), 0);
        assert_int_equal(verity_builder_feed(b, block, sizeof(block)), 0);
        assert_int_equal(verity_builder_feed(b, block, 100), 0);
        assert_int_equal(verity_builder_finish(b, root), -ENODATA);
        p.data_blocks = 0;
        assert_int_equal(verity_builder_new(&p, hfd, &b), -EINVAL);
}

static int setup(void **state) {
        return mkdtemp(dir) ? 0 : -1;
}
static int teardown(void **state) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return system(cmd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_one_block),          cmocka_unit_test(test_127_blocks),
                cmocka_unit_test(test_128_blocks),         cmocka_unit_test(test_129_blocks),
                cmocka_unit_test(test_level_boundary),     cmocka_unit_test(test_few_mib),
                cmocka_unit_test(test_not_block_multiple), cmocka_unit_test(test_empty_salt),
                cmocka_unit_test(test_bad_params),         cmocka_unit_test(test_short_data),
                cmocka_unit_test(test_builder_splits),     cmocka_unit_test(test_builder_short),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
