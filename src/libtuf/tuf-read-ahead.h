/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tuf-fetch.h"

/* Local fetchers read a large file a chunk ahead of the caller: a thread of its own reads chunk n + 1 (and
 * the next ones, up to TUF_READ_AHEAD_DEPTH) while the caller's thread hashes and delivers chunk n. Read one
 * after the other, each read of a root image waits for the device with the CPU idle, and on two cores that
 * wait is most of what a local apply costs beyond the hashing. */

#define TUF_READ_AHEAD_DEPTH 4

/* Reads up to size bytes into buf (4096-aligned, for direct reads): the count, 0 at the end, or -errno. */
typedef ssize_t (*TufReadChunk)(void *buf, size_t size, void *userdata);

/* Reads a file of about size bytes (it may turn out longer or shorter) with read until that returns 0, and
 * delivers it to sink in order, in chunks of TUF_FETCH_CHUNK or the size if less (metadata's few KiB in one
 * read). A file of more than one chunk is read ahead on a thread (inline where no thread can be started);
 * a smaller one is not worth a thread: one read, then its delivery. Returns 0 at the end, the sink's error
 * (reading stops), or the read's error once every chunk read before it was delivered. */
int tuf_read_chunks(TufReadChunk read, void *read_userdata, uint64_t size, TufSink sink,
                    void *sink_userdata);
