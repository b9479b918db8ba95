/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cpio.h"

static int put(CpioWriter *w, const void *data, size_t n) {
        if (n && fwrite(data, 1, n, w->f) != n)
                return -EIO;
        w->offset += n;
        return 0;
}

static int pad4(CpioWriter *w) {
        static const char zeros[4];
        return put(w, zeros, (4 - w->offset % 4) % 4);
}

static int entry(CpioWriter *w, const char *path, uint32_t mode, const void *data, size_t size,
                 unsigned rmajor, unsigned rminor) {
        char header[128];
        size_t namesize = strlen(path) + 1;
        int r;

        /* newc: magic, then 13 eight-digit hex fields; the name follows and is padded to 4 bytes. */
        snprintf(header, sizeof(header), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                 (unsigned) w->next_ino++, (unsigned) mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u,
                 (unsigned) size, 0u, 0u, rmajor, rminor, (unsigned) namesize, 0u);
        r = put(w, header, 110);
        if (r >= 0)
                r = put(w, path, namesize);
        if (r >= 0)
                r = pad4(w);
        if (r >= 0)
                r = put(w, data, size);
        if (r >= 0)
                r = pad4(w);
        return r;
}

int cpio_add_dir(CpioWriter *w, const char *path, mode_t mode) {
        return entry(w, path, S_IFDIR | (mode & 07777), NULL, 0, 0, 0);
}

int cpio_add_file(CpioWriter *w, const char *path, mode_t mode, const void *data, size_t size) {
        if (size > UINT32_MAX)
                return -EFBIG;
        return entry(w, path, S_IFREG | (mode & 07777), data, size, 0, 0);
}

int cpio_add_char_device(CpioWriter *w, const char *path, mode_t mode, unsigned major, unsigned minor) {
        return entry(w, path, S_IFCHR | (mode & 07777), NULL, 0, major, minor);
}

int cpio_finish(CpioWriter *w) {
        int r = entry(w, "TRAILER!!!", 0, NULL, 0, 0, 0);
        return r < 0 ? r : (fflush(w->f) == 0 ? 0 : -EIO);
}
