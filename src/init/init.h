/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define INIT_DEFAULT_INIT "/usr/lib/systemd/systemd"

/* What the signed UKI command line tells the init (docs/decisions/0003-boot-chain.md). */
typedef struct BootParams {
        char set;                /* 'a' or 'b' */
        uint8_t root_uuid[16];   /* PARTUUID of the erofs partition (on-disk byte order) */
        uint8_t verity_uuid[16]; /* PARTUUID of its hash partition */
        uint64_t verity_blocks;  /* 4096-byte data blocks */
        char salt_hex[513];      /* "" for none */
        char roothash_hex[65];
        char init[256];
} BootParams;

/* Parses the kernel command line. On error *ret_bad names the parameter and what is wrong with it. */
int boot_params_parse(const char *cmdline, BootParams *ret, char *ret_bad, size_t bad_size);

/* Parses "c12a7328-f81f-11d2-ba4b-00a0c93ec93b" into GPT on-disk byte order. */
int uuid_parse_gpt(const char *s, uint8_t ret[16]);

/* Looks through the GPT of a disk image/device for a partition with this unique GUID; returns its
 * 1-based number (the kernel's partition number) or -ENOENT / -EBADMSG. */
int gpt_find_partition(int fd, const uint8_t uuid[16]);

/* Finds the block device of the partition with this PARTUUID among the disks in /sys/class/block, waiting up
 * to timeout_ms for it to appear. Writes "major:minor" to ret_devnum. */
int find_partition(const uint8_t uuid[16], unsigned timeout_ms, char *ret_devnum, size_t size);

/* The dm-verity table line for our parameters. */
int verity_table(const BootParams *p, const char *data_dev, const char *hash_dev, char *ret, size_t size);
/* Creates the read-only dm-verity device "root" and returns its device number. */
int verity_create(const BootParams *p, const char *data_dev, const char *hash_dev, dev_t *ret_dev);

/* Reads the file names of /lib/modules/load.order (one per line; '#' comments) into ret (count returned). */
int load_order_parse(const char *text, char names[][64], size_t max);
/* Loads the modules of /lib/modules/load.order in order. On error *ret_module names the module. */
int load_modules(const char *dir, const char **ret_module);

/* Moves /dev /proc /sys /run into newroot, frees the initramfs and makes newroot the root. */
int switch_root(const char *newroot);
