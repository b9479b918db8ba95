/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

/* Where an image part goes: a byte range of an open device. On a node that is a partition of the boot
 * disk found by its GPT name; in tests, a plain file standing in for a disk or for one partition. */
typedef struct UpdatePartition {
        int fd;
        uint64_t offset, size;
        char name[64]; /* for messages: "root-b", or the path of an override */
} UpdatePartition;

#define UPDATE_PARTITION_NULL \
        { .fd = -EBADF }

/* The partition named name (GPT partition name, decision 0002: "root-b", "verity-b") of disk, opened
 * for reading and writing. -ENOENT with a message if the table has none of that name. */
int update_partition_open_gpt(const char *disk, const char *name, UpdatePartition *ret, char **ret_error);

/* All of path (a block device or a regular file, whose current size is what may be written). */
int update_partition_open_whole(const char *path, UpdatePartition *ret, char **ret_error);

void update_partition_done(UpdatePartition *p);

/* The GPT names of the partitions of set ('a' or 'b'). */
const char *update_root_partition_name(char set);
const char *update_verity_partition_name(char set);
