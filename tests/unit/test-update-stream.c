/* SPDX-License-Identifier: MIT */
/* The update agent's partition writer: what it writes, where, its sha256 and its verity tree, for each
 * compression and for feeds of every size across its slot boundaries; its bound; truncated streams; write
 * errors from its worker thread; the read-back, which must find a byte changed after the write. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "update-stream.h"

#if HAVE_LZ4
#include <lz4frame.h>
#endif
#if HAVE_ZSTD
#include <zstd.h>
#endif
#if HAVE_XZ
#include <lzma.h>
#endif

#define OFFSET 4096
/* Not a multiple of the writer's 1 MiB slots, and past its four of them. */
#define DATA_SIZE (5 * 1024 * 1024 + 12345)

/* Compressible but not trivially: runs of a counter with bytes of noise. */
static uint8_t *make_data(size_t size) {
        uint8_t *d = malloc(size);
        uint32_t x = 2463534242u;

        assert_non_null(d);
        for (size_t i = 0; i < size; i++) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                d[i] = (i / 64) % 7 == 0 ? (uint8_t) x : (uint8_t) (i / 4096);
        }
        return d;
}

static void sha256(const uint8_t *d, size_t size, uint8_t out[32]) {
        unsigned n = 0;

        assert_int_equal(EVP_Digest(d, size, out, &n, EVP_sha256(), NULL), 1);
}

static int new_target(size_t size) {
        int fd = memfd_create("update-stream-test", MFD_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, (off_t) size), 0);
        return fd;
}

/* Feeds src in chunks of `chunk` bytes; returns the first error of the sink or of finish. */
static int feed(UpdateWriter *w, const uint8_t *src, size_t size, size_t chunk, UpdateWritten *ret) {
        for (size_t done = 0; done < size;) {
                size_t n = MIN(chunk, size - done);
                int r = update_writer_sink(src + done, n, w);

                if (r < 0)
                        return r;
                done += n;
        }
        return update_writer_finish(w, ret);
}

/* The tree of the first `blocks` 4 KiB blocks of data, by libverity from the data in a file. */
static void reference_tree(const uint8_t *data, const VerityParams *p, uint8_t ret_root[32], int *ret_fd) {
        _cleanup_close_ int dfd = new_target(0);
        int hfd = new_target(0);

        assert_int_equal(pwrite_full(dfd, data, p->data_blocks * p->data_block_size, 0), 0);
        assert_int_equal(verity_format(dfd, hfd, p, ret_root), 0);
        *ret_fd = hfd;
}

static void tree_params(VerityParams *p, uint64_t blocks) {
        verity_params_init(p);
        p->data_blocks = blocks;
        p->salt_size = 2;
        p->salt[0] = 0xab;
}

/* Writes data (compressed as src) through a writer and checks the partition and the digest; with
 * tree_blocks, the verity tree of that many blocks too (and no sha256 when they cover all of data). */
static void round_trip_tree(UpdateCompression c, const uint8_t *src, size_t src_size, const uint8_t *data,
                            size_t size, size_t chunk, uint64_t tree_blocks) {
        _cleanup_close_ int fd = new_target(OFFSET + size + 4096), tree_fd = new_target(0), ref_fd = -EBADF;
        _cleanup_free_ uint8_t *back = malloc(size), *a = NULL, *b = NULL;
        UpdateWriter *w = NULL;
        UpdateWritten got;
        uint8_t want[32], zero[4096] = {}, tail[4096], ref_root[32];
        uint64_t at = 0, hash_size = 0;
        VerityParams p;
        UpdateWriterOptions o = { .tree = tree_blocks ? &p : NULL,
                                  .tree_fd = tree_fd,
                                  .no_sha256 = tree_blocks * 4096 == size };

        assert_non_null(back);
        tree_params(&p, tree_blocks);
        assert_int_equal(update_writer_new(fd, OFFSET, size, c, &o, &w), 0);
        assert_int_equal(feed(w, src, src_size, chunk, &got), 0);
        assert_int_equal(got.length, size);
        sha256(data, size, want);
        assert_int_equal(got.has_sha256, !o.no_sha256);
        if (got.has_sha256)
                assert_memory_equal(got.sha256, want, 32);
        assert_int_equal(got.has_root_hash, tree_blocks > 0);
        if (tree_blocks > 0) {
                reference_tree(data, &p, ref_root, &ref_fd);
                assert_memory_equal(got.root_hash, ref_root, 32);
                assert_int_equal(verity_hash_size(&p, &hash_size), 0);
                a = malloc(hash_size);
                b = malloc(hash_size);
                assert_true(a && b);
                assert_int_equal(pread_full(tree_fd, a, hash_size, 0), 0);
                assert_int_equal(pread_full(ref_fd, b, hash_size, 0), 0);
                assert_memory_equal(a, b, hash_size);
        }
        assert_int_equal(update_writer_read_back(w, UPDATE_READ_BACK_ALL, &at), 0);
        w = update_writer_free(w);
        assert_int_equal(pread_full(fd, back, size, OFFSET), 0);
        assert_memory_equal(back, data, size);
        assert_int_equal(pread_full(fd, tail, sizeof(tail), (off_t) (OFFSET + size)), 0);
        assert_memory_equal(tail, zero, sizeof(tail));
}

