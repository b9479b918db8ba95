/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* GUID partition tables on 512-byte-sector disks (UEFI 2.x, chapter 5): protective MBR, primary header and
 * entry array at LBA 1 and 2, backup array and header at the end of the disk. */

#define GPT_SECTOR        512u
#define GPT_ENTRIES       128u
#define GPT_ENTRY_SIZE    128u
#define GPT_ARRAY_SECTORS (GPT_ENTRIES * GPT_ENTRY_SIZE / GPT_SECTOR)
#define GPT_NAME_MAX      36    /* UTF-16 code units */
#define GPT_ALIGN_SECTORS 2048u /* 1 MiB */

/* Discoverable Partitions Specification type GUIDs. */
#define GPT_TYPE_ESP                "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
#define GPT_TYPE_ROOT_X86_64        "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"
#define GPT_TYPE_ROOT_X86_64_VERITY "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5"
#define GPT_TYPE_LINUX_DATA         "0fc63daf-8483-4772-8e79-3d69d8477de4"

typedef struct GptPartition {
        uint8_t type[16]; /* in on-disk (mixed-endian) byte order */
        uint8_t uuid[16];
        uint64_t first_lba, last_lba; /* inclusive */
        uint64_t attributes;
        char name[GPT_NAME_MAX * 3 + 1]; /* UTF-8 */
} GptPartition;

typedef struct GptTable {
        uint64_t disk_sectors;
        uint8_t disk_guid[16];
        uint64_t first_usable, last_usable;
        unsigned n_partitions; /* used entries, in table order */
        GptPartition partitions[GPT_ENTRIES];
} GptTable;

/* "c12a7328-f81f-11d2-ba4b-00a0c93ec93b" ↔ the 16 on-disk bytes. parse: 0 or -EINVAL. */
int gpt_guid_parse(const char *s, uint8_t ret[16]);
void gpt_guid_format(const uint8_t guid[16], char ret[37]);
uint32_t gpt_crc32(const void *data, size_t n);

/* An empty table for a disk of disk_bytes (whole sectors; at least 1 MiB). -EINVAL if too small. */
int gpt_table_init(GptTable *t, uint64_t disk_bytes, const uint8_t disk_guid[16]);
/* Appends a partition; checks it lies within the usable area and overlaps no other. -EINVAL, -E2BIG (full),
 * -ERANGE (outside), -EEXIST (overlap or duplicate UUID), -ENAMETOOLONG (name). */
int gpt_add(GptTable *t, const GptPartition *p);

/* Writes protective MBR, primary and backup GPT. */
int gpt_write(int fd, const GptTable *t);
/* Reads and validates the table of a disk of disk_bytes; falls back to the backup header when the primary
 * is damaged (*ret_used_backup set). -EBADMSG when neither copy is valid. */
int gpt_read(int fd, uint64_t disk_bytes, GptTable *ret, bool *ret_used_backup);

/* For a disk that grew: moves the backup GPT to the new end and grows the partition that ends last to
 * the end of the usable area (ending on a 1 MiB boundary). Returns 1 if it changed the disk, 0 if not. */
int gpt_grow_last_partition(int fd, uint64_t disk_bytes, unsigned *ret_index);

const GptPartition *gpt_find_uuid(const GptTable *t, const uint8_t uuid[16]);
const GptPartition *gpt_find_name(const GptTable *t, const char *name);
