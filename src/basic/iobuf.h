/* SPDX-License-Identifier: MIT */
#pragma once

#include <errno.h>
#include <stddef.h>

/* Buffers of a few MiB that stream data through a device (slots of the update pipeline, read-ahead rings):
 * zeroed, aligned to 2 MiB (so to any block size a direct read or write wants), and backed by transparent
 * huge pages where the kernel has them (madvise mode, as Debian's kernel ships). Each 4 KiB page of a plain
 * allocation costs a page fault when first touched; in a virtual machine a fault costs several µs, and the
 * thousands of them in an update's buffers took as long as decompressing a tenth of its image. NULL (and
 * errno) on failure. */
void *iobuf_alloc(size_t size);
void iobuf_free(void *p, size_t size);

/* A buffer that remembers its size, for _cleanup_(iobuf_done) in a function that needs one for a while. */
typedef struct IoBuf {
        void *data;
        size_t size;
} IoBuf;

static inline int iobuf_get(IoBuf *b, size_t size) {
        b->data = iobuf_alloc(size);
        b->size = size;
        return b->data ? 0 : -ENOMEM;
}

static inline void iobuf_done(IoBuf *b) {
        iobuf_free(b->data, b->size);
        b->data = NULL;
}
