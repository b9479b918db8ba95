/* SPDX-License-Identifier: MIT */
#pragma once

#include <assert.h>

#include "ustar.h"

/* The header block as POSIX lays it out; every field is bytes, numbers are octal text. */
typedef struct UstarHeader {
        char name[100];
        char mode[8];
        char uid[8];
        char gid[8];
        char size[12];
        char mtime[12];
        char chksum[8];
        char typeflag;
        char linkname[100];
        char magic[6]; /* "ustar\0" */
        char version[2];
        char uname[32];
        char gname[32];
        char devmajor[8];
        char devminor[8];
        char prefix[155];
        char pad[12];
} UstarHeader;

static_assert(sizeof(UstarHeader) == USTAR_BLOCK_SIZE, "a ustar header is one block");

/* The header checksum: the sum of its bytes as unsigned, the chksum field counted as eight spaces. */
uint64_t ustar_checksum(const UstarHeader *h);
