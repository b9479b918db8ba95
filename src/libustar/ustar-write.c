/* SPDX-License-Identifier: MIT */
/* ustar headers for bulkhead-repo's bundles and for tests: the same rules as the reader, so that what we
 * write is what we accept. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ustar-internal.h"

/* size - 1 zero-padded octal digits and a NUL. */
static int put_octal(char *field, size_t size, uint64_t v) {
        char buf[32];

        if (v > USTAR_MAX_SIZE || !snprintf_ok(buf, "%0*" PRIo64, (int) (size - 1), v) ||
            strlen(buf) != size - 1)
                return -EFBIG;
        memcpy(field, buf, size);
        return 0;
}

/* Splits name into the prefix and name fields: the name field takes what follows the leftmost '/' after
 * which the rest fits, so that the prefix is as short as it can be. */
static int put_name(UstarHeader *h, const char *name) {
        size_t n = strlen(name);

        if (n <= sizeof(h->name)) {
                memcpy(h->name, name, n);
                return 0;
        }
        for (size_t i = 0; i < n; i++) {
                if (name[i] != '/' || n - i - 1 > sizeof(h->name))
                        continue;
                if (i > sizeof(h->prefix) || i + 1 == n)
                        return -ENAMETOOLONG;
                memcpy(h->prefix, name, i);
                memcpy(h->name, name + i + 1, n - i - 1);
                return 0;
        }
        return -ENAMETOOLONG;
}

int ustar_header_make(uint8_t block[static USTAR_BLOCK_SIZE], const char *name, char type, uint64_t size,
                      uint64_t mtime) {
        UstarHeader h = {};
        int r;

        if (!ustar_name_is_safe(name) || (type != '0' && type != '5') || (type == '5' && size > 0))
                return -EINVAL;
        r = put_name(&h, name);
        if (r < 0)
                return r;
        if ((r = put_octal(h.mode, sizeof(h.mode), type == '5' ? 0755 : 0644)) < 0 ||
            (r = put_octal(h.uid, sizeof(h.uid), 0)) < 0 || (r = put_octal(h.gid, sizeof(h.gid), 0)) < 0 ||
            (r = put_octal(h.size, sizeof(h.size), size)) < 0 ||
            (r = put_octal(h.mtime, sizeof(h.mtime), mtime)) < 0)
                return r;
        h.typeflag = type;
        memcpy(h.magic, "ustar", 6);
        memcpy(h.version, "00", 2);
        memcpy(h.uname, "root", 4);
        memcpy(h.gname, "root", 4);
        /* Six digits, NUL, space: what POSIX and GNU tar write. */
        (void) put_octal(h.chksum, 7, ustar_checksum(&h));
        h.chksum[7] = ' ';
        memcpy(block, &h, sizeof(h));
        return 0;
}
