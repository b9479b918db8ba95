/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "macro.h"

/* Streams a download into a partition: decompresses (lz4, zstd, xz or nothing) and writes the result at
 * offset of fd, hashing the uncompressed bytes as they pass. A worker thread hashes and writes while the
 * caller's thread downloads and decompresses. Nothing is buffered beyond one decompressor window and four
 * 1 MiB slots between the two threads, so a root image of any size costs the same memory. */

typedef enum UpdateCompression {
        UPDATE_COMPRESSION_NONE,
        UPDATE_COMPRESSION_ZSTD,
        UPDATE_COMPRESSION_XZ,
        UPDATE_COMPRESSION_LZ4,
} UpdateCompression;

/* "lz4", "zstd", "xz", or NULL for none. -EOPNOTSUPP for another name or one this build cannot decompress.
 */
int update_compression_parse(const char *name, UpdateCompression *ret);

typedef struct UpdateWriter UpdateWriter;

/* A writer of at most limit uncompressed bytes at offset of fd (borrowed), with its worker thread.
 * Freeing a writer that was not finished drops what is still queued. */
int update_writer_new(int fd, uint64_t offset, uint64_t limit, UpdateCompression c, UpdateWriter **ret);
UpdateWriter *update_writer_free(UpdateWriter *w);
DEFINE_TRIVIAL_CLEANUP_FUNC(UpdateWriter *, update_writer_free);

/* A TufSink: feeds compressed bytes. -EFBIG once the output would pass the limit, -EBADMSG for data the
 * decompressor refuses. */
int update_writer_sink(const void *data, size_t size, void *userdata);

/* Ends the stream: -EBADMSG if the compressed data stopped mid-frame; else waits until every byte has
 * been written (a write error is returned here or by an earlier sink call). Returns the uncompressed
 * length and its sha256. */
int update_writer_finish(UpdateWriter *w, uint64_t *ret_length, uint8_t ret_sha256[32]);

/* The sha256 of length bytes at offset of fd, read back from the device. */
int update_range_sha256(int fd, uint64_t offset, uint64_t length, uint8_t ret[32]);