static void round_trip(UpdateCompression c, const uint8_t *src, size_t src_size, const uint8_t *data,
                       size_t size, size_t chunk) {
        round_trip_tree(c, src, src_size, data, size, chunk, 0);
}

/* Feed sizes; a byte at a time is in the tests of each compression, on less data. */
static const size_t chunks[] = { 4095, 65536, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 };

static void uncompressed(void **state) {
        _cleanup_free_ uint8_t *data = make_data(DATA_SIZE);

        for (size_t i = 0; i < ELEMENTSOF(chunks); i++)
                round_trip(UPDATE_COMPRESSION_NONE, data, DATA_SIZE, data, DATA_SIZE, chunks[i]);
}

#if HAVE_ZSTD
static uint8_t *zstd_compress(const uint8_t *data, size_t size, size_t *ret_size) {
        size_t bound = ZSTD_compressBound(size), n;
        uint8_t *z = malloc(bound);

        assert_non_null(z);
        n = ZSTD_compress(z, bound, data, size, 3);
        assert_false(ZSTD_isError(n));
        *ret_size = n;
        return z;
}
#endif

static void zstd(void **state) {
#if HAVE_ZSTD
        _cleanup_free_ uint8_t *data = make_data(DATA_SIZE), *z = NULL, *two = NULL;
        size_t zsize, half = DATA_SIZE / 2, za, zb;
        _cleanup_free_ uint8_t *a = NULL, *b = NULL;

        z = zstd_compress(data, 100000, &zsize);
        round_trip(UPDATE_COMPRESSION_ZSTD, z, zsize, data, 100000, 1);
        free(z);
        z = zstd_compress(data, DATA_SIZE, &zsize);
        for (size_t i = 0; i < ELEMENTSOF(chunks); i++)
                round_trip(UPDATE_COMPRESSION_ZSTD, z, zsize, data, DATA_SIZE, chunks[i]);
        /* Two frames one after the other decompress to the two halves in order. */
        a = zstd_compress(data, half, &za);
        b = zstd_compress(data + half, DATA_SIZE - half, &zb);
        two = malloc(za + zb);
        assert_non_null(two);
        memcpy(two, a, za);
        memcpy(two + za, b, zb);
        round_trip(UPDATE_COMPRESSION_ZSTD, two, za + zb, data, DATA_SIZE, 65536);
        /* A frame whose output ends exactly on a slot boundary. */
        free(z);
        z = zstd_compress(data, 4 * 1024 * 1024, &zsize);
        round_trip(UPDATE_COMPRESSION_ZSTD, z, zsize, data, 4 * 1024 * 1024, zsize);
#else
        skip();
#endif
}

