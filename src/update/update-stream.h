/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "macro.h"
#include "verity.h"

/* Streams a download into a partition: decompresses (lz4, zstd, xz or nothing) and writes the result at
 * offset of fd, hashing the uncompressed bytes as they pass: their sha256, their dm-verity tree, or both.
 * Threads of their own decompress, hash, write and read back while the caller's thread downloads (see
 * update-stream.c). Nothing is buffered beyond one decompressor window and the slots between the stages
 * (16 MiB: 4 of input, 8 of output, 4 for the read-back), so a root image of any size costs the same memory
 * (and the tree, 1/128 of it, and a CRC-32C per MiB for the read-back). */

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

typedef struct UpdateWriterOptions {
        /* Also build this dm-verity tree of what is written (its data blocks from the start of the
         * stream) into tree_fd (borrowed), as verity_format() would from the written bytes. */
        const VerityParams *tree;
        int tree_fd;
        /* The tree covers every byte: the sha256 of the whole stream would add no check. */
        bool no_sha256;
        /* Read back what is written directly as soon as it is written, on a thread of its own, for
         * update_writer_read_back(UPDATE_READ_BACK_DIRECT) to report. */
        bool read_back_early;
} UpdateWriterOptions;

/* A writer of at most limit uncompressed bytes at offset of fd (borrowed), with its worker thread; o may be
 * NULL (the sha256 only). Freeing a writer that was not finished drops what is still queued. */
int update_writer_new(int fd, uint64_t offset, uint64_t limit, UpdateCompression c,
                      const UpdateWriterOptions *o, UpdateWriter **ret);
UpdateWriter *update_writer_free(UpdateWriter *w);
DEFINE_TRIVIAL_CLEANUP_FUNC(UpdateWriter *, update_writer_free);

/* A TufSink: feeds compressed bytes. -EFBIG once the output would pass the limit, -EBADMSG for data the
 * decompressor refuses. The decompressor runs behind the caller: such an error may also come from a later
 * call, or from update_writer_finish(). */
int update_writer_sink(const void *data, size_t size, void *userdata);

typedef struct UpdateWritten {
        uint64_t length; /* uncompressed bytes written */
        bool has_sha256, has_root_hash;
        uint8_t sha256[32];
        uint8_t root_hash[VERITY_DIGEST_SIZE]; /* of the tree, which is complete in tree_fd */
} UpdateWritten;

/* Ends the stream: -ENODATA if the compressed data stopped mid-frame; else waits until every byte has
 * been decompressed and written (an error of either is returned here or by an earlier sink call). Returns
 * the uncompressed length and what was asked for of its hashes: no root hash if the stream ended before
 * the last block of the tree. */
int update_writer_finish(UpdateWriter *w, UpdateWritten *ret);

typedef enum UpdateReadBack {
        UPDATE_READ_BACK_DIRECT = 1 << 0,   /* what was written with O_DIRECT: needs no fsync first */
        UPDATE_READ_BACK_BUFFERED = 1 << 1, /* what went through the page cache: only after an fsync */
        UPDATE_READ_BACK_ALL = UPDATE_READ_BACK_DIRECT | UPDATE_READ_BACK_BUFFERED,
} UpdateReadBack;

/* After update_writer_finish(): what was written, read back from the device (around the page cache, or with
 * the range dropped from it first) and checked against the CRC-32C of what was written there, a MiB at a
 * time. -EIO, with the offset of the first MiB that differs, for a write the device dropped or put
 * elsewhere, or another writer. */
int update_writer_read_back(UpdateWriter *w, UpdateReadBack which, uint64_t *ret_offset);
