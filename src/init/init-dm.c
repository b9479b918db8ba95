/* SPDX-License-Identifier: MIT */
/* The verity device, made with device-mapper ioctls directly: no libdevmapper, no udev in the initramfs. */
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

#include "init.h"
#include "macro.h"

#define DM_NAME "root"

int verity_table(const BootParams *p, const char *data_dev, const char *hash_dev, char *ret, size_t size) {
        /* version 1, 4096-byte blocks, the tree after the superblock (block 1); any corruption restarts the
         * machine rather than handing a process an I/O error it might mishandle. */
        int n = snprintf(ret, size, "1 %s %s 4096 4096 %llu 1 sha256 %s %s 1 restart_on_corruption",
                         data_dev, hash_dev, (unsigned long long) p->verity_blocks, p->roothash_hex,
                         p->salt_hex[0] ? p->salt_hex : "-");
        return n < 0 || (size_t) n >= size ? -ENOBUFS : 0;
}

static void dm_init(struct dm_ioctl *io, size_t size, uint32_t flags) {
        memset(io, 0, size);
        io->version[0] = DM_VERSION_MAJOR;
        io->version[1] = 0;
        io->version[2] = 0;
        io->data_size = (uint32_t) size;
        io->data_start = sizeof(struct dm_ioctl);
        io->flags = flags;
        snprintf(io->name, sizeof(io->name), "%s", DM_NAME);
}

int verity_create(const BootParams *p, const char *data_dev, const char *hash_dev, dev_t *ret_dev) {
        _cleanup_close_ int fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
        _cleanup_free_ uint8_t *buf = NULL;
        const size_t size = 16384;
        struct dm_ioctl *io;
        struct dm_target_spec *spec;
        int r;

        if (fd < 0)
                return negative_errno();
        buf = calloc(1, size);
        if (!buf)
                return -ENOMEM;
        io = (struct dm_ioctl *) buf;

        dm_init(io, sizeof(struct dm_ioctl), 0);
        snprintf(io->uuid, sizeof(io->uuid), "BULKHEAD-VERITY-%.32s", p->roothash_hex);
        if (ioctl(fd, DM_DEV_CREATE, io) < 0)
                return negative_errno();

        dm_init(io, size, DM_READONLY_FLAG);
        io->target_count = 1;
        spec = (struct dm_target_spec *) (buf + sizeof(struct dm_ioctl));
        spec->sector_start = 0;
        spec->length = p->verity_blocks * 8; /* 512-byte sectors */
        snprintf(spec->target_type, sizeof(spec->target_type), "verity");
        r = verity_table(p, data_dev, hash_dev, (char *) (spec + 1), size - sizeof(*io) - sizeof(*spec));
        if (r < 0)
                return r;
        spec->next = 0;
        if (ioctl(fd, DM_TABLE_LOAD, io) < 0)
                return negative_errno();

        dm_init(io, sizeof(struct dm_ioctl), 0); /* DM_DEV_SUSPEND without the suspend flag resumes */
        if (ioctl(fd, DM_DEV_SUSPEND, io) < 0)
                return negative_errno();
        *ret_dev = (dev_t) io->dev;
        return 0;
}
