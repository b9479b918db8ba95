/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "gpt.h"

typedef struct DiskPart {
        char name[GPT_NAME_MAX + 1];
        uint8_t type[16], uuid[16];
        uint64_t size_mib;
        const char *content; /* file copied to the start of the partition, or NULL */
} DiskPart;

/* Parses NAME,TYPE,SIZE_MIB,UUID[,CONTENT_FILE]. On error *ret_error says what is wrong. */
int disk_part_parse(const char *spec, DiskPart *ret, char **ret_error);

/* Lays out the partitions in order from 1 MiB and writes the disk image to path (size 0: just big enough).
 * Checks every name, UUID and content size first; on error nothing is left at path. */
int disk_write(const char *path, uint64_t size, const uint8_t disk_guid[16], const DiskPart *parts,
               unsigned n, char **ret_error);
