/* SPDX-License-Identifier: MIT */
/* libustar: archives we write read back; GNU tar (an independent implementation) lists what we write and
 * we read what it writes in ustar format; every kind of bad member is refused by name. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"
#include "ustar-internal.h"

/* An archive being built in memory. */
typedef struct Archive {
        uint8_t *data;
        size_t size;
} Archive;

static void append(Archive *a, const void *p, size_t n) {
        a->data = realloc(a->data, a->size + n);
        assert_non_null(a->data);
        memcpy(a->data + a->size, p, n);
        a->size += n;
}

static void append_zeros(Archive *a, size_t n) {
        uint8_t *z = calloc(1, n ?: 1);

        append(a, z, n);
        free(z);
}

static void add_file(Archive *a, const char *name, const char *content) {
        uint8_t block[USTAR_BLOCK_SIZE];
        size_t n = strlen(content);

        assert_int_equal(ustar_header_make(block, name, '0', n, 1700000000), 0);
        append(a, block, sizeof(block));
        append(a, content, n);
        append_zeros(a, ustar_padding(n));
}

/* A header whose fields the writer would refuse: made valid, then changed, then its checksum fixed. */
static void add_raw(Archive *a, const char *name, char type, const char *content) {
        uint8_t block[USTAR_BLOCK_SIZE];
        UstarHeader *h = (UstarHeader *) block;
        size_t n = strlen(content);

        assert_int_equal(ustar_header_make(block, "placeholder", '0', n, 0), 0);
        memset(h->name, 0, sizeof(h->name));
        memcpy(h->name, name, MIN(strlen(name), sizeof(h->name)));
        h->typeflag = type;
        snprintf(h->chksum, 7, "%06o", (unsigned) ustar_checksum(h));
        append(a, block, sizeof(block));
        append(a, content, n);
        append_zeros(a, ustar_padding(n));
}

static void add_end(Archive *a) {
        append_zeros(a, 2 * USTAR_BLOCK_SIZE);
}

