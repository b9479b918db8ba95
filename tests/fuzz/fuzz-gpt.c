/* SPDX-License-Identifier: MIT */
/* The GPT reader on arbitrary disk contents: it must refuse or accept, never read out of bounds. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#include "gpt.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_close_ int fd = memfd_create("fuzz-gpt", MFD_CLOEXEC);
        GptTable t;
        bool backup;

        if (fd < 0 || size > (4 << 20))
                return 0;
        if (write(fd, data, size) != (ssize_t) size)
                return 0;
        (void) gpt_read(fd, size, &t, &backup);
        return 0;
}
