/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "repo.h"

typedef enum Compression {
        COMPRESSION_NONE,
        COMPRESSION_ZSTD,
        COMPRESSION_XZ,
        COMPRESSION_LZ4,
} Compression;

/* "none", "zstd", "xz" → c; -EOPNOTSUPP for a method this build lacks, -EINVAL for an unknown one. */
int compression_from_string(const char *s, Compression *ret);
/* The file name suffix of c: "", ".zst", ".xz". */
const char *compression_suffix(Compression c);
const char *compression_name(Compression c);
/* What to use when nothing is said: zstd where the build has it, else xz, else none. */
Compression compression_default(void);

/* What was stored: the target file as clients fetch it, and its input before compression. */
typedef struct StoredTarget {
        uint64_t length, input_length;
        char sha256[65], input_sha256[65];
} StoredTarget;

/* Copies (compressing with c) the file src into the repository's targets directory as target path, via a
 * temporary file, fsync and rename; with consistent snapshots as DIR/HASH.NAME. A path that already holds
 * different content is refused (-EEXIST): published targets are never rewritten. */
int repo_store_target(const Repo *r, const char *src, const char *path, Compression c, StoredTarget *ret);

/* Stores data (in memory) the same way, uncompressed, replacing what the path held: for the manifest,
 * which without consistent snapshots keeps one name across versions. */
int repo_store_target_data(const Repo *r, const void *data, size_t size, const char *path,
                           StoredTarget *ret);

/* The file name under targets/ at which target path with sha256 is stored (consistent: DIR/HASH.NAME). */
int repo_target_file(const Repo *r, const char *path, const char *sha256, char **ret);
