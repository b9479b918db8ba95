/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* A writer for the cpio "newc" format, the one the kernel unpacks into its initramfs. Entries get
 * sequential inode numbers, owner 0:0 and mtime 0, so the same inputs give the same bytes. */
typedef struct CpioWriter {
        FILE *f;
        uint32_t next_ino;
        uint64_t offset;
} CpioWriter;

int cpio_add_dir(CpioWriter *w, const char *path, mode_t mode);
int cpio_add_file(CpioWriter *w, const char *path, mode_t mode, const void *data, size_t size);
int cpio_add_char_device(CpioWriter *w, const char *path, mode_t mode, unsigned major, unsigned minor);
int cpio_finish(CpioWriter *w);
