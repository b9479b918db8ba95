/* SPDX-License-Identifier: MIT */
/* The ustar reader on arbitrary archive contents (an update bundle is untrusted until libtuf has checked
 * what is read from it): it must refuse or index, never read out of bounds or leak. */
#include <stdint.h>
#include <sys/mman.h>

#include "macro.h"
#include "ustar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_close_ int fd = memfd_create("fuzz-ustar", MFD_CLOEXEC);
        UstarArchive *a = NULL;
        char *error = NULL;

        if (fd < 0 || size > (4 << 20))
                return 0;
        if (write(fd, data, size) != (ssize_t) size)
                return 0;
        if (ustar_archive_read(fd, 256, &a, &error) >= 0) {
                for (size_t i = 0; i < a->n_members; i++)
                        if (ustar_archive_find(a, a->members[i].name) != &a->members[i] ||
                            a->members[i].offset + a->members[i].size > size)
                                __builtin_trap();
                ustar_archive_free(a);
        }
        free(error);
        return 0;
}
