/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tuf-fetch.h"

/* Local fetchers read a large file a chunk ahead of the caller: a thread of its own reads chunk n + 1 (and
 * the next ones, up to TUF_READ_AHEAD_DEPTH) while the caller's thread hashes and delivers chunk n. Read one
 * after the other, each read of a root image waits for the device with the CPU idle, and on two cores that
 * wait is most of what a local apply costs beyond the hashing. */

#define TUF_READ_AHEAD_DEPTH 4

/* Reads up to size bytes into buf (4096-aligned, for direct reads): the count, 0 at the end, or -errno. */
typedef ssize_t (*TufReadChunk)(void *buf, size_t size, void *userdata);

/* Reads chunks of up to chunk bytes with read until it returns 0, and delivers each to sink in order. With
 * ahead, the reading runs ahead on a thread (inline where no thread can be started); without, one read,
 * then its delivery (a file of a chunk or two is not worth a thread). Returns 0 at the end, the sink's error
 * (reading stops), or the read's error once every chunk read before it was delivered. */
int tuf_read_chunks(TufReadChunk read, void *read_userdata, size_t chunk, bool ahead, TufSink sink,
                    void *sink_userdata);
