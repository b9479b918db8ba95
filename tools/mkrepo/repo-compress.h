/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "repo-target.h"

/* A streaming compressor over libzstd or liblzma (or a plain copy): feed input, get output through
 * emit. */
typedef int (*CompressEmit)(const void *data, size_t size, void *userdata);
typedef struct Compressor Compressor;

int compressor_new(Compression c, CompressEmit emit, void *userdata, Compressor **ret);
/* Compresses size bytes of data; size 0 with finish flushes the end of the stream. */
int compressor_feed(Compressor *z, const void *data, size_t size, bool finish);
Compressor *compressor_free(Compressor *z);
DEFINE_TRIVIAL_CLEANUP_FUNC(Compressor *, compressor_free);