static int memfd_of(const Archive *a) {
        int fd = memfd_create("test-ustar", MFD_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(loop_write(fd, a->data, a->size), 0);
        return fd;
}

/* Reads a; returns the result and leaves the message (or NULL) in *ret_error. */
static int read_archive(const Archive *a, size_t max, UstarArchive **ret, char **ret_error) {
        _cleanup_close_ int fd = memfd_of(a);

        *ret_error = NULL;
        return ustar_archive_read(fd, max, ret, ret_error);
}

static void expect_refused(Archive *a, const char *message) {
        UstarArchive *x = NULL;
        _cleanup_free_ char *error = NULL;
        int r = read_archive(a, 0, &x, &error);

        if (r >= 0 || !error || !strstr(error, message))
                fail_msg("expected a refusal with '%s', got %d: %s", message, r, error ?: "(no message)");
        assert_null(x);
        free(a->data);
        *a = (Archive){};
}

static void test_round_trip(void **state) {
        char long_name[200];
        _cleanup_(ustar_archive_freep) UstarArchive *x = NULL;
        _cleanup_free_ char *error = NULL;
        const UstarMember *m;
        Archive a = {};
        uint8_t block[USTAR_BLOCK_SIZE];

        (void) state;
        /* 160 bytes: needs the prefix field. */
        snprintf(long_name, sizeof(long_name), "targets/%s/%s.root.erofs.zst", "qemu-1.0.0-with-a-long-name",
                 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        assert_int_equal(ustar_header_make(block, "metadata", '5', 0, 0), 0);
        append(&a, block, sizeof(block));
        add_file(&a, "metadata/1.root.json", "{}");
        add_file(&a, long_name, "root image");
        add_file(&a, "targets/empty", "");
        add_end(&a);
        /* What follows the end marker, as on a disk larger than the archive, is not read. */
        append(&a, "garbage", 7);

        assert_int_equal(read_archive(&a, 0, &x, &error), 0);
        assert_null(error);
        assert_int_equal(x->n_members, 4);
        assert_int_equal(x->end, 8 * USTAR_BLOCK_SIZE);
        m = ustar_archive_find(x, long_name);
        assert_non_null(m);
        assert_int_equal(m->size, 10);
        assert_memory_equal(a.data + m->offset, "root image", 10);
        m = ustar_archive_find(x, "metadata");
        assert_non_null(m);
        assert_true(m->directory);
        m = ustar_archive_find(x, "targets/empty");
        assert_non_null(m);
        assert_int_equal(m->size, 0);
        assert_null(ustar_archive_find(x, "metadata/2.root.json"));
        free(a.data);
}

static void test_header_make(void **state) {
        uint8_t block[USTAR_BLOCK_SIZE];
        char name[300];

        (void) state;
        assert_int_equal(ustar_header_make(block, "../x", '0', 1, 0), -EINVAL);
        assert_int_equal(ustar_header_make(block, "/x", '0', 1, 0), -EINVAL);
        assert_int_equal(ustar_header_make(block, "x", '2', 0, 0), -EINVAL);
        assert_int_equal(ustar_header_make(block, "d", '5', 1, 0), -EINVAL);
        assert_int_equal(ustar_header_make(block, "x", '0', USTAR_MAX_SIZE + 1, 0), -EFBIG);
        assert_int_equal(ustar_header_make(block, "x", '0', USTAR_MAX_SIZE, 0), 0);
        /* 101 bytes without a '/': no prefix can take it. */
        memset(name, 'a', 101);
        name[101] = 0;
        assert_int_equal(ustar_header_make(block, name, '0', 0, 0), -ENAMETOOLONG);
        /* A 156-byte directory part does not fit the prefix. */
        memset(name, 'a', 156);
        snprintf(name + 156, sizeof(name) - 156, "/file");
        assert_int_equal(ustar_header_make(block, name, '0', 0, 0), -ENAMETOOLONG);
        snprintf(name + 155, sizeof(name) - 155, "/file");
        assert_int_equal(ustar_header_make(block, name, '0', 0, 0), 0);
}

static void test_dot_slash(void **state) {
        _cleanup_(ustar_archive_freep) UstarArchive *x = NULL;
        _cleanup_free_ char *error = NULL;
        uint8_t block[USTAR_BLOCK_SIZE];
        Archive a = {};

        (void) state;
        /* GNU tar -C repo -cf x.tar . writes "./" and "./metadata/..." */
        add_raw(&a, "./", '5', "");
        add_raw(&a, "./metadata/", '5', "");
        add_raw(&a, "./metadata/timestamp.json", '0', "{}");
        assert_int_equal(ustar_header_make(block, "metadata/1.root.json", '0', 0, 0), 0);
        append(&a, block, sizeof(block));
        add_end(&a);
        assert_int_equal(read_archive(&a, 0, &x, &error), 0);
        assert_int_equal(x->n_members, 3);
        assert_non_null(ustar_archive_find(x, "metadata/timestamp.json"));
        assert_non_null(ustar_archive_find(x, "metadata"));
        free(a.data);
}

static void test_refusals(void **state) {
        uint8_t block[USTAR_BLOCK_SIZE];
        Archive a = {};

        (void) state;
        add_raw(&a, "metadata/../../etc/passwd", '0', "x");
        add_end(&a);
        expect_refused(&a, "member 'metadata/../../etc/passwd': not a safe relative name");
        add_raw(&a, "/etc/passwd", '0', "x");
        add_end(&a);
        expect_refused(&a, "member '/etc/passwd': not a safe relative name");
        add_raw(&a, "targets/a\033[2Jb", '0', "x");
        add_end(&a);
        expect_refused(&a, "member 'targets/a?[2Jb': not a safe relative name");
        add_raw(&a, "targets/link", '2', "");
        add_end(&a);
        expect_refused(&a, "member 'targets/link' is a symbolic link");
        add_raw(&a, "targets/hard", '1', "");
        add_end(&a);
        expect_refused(&a, "member 'targets/hard' is a hard link");
        add_raw(&a, "dev/null", '3', "");
        add_end(&a);
        expect_refused(&a, "member 'dev/null' is a character device");
        add_raw(&a, "fifo", '6', "");
        add_end(&a);
        expect_refused(&a, "is a FIFO");
        add_raw(&a, "PaxHeader", 'x', "");
        add_end(&a);
        expect_refused(&a, "pax extended header");
        add_raw(&a, "odd", 'Z', "");
        add_end(&a);
        expect_refused(&a, "member 'odd' is of type 'Z'");
        add_raw(&a, "dir", '5', "data");
        add_end(&a);
        expect_refused(&a, "member 'dir': a directory with 4 bytes of data");

        add_file(&a, "metadata/timestamp.json", "one");
        add_file(&a, "metadata/x", "");
        add_file(&a, "metadata/timestamp.json", "two");
        add_end(&a);
        expect_refused(&a, "member 'metadata/timestamp.json' appears twice (headers at bytes 0 and 1536)");

        add_file(&a, "a", "");
        add_file(&a, "b", "");
        add_file(&a, "c", "");
        add_end(&a);
        {
                UstarArchive *x = NULL;
                _cleanup_free_ char *error = NULL;

                assert_int_equal(read_archive(&a, 2, &x, &error), -EFBIG);
                assert_string_equal(error, "more than 2 members");
                free(a.data);
                a = (Archive){};
        }

        add_file(&a, "a", "content");
        a.data[USTAR_BLOCK_SIZE + 3] ^= 1; /* data is not covered: a header byte is */
        a.data[10] ^= 1;
        add_end(&a);
        expect_refused(&a, "the header checksum does not match");

        add_file(&a, "a", "content");
        memcpy(((UstarHeader *) a.data)->magic, "ustar  ", 8);
        add_end(&a);
        expect_refused(&a, "a GNU tar header, not POSIX ustar");

        append(&a, "just some text that is not an archive", 38);
        append_zeros(&a, USTAR_BLOCK_SIZE);
        expect_refused(&a, "at byte 0: not a POSIX ustar header");

        add_file(&a, "a", "content");
        memcpy(((UstarHeader *) a.data)->size, "0000000000x", 11);
        snprintf(((UstarHeader *) a.data)->chksum, 7, "%06o",
                 (unsigned) ustar_checksum((UstarHeader *) a.data));
        add_end(&a);
        expect_refused(&a, "member 'a': the size field is not an octal number");

        /* Truncated: inside data, between members, inside the end marker; and an empty file. */
        add_file(&a, "metadata/1.root.json", "{}");
        assert_int_equal(ustar_header_make(block, "targets/big", '0', 4096, 0), 0);
        append(&a, block, sizeof(block));
        append_zeros(&a, 1000);
        expect_refused(&a,
                       "member 'targets/big': the archive ends inside its 4096 bytes of data (truncated)");
        add_file(&a, "metadata/1.root.json", "{}");
        expect_refused(&a,
                       "ends before byte 1024, after member 'metadata/1.root.json', with no end-of-archive");
        add_file(&a, "metadata/1.root.json", "{}");
        append_zeros(&a, USTAR_BLOCK_SIZE);
        expect_refused(&a, "the archive ends inside its end-of-archive marker (truncated)");
        add_file(&a, "a", "");
        append_zeros(&a, USTAR_BLOCK_SIZE);
        add_file(&a, "b", "");
        expect_refused(&a, "at byte 512: a zero block followed by more data");
        expect_refused(&a, "empty: not a ustar archive");
}

static char dir[] = "/tmp/test-ustar-XXXXXX";

static int run_shell(const char *fmt, ...) _printf_(1, 2);
static int run_shell(const char *fmt, ...) {
        _cleanup_free_ char *cmd = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&cmd, fmt, ap);
        va_end(ap);
        assert_true(r >= 0);
        return system(cmd);
}

/* GNU tar is the independent implementation: it lists what we write, and we read its ustar archives. */
static void test_gnu_tar(void **state) {
        _cleanup_(ustar_archive_freep) UstarArchive *x = NULL;
        _cleanup_free_ char *error = NULL, *listing = NULL, *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        const UstarMember *m;
        Archive a = {};
        char long_name[200];

        (void) state;
        if (run_shell("tar --version >/dev/null 2>&1") != 0)
                skip();
        assert_non_null(mkdtemp(dir));
        snprintf(long_name, sizeof(long_name), "targets/%090d/file.txt", 7);
        add_file(&a, "metadata/timestamp.json", "{\"a\": 1}\n");
        add_file(&a, long_name, "hello\n");
        add_end(&a);
        assert_true(asprintf(&path, "%s/ours.tar", dir) > 0);
        assert_int_equal(write_file_atomic(path, a.data, a.size, 0644), 0);
        free(a.data);
        assert_int_equal(
                run_shell("cd %s && tar -tf ours.tar >list.txt && mkdir x && tar -C x -xf ours.tar && "
                          "grep -qx hello x/%s",
                          dir, long_name),
                0);
        free(path);
        assert_true(asprintf(&path, "%s/list.txt", dir) > 0);
        assert_int_equal(read_full_file(path, 65536, &listing, NULL), 0);
        assert_non_null(strstr(listing, "metadata/timestamp.json"));
        assert_non_null(strstr(listing, long_name));

        assert_int_equal(
                run_shell("cd %s/x && printf 'abc' >metadata/extra && tar --format=ustar -cf ../gnu.tar "
                          "metadata targets",
                          dir),
                0);
        free(path);
        assert_true(asprintf(&path, "%s/gnu.tar", dir) > 0);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(ustar_archive_read(fd, 0, &x, &error), 0);
        m = ustar_archive_find(x, "metadata/extra");
        assert_non_null(m);
        assert_int_equal(m->size, 3);
        assert_non_null(ustar_archive_find(x, long_name));
        assert_non_null(ustar_archive_find(x, "targets"));
        assert_int_equal(run_shell("rm -rf %s", dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip), cmocka_unit_test(test_header_make),
                cmocka_unit_test(test_dot_slash),  cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_gnu_tar),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
