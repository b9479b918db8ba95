/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fileio.h"
#include "macro.h"
#include "storage.h"

static int read_u64(const char *path, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        char *end;
        int r;

        r = read_full_file(path, 64, &s, NULL);
        if (r < 0)
                return r;
        errno = 0;
        *ret = strtoull(s, &end, 10);
        if (errno || end == s || (*end && *end != '\n'))
                return -EINVAL;
        return 0;
}

int partition_info(const char *sysfs_root, const char *device, PartitionInfo *ret) {
        char link[PATH_MAX], path[PATH_MAX + 64], sys[PATH_MAX];
        PartitionInfo p = {};
        struct stat st;
        uint64_t partno;
        ssize_t n;
        char *slash, *part, *disk;
        int r;

        if (stat(device, &st) < 0)
                return negative_errno();
        if (!S_ISBLK(st.st_mode))
                return -ENOTBLK;
        snprintf(sys, sizeof(sys), "%s/dev/block/%u:%u", sysfs_root, major(st.st_rdev), minor(st.st_rdev));
        n = readlink(sys, link, sizeof(link) - 1);
        if (n < 0)
                return negative_errno();
        link[n] = 0;
        /* …/block/vda/vda6: the last component is the partition, the one before it the disk. */
        slash = strrchr(link, '/');
        if (!slash)
                return -EINVAL;
        part = slash + 1;
        *slash = 0;
        slash = strrchr(link, '/');
        if (!slash)
                return -EINVAL;
        disk = slash + 1;

        snprintf(path, sizeof(path), "%s/partition", sys);
        r = read_u64(path, &partno);
        if (r < 0)
                return r == -ENOENT ? -ENOTBLK : r; /* a whole disk has no "partition" file */
        snprintf(path, sizeof(path), "%s/start", sys);
        r = read_u64(path, &p.start_sector);
        if (r < 0)
                return r;
        snprintf(path, sizeof(path), "%s/size", sys);
        r = read_u64(path, &p.size_sectors);
        if (r < 0)
                return r;
        p.partno = (unsigned) partno;
        snprintf(p.disk_node, sizeof(p.disk_node), "/dev/%s", disk);
        snprintf(p.part_node, sizeof(p.part_node), "/dev/%s", part);
        *ret = p;
        return 0;
}

int has_ext4(int fd) {
        uint8_t magic[2];
        int r;

        /* The ext2/3/4 superblock starts at byte 1024; s_magic (0xEF53, little endian) is at offset 56. */
        r = pread_full(fd, magic, sizeof(magic), 1024 + 56);
        if (r < 0)
                return r;
        return magic[0] == 0x53 && magic[1] == 0xEF;
}
