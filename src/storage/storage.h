/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Where a partition sits, as the kernel sees it (sysfs). */
typedef struct PartitionInfo {
        char disk_node[64];    /* /dev/vda */
        char part_node[64];    /* /dev/vda6 */
        unsigned partno;       /* 6 */
        uint64_t start_sector; /* in 512-byte sectors */
        uint64_t size_sectors;
} PartitionInfo;

/* Resolves a partition device node (symlinks allowed) to its disk and number through sysfs under
 * sysfs_root (normally "/sys"). */
int partition_info(const char *sysfs_root, const char *device, PartitionInfo *ret);

/* 1 if the device (or image file) holds an ext2/3/4 superblock, 0 if not, negative errno on I/O error. */
int has_ext4(int fd);

/* Grows the last GPT partition of the disk to the end of the disk and tells the kernel. Returns 1 if it
 * grew, 0 if it already filled the disk. */
int grow_partition(const PartitionInfo *p);

/* Runs mkfs.ext4 on the partition with the given label, seeding the directories the mounts need. */
int format_ext4(const char *node, const char *label);