static void xz(void **state) {
#if HAVE_XZ
        _cleanup_free_ uint8_t *data = make_data(DATA_SIZE), *x = malloc(DATA_SIZE + 65536);
        size_t xsize = 0;

        assert_non_null(x);
        assert_int_equal(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, data, DATA_SIZE, x, &xsize,
                                                 DATA_SIZE + 65536),
                         LZMA_OK);
        for (size_t i = 0; i < ELEMENTSOF(chunks); i++)
                round_trip(UPDATE_COMPRESSION_XZ, x, xsize, data, DATA_SIZE, chunks[i]);
        xsize = 0; /* lzma appends at xsize */
        assert_int_equal(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, data, 100000, x, &xsize,
                                                 DATA_SIZE + 65536),
                         LZMA_OK);
        round_trip(UPDATE_COMPRESSION_XZ, x, xsize, data, 100000, 1);
#else
        skip();
#endif
}

#if HAVE_LZ4
static uint8_t *lz4_compress(const uint8_t *data, size_t size, size_t *ret_size) {
        LZ4F_preferences_t prefs = { .frameInfo = { .blockSizeID = LZ4F_max256KB,
                                                    .contentChecksumFlag = LZ4F_contentChecksumEnabled },
                                     .compressionLevel = 9 };
        size_t bound = LZ4F_compressFrameBound(size, &prefs), n;
        uint8_t *z = malloc(bound);

        assert_non_null(z);
        n = LZ4F_compressFrame(z, bound, data, size, &prefs);
        assert_false(LZ4F_isError(n));
        *ret_size = n;
        return z;
}
#endif

/* lz4 frames, as bulkhead-repo publishes the root: whole, two in a row, a byte at a time; a frame cut
 * short is -ENODATA, one with a byte changed (its content checksum) -EBADMSG. */
static void lz4(void **state) {
#if HAVE_LZ4
        _cleanup_free_ uint8_t *data = make_data(DATA_SIZE), *z = NULL, *a = NULL, *b = NULL, *two = NULL;
        size_t zsize, half = DATA_SIZE / 2 + 3, za, zb;
        _cleanup_close_ int fd = new_target(OFFSET + DATA_SIZE);
        UpdateWriter *w = NULL;
        UpdateWritten got;

        z = lz4_compress(data, 100000, &zsize);
        round_trip(UPDATE_COMPRESSION_LZ4, z, zsize, data, 100000, 1);
        free(z);
        z = lz4_compress(data, DATA_SIZE, &zsize);
        for (size_t i = 0; i < ELEMENTSOF(chunks); i++)
                round_trip(UPDATE_COMPRESSION_LZ4, z, zsize, data, DATA_SIZE, chunks[i]);
        a = lz4_compress(data, half, &za);
        b = lz4_compress(data + half, DATA_SIZE - half, &zb);
        two = malloc(za + zb);
        assert_non_null(two);
        memcpy(two, a, za);
        memcpy(two + za, b, zb);
        round_trip(UPDATE_COMPRESSION_LZ4, two, za + zb, data, DATA_SIZE, 65536);

        assert_int_equal(update_writer_new(fd, OFFSET, DATA_SIZE, UPDATE_COMPRESSION_LZ4, NULL, &w), 0);
        assert_int_equal(feed(w, z, zsize - 10, 65536, &got), -ENODATA);
        w = update_writer_free(w);
        z[zsize - 2] ^= 0x40; /* the frame's content checksum */
        assert_int_equal(update_writer_new(fd, OFFSET, DATA_SIZE, UPDATE_COMPRESSION_LZ4, NULL, &w), 0);
        assert_int_equal(feed(w, z, zsize, 65536, &got), -EBADMSG);
        w = update_writer_free(w);
#else
        skip();
#endif
}

/* The tree built as the bytes are written is verity_format's tree of them: covering all of the data (no
 * sha256 then), or a part of it (both), across slot boundaries and feeds that split blocks. */
static void tree(void **state) {
        const size_t size = 5 * 1024 * 1024 + 3 * 4096; /* past the slots, in whole blocks */
        _cleanup_free_ uint8_t *data = make_data(size);

        round_trip_tree(UPDATE_COMPRESSION_NONE, data, size, data, size, 65536 + 7, size / 4096);
        round_trip_tree(UPDATE_COMPRESSION_NONE, data, size, data, size, 1024 * 1024, size / 4096 - 5);
        round_trip_tree(UPDATE_COMPRESSION_NONE, data, 4096, data, 4096, 1, 1);
#if HAVE_ZSTD
        size_t zsize;
        _cleanup_free_ uint8_t *z = zstd_compress(data, size, &zsize);

        round_trip_tree(UPDATE_COMPRESSION_ZSTD, z, zsize, data, size, 4095, size / 4096);
#endif
}

