/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <sys/mman.h>

#include "iobuf.h"
#include "macro.h"

#define HUGE_PAGE (2u * 1024 * 1024)

void *iobuf_alloc(size_t size) {
        size_t mapped, lead;
        uint8_t *p;

        if (size == 0 || size > SIZE_MAX - 2 * HUGE_PAGE)
                return errno = EINVAL, NULL;
        size = ALIGN_TO(size, HUGE_PAGE);
        /* mmap aligns only to 4 KiB: map a huge page more and trim both ends to the aligned part. */
        mapped = size + HUGE_PAGE;
        p = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return NULL;
        lead = (size_t) (ALIGN_TO((uintptr_t) p, HUGE_PAGE) - (uintptr_t) p);
        if (lead > 0)
                (void) munmap(p, lead);
        if (mapped - lead > size)
                (void) munmap(p + lead + size, mapped - lead - size);
        /* A hint: without huge pages, the buffer works the same, only with more faults. */
        (void) madvise(p + lead, size, MADV_HUGEPAGE);
        return p + lead;
}

void iobuf_free(void *p, size_t size) {
        if (p)
                (void) munmap(p, ALIGN_TO(size, HUGE_PAGE));
}
