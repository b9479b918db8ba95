/* SPDX-License-Identifier: MIT */
/* Partitions are found by PARTUUID by reading each disk's GPT here: sysfs does not show partition GUIDs,
 * and there is no udev in the initramfs. */
#include <dirent.h>
#include <endian.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "crc32.h"
#include "fileio.h"
#include "init.h"
#include "macro.h"

#define MAX_ENTRIES 256u

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

int gpt_find_partition(int fd, const uint8_t uuid[16]) {
        uint8_t hdr[512];
        _cleanup_free_ uint8_t *entries = NULL;
        uint32_t hsize, crc, n, esize;
        uint64_t lba;
        int r;

        r = pread_full(fd, hdr, sizeof(hdr), 512);
        if (r < 0)
                return r;
        if (memcmp(hdr, "EFI PART", 8))
                return -EBADMSG;
        memcpy(&hsize, hdr + 12, 4), hsize = le32toh(hsize);
        memcpy(&crc, hdr + 16, 4), crc = le32toh(crc);
        if (hsize < 92 || hsize > sizeof(hdr))
                return -EBADMSG;
        memset(hdr + 16, 0, 4);
        if (crc32_ieee(hdr, hsize) != crc)
                return -EBADMSG;
        memcpy(&lba, hdr + 72, 8), lba = le64toh(lba);
        memcpy(&n, hdr + 80, 4), n = le32toh(n);
        memcpy(&esize, hdr + 84, 4), esize = le32toh(esize);
        memcpy(&crc, hdr + 88, 4), crc = le32toh(crc);
        if (n == 0 || n > MAX_ENTRIES || esize < 128 || esize > 1024 || esize % 8 || lba < 2 ||
            lba > (1ULL << 40))
                return -EBADMSG;
        entries = malloc((size_t) n * esize);
        if (!entries)
                return -ENOMEM;
        r = pread_full(fd, entries, (size_t) n * esize, (off_t) (lba * 512));
        if (r < 0)
                return r;
        if (crc32_ieee(entries, (size_t) n * esize) != crc)
                return -EBADMSG;
        /* The unique partition GUID is bytes 16..31 of an entry; the kernel numbers partitions by slot. */
        for (uint32_t i = 0; i < n; i++)
                if (!memcmp(entries + (size_t) i * esize + 16, uuid, 16))
                        return (int) i + 1;
        return -ENOENT;
}

static int read_line(const char *path, char *buf, size_t size) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");

        if (!f || !fgets(buf, (int) size, f))
                return -ENOENT;
        buf[strcspn(buf, "\n")] = 0;
        return 0;
}

/* The "major:minor" of partition number partno of disk (via /sys/class/block/<disk>/<part>/partition). */
static int partition_devnum(const char *disk, int partno, char *ret, size_t size) {
        char path[512], value[32];
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        if (!snprintf_ok(path, "/sys/class/block/%s", disk))
                return -ENAMETOOLONG;
        d = opendir(path);
        if (!d)
                return -ENOENT;
        while ((de = readdir(d))) {
                if (!strneq(de->d_name, disk, strlen(disk)))
                        continue;
                if (!snprintf_ok(path, "/sys/class/block/%s/%s/partition", disk, de->d_name) ||
                    read_line(path, value, sizeof(value)) < 0 || atoi(value) != partno)
                        continue;
                if (!snprintf_ok(path, "/sys/class/block/%s/%s/dev", disk, de->d_name))
                        return -ENAMETOOLONG;
                return read_line(path, ret, size);
        }
        return -ENOENT;
}

static int scan_once(const uint8_t uuid[16], char *ret, size_t size) {
        _cleanup_(closedirp) DIR *d = opendir("/sys/class/block");
        struct dirent *de;

        if (!d)
                return -ENOENT;
        while ((de = readdir(d))) {
                char path[512], node[300];
                _cleanup_close_ int fd = -EBADF;
                int partno;

                if (de->d_name[0] == '.')
                        continue;
                if (!snprintf_ok(path, "/sys/class/block/%s/partition", de->d_name) ||
                    access(path, F_OK) == 0 || strneq(de->d_name, "loop", 4) || strneq(de->d_name, "dm-", 3))
                        continue; /* only whole disks carry a GPT */
                if (!snprintf_ok(node, "/dev/%s", de->d_name))
                        continue;
                fd = open(node, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                partno = gpt_find_partition(fd, uuid);
                if (partno > 0 && partition_devnum(de->d_name, partno, ret, size) == 0)
                        return 0;
        }
        return -ENOENT;
}

int find_partition(const uint8_t uuid[16], unsigned timeout_ms, char *ret_devnum, size_t size) {
        /* Disks appear asynchronously after virtio_blk loads, and their partitions a moment later. */
        for (unsigned waited = 0;; waited += 50) {
                if (scan_once(uuid, ret_devnum, size) == 0)
                        return 0;
                if (waited >= timeout_ms)
                        return -ENOENT;
                nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
        }
}