/* A stream shorter than the tree's data blocks has no tree. */
static void tree_short(void **state) {
        _cleanup_free_ uint8_t *data = make_data(DATA_SIZE);
        _cleanup_close_ int fd = new_target(OFFSET + DATA_SIZE), tree_fd = new_target(0);
        UpdateWriter *w = NULL;
        UpdateWritten got;
        VerityParams p;

        tree_params(&p, DATA_SIZE / 4096 + 1);
        assert_int_equal(update_writer_new(fd, OFFSET, DATA_SIZE, UPDATE_COMPRESSION_NONE,
                                           &(UpdateWriterOptions){ .tree = &p, .tree_fd = tree_fd }, &w),
                         0);
        assert_int_equal(feed(w, data, DATA_SIZE, 65536, &got), 0);
        assert_false(got.has_root_hash);
        assert_int_equal(got.length, DATA_SIZE);
        w = update_writer_free(w);
}

/* A file of size bytes on a disk file system (/var/tmp, where direct I/O works), already unlinked. */
static int new_disk_target(size_t size) {
        char path[] = "/var/tmp/test-update-stream-XXXXXX";
        int fd = mkostemp(path, O_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(ftruncate(fd, (off_t) size), 0);
        return fd;
}

/* On a file system with direct I/O (the writer writes whole slots around the page cache there, and the
 * unaligned tail through it): the same bytes land, and a byte changed afterwards through the page cache is
 * still found by the read-back. */
static void on_disk(void **state) {
        const size_t size = 3 * 1024 * 1024 + 4096 + 100;
        _cleanup_free_ uint8_t *data = make_data(size), *back = malloc(size);
        _cleanup_close_ int fd = new_disk_target(OFFSET + size);
        UpdateWriter *w = NULL;
        UpdateWritten got;
        uint64_t where = UINT64_MAX;
        uint8_t x;

        assert_non_null(back);
        assert_int_equal(update_writer_new(fd, OFFSET, size, UPDATE_COMPRESSION_NONE, NULL, &w), 0);
        assert_int_equal(feed(w, data, size, 65536 + 1, &got), 0);
        assert_int_equal(fsync(fd), 0);
        assert_int_equal(update_writer_read_back(w, UPDATE_READ_BACK_ALL, &where), 0);
        assert_int_equal(pread_full(fd, back, size, OFFSET), 0);
        assert_memory_equal(back, data, size);
        /* A byte of a whole slot, written directly: the direct part finds it, the buffered tail is fine. */
        x = data[2 * 1024 * 1024 + 5] ^ 1;
        assert_int_equal(pwrite_full(fd, &x, 1, OFFSET + 2 * 1024 * 1024 + 5), 0);
        assert_int_equal(fsync(fd), 0);
        assert_int_equal(update_writer_read_back(w, UPDATE_READ_BACK_DIRECT, &where), -EIO);
        assert_int_equal(where, 2 * 1024 * 1024);
        assert_int_equal(update_writer_read_back(w, UPDATE_READ_BACK_BUFFERED, &where), 0);
        assert_int_equal(update_writer_read_back(w, UPDATE_READ_BACK_ALL, &where), -EIO);
        assert_int_equal(where, 2 * 1024 * 1024);
        /* The last byte, in the unaligned tail: the other way round. */
        x = data[size - 1] ^ 1;
        assert_int_equal(pwrite_full(fd, &data[2 * 1024 * 1024 + 5], 1, OFFSET + 2 * 1024 * 1024 + 5), 0);
        assert_int_equal(pwrite_full(fd, &x, 1, (off_t) (OFFSET + size - 1)), 0);
        assert_int_equal(fsync(fd), 0);
        assert_int_equal(update_writer_read_back(w, UPDATE_READ_BACK_DIRECT, &where), 0);
        assert_int_equal(update_writer_read_back(w, UPDATE_READ_BACK_BUFFERED, &where), -EIO);
        assert_int_equal(where, 3 * 1024 * 1024);
        assert_int_equal(update_writer_read_back(w, UPDATE_READ_BACK_ALL, &where), -EIO);
        assert_int_equal(where, 3 * 1024 * 1024);
        w = update_writer_free(w);
}

/* With the read-back of direct writes made while the stream is written (more slots than the queue holds,
 * so that the reader runs beside the writer): the same bytes land, the read-back reports them good, and a
 * byte changed afterwards in the unaligned tail (written through the page cache, read back after the
 * flush) is still found. */
static void on_disk_early(void **state) {
        const size_t size = 11 * 1024 * 1024 + 4096 + 100;
        _cleanup_free_ uint8_t *data = make_data(size), *back = malloc(size);
        _cleanup_close_ int fd = new_disk_target(OFFSET + size);
        UpdateWriter *w = NULL;
        UpdateWritten got;
        uint64_t where = UINT64_MAX;
        uint8_t x;

        assert_non_null(back);
        assert_int_equal(update_writer_new(fd, OFFSET, size, UPDATE_COMPRESSION_NONE,
                                           &(UpdateWriterOptions){ .read_back_early = true }, &w),
                         0);
        assert_int_equal(feed(w, data, size, 65536 + 1, &got), 0);
        assert_int_equal(got.length, size);
        assert_int_equal(fsync(fd), 0);
        assert_int_equal(update_writer_read_back(w, UPDATE_READ_BACK_ALL, &where), 0);
        assert_int_equal(pread_full(fd, back, size, OFFSET), 0);
        assert_memory_equal(back, data, size);
        x = data[size - 1] ^ 1;
        assert_int_equal(pwrite_full(fd, &x, 1, (off_t) (OFFSET + size - 1)), 0);
        assert_int_equal(fsync(fd), 0);
        assert_int_equal(update_writer_read_back(w, UPDATE_READ_BACK_BUFFERED, &where), -EIO);
        assert_int_equal(where, 11 * 1024 * 1024);
        w = update_writer_free(w);
}

/* Abandoned with the reader running: every thread stops, nothing hangs. */
static void abandoned_early(void **state) {
        _cleanup_free_ uint8_t *data = make_data(DATA_SIZE);
        _cleanup_close_ int fd = new_disk_target(OFFSET + DATA_SIZE);
        UpdateWriter *w = NULL;

        assert_int_equal(update_writer_new(fd, OFFSET, DATA_SIZE, UPDATE_COMPRESSION_NONE,
                                           &(UpdateWriterOptions){ .read_back_early = true }, &w),
                         0);
        assert_int_equal(update_writer_sink(data, DATA_SIZE / 2, w), 0);
        w = update_writer_free(w);
        assert_null(w);
}

/* What the partition holds after the write, changed in one byte or with a MiB of it lost: the read-back
 * says where. */
static void read_back(void **state) {
        const size_t at[] = { 0, 1024 * 1024 + 4095, DATA_SIZE - 1 };
        _cleanup_free_ uint8_t *data = make_data(DATA_SIZE), *zero = calloc(1, 1024 * 1024);

        assert_non_null(zero);
        for (size_t i = 0; i < ELEMENTSOF(at) + 1; i++) {
                _cleanup_close_ int fd = new_target(OFFSET + DATA_SIZE);
                UpdateWriter *w = NULL;
                UpdateWritten got;
                uint64_t where = UINT64_MAX;

                assert_int_equal(update_writer_new(fd, OFFSET, DATA_SIZE, UPDATE_COMPRESSION_NONE, NULL, &w),
                                 0);
                assert_int_equal(feed(w, data, DATA_SIZE, 65536, &got), 0);
                assert_int_equal(update_writer_read_back(w, UPDATE_READ_BACK_ALL, &where), 0);
                if (i < ELEMENTSOF(at)) {
                        uint8_t x = data[at[i]] ^ 0x20;

                        assert_int_equal(pwrite_full(fd, &x, 1, (off_t) (OFFSET + at[i])), 0);
                        assert_int_equal(update_writer_read_back(w, UPDATE_READ_BACK_ALL, &where), -EIO);
                        assert_int_equal(where, at[i] / (1024 * 1024) * (1024 * 1024));
                } else {
                        /* A dropped write: the third MiB still holds what was there before. */
                        assert_int_equal(pwrite_full(fd, zero, 1024 * 1024, OFFSET + 2 * 1024 * 1024), 0);
                        assert_int_equal(update_writer_read_back(w, UPDATE_READ_BACK_ALL, &where), -EIO);
                        assert_int_equal(where, 2 * 1024 * 1024);
                }
                w = update_writer_free(w);
        }
}

/* More bytes than the limit: -EFBIG, and nothing written past the limit. */
static void over_limit(void **state) {
        _cleanup_free_ uint8_t *data = make_data(DATA_SIZE), *back = malloc(DATA_SIZE);
        _cleanup_close_ int fd = new_target(OFFSET + DATA_SIZE);
        const size_t limit = 2 * 1024 * 1024 + 100;
        UpdateWriter *w = NULL;
        UpdateWritten got;
        size_t zeros = 0;

        assert_non_null(back);
        assert_int_equal(update_writer_new(fd, OFFSET, limit, UPDATE_COMPRESSION_NONE, NULL, &w), 0);
        assert_int_equal(feed(w, data, DATA_SIZE, 65536, &got), -EFBIG);
        w = update_writer_free(w);
        assert_int_equal(pread_full(fd, back, DATA_SIZE - limit, (off_t) (OFFSET + limit)), 0);
        for (size_t i = 0; i < DATA_SIZE - limit; i++)
                zeros += back[i] == 0;
        assert_int_equal(zeros, DATA_SIZE - limit);
}

static void truncated(void **state) {
#if HAVE_ZSTD
        _cleanup_free_ uint8_t *data = make_data(DATA_SIZE), *z = NULL;
        _cleanup_close_ int fd = new_target(OFFSET + DATA_SIZE);
        UpdateWriter *w = NULL;
        UpdateWritten got;
        size_t zsize;

        z = zstd_compress(data, DATA_SIZE, &zsize);
        assert_int_equal(update_writer_new(fd, OFFSET, DATA_SIZE, UPDATE_COMPRESSION_ZSTD, NULL, &w), 0);
        assert_int_equal(feed(w, z, zsize - 10, 65536, &got), -ENODATA);
        w = update_writer_free(w);
#else
        skip();
#endif
}

/* The worker's write error reaches the caller: from the sink or at the latest from finish. */
static void write_error(void **state) {
        _cleanup_free_ uint8_t *data = make_data(DATA_SIZE);
        _cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        UpdateWriter *w = NULL;
        UpdateWritten got;

        assert_true(fd >= 0);
        assert_int_equal(update_writer_new(fd, 0, DATA_SIZE, UPDATE_COMPRESSION_NONE, NULL, &w), 0);
        assert_int_equal(feed(w, data, DATA_SIZE, 65536, &got), -EBADF);
        w = update_writer_free(w);
}

/* A writer dropped mid-stream stops its worker. */
static void abandoned(void **state) {
        _cleanup_free_ uint8_t *data = make_data(DATA_SIZE);
        _cleanup_close_ int fd = new_target(OFFSET + DATA_SIZE);
        UpdateWriter *w = NULL;

        assert_int_equal(update_writer_new(fd, OFFSET, DATA_SIZE, UPDATE_COMPRESSION_NONE, NULL, &w), 0);
        assert_int_equal(update_writer_sink(data, 3 * 1024 * 1024 + 5, w), 0);
        w = update_writer_free(w);
        assert_null(w);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(uncompressed),
                cmocka_unit_test(zstd),
                cmocka_unit_test(xz),
                cmocka_unit_test(lz4),
                cmocka_unit_test(over_limit),
                cmocka_unit_test(truncated),
                cmocka_unit_test(write_error),
                cmocka_unit_test(abandoned),
                cmocka_unit_test(tree),
                cmocka_unit_test(tree_short),
                cmocka_unit_test(read_back),
                cmocka_unit_test(on_disk),
                cmocka_unit_test(on_disk_early),
                cmocka_unit_test(abandoned_early),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
