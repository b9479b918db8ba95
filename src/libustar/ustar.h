/* SPDX-License-Identifier: MIT */
#pragma once

#include "fileio.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* POSIX ustar (pax(1) "ustar Interchange Format"), just as much of it as an update bundle needs
 * (docs/decisions/0013-update-bundles.md): regular files and directories, names of up to 255 bytes
 * split into prefix and name, sizes in octal. Nothing is ever extracted: a reader indexes the headers and
 * its caller reads members at their offsets. */

#define USTAR_BLOCK_SIZE 512u
/* The largest size 11 octal digits hold: 8 GiB - 1. Larger members need extensions we do not read. */
#define USTAR_MAX_SIZE ((UINT64_C(1) << 33) - 1)
/* Members indexed at most, unless the caller says otherwise. */
#define USTAR_MAX_MEMBERS 16384

typedef struct UstarMember {
        char *name;      /* "dir/file": a leading "./" and a directory's trailing '/' removed */
        uint64_t header; /* offset of the header block in the archive */
        uint64_t offset; /* offset of the data */
        uint64_t size;
        bool directory;
} UstarMember;

typedef struct UstarArchive {
        UstarMember *members; /* sorted by name, each name once */
        size_t n_members;
        uint64_t end; /* offset just past the end-of-archive marker (two zero blocks) */
} UstarArchive;

/* Reads every header of the archive on fd, from offset 0 with pread(), up to the end-of-archive marker.
 * fd may be a regular file or a block device: the archive's extent comes from its headers, never from the
 * file's size, and whatever follows the marker is not read. Refused, with a message naming the member (or
 * the offset of a header that has no usable name) in *ret_error (free() it; may be NULL):
 *   -EBADMSG  not a POSIX ustar header (magic, version, checksum, a numeric field), a GNU or pax
 *             extension, a member that is not a regular file or a directory (links, devices, FIFOs), a
 *             name that is empty, absolute, or has an empty, "." or ".." component, a control character
 *             or a backslash; a name given twice; data or end-of-archive marker cut short (truncated)
 *   -EFBIG    more than max_members members (0: USTAR_MAX_MEMBERS)
 *   other     read errors, -ENOMEM */
int ustar_archive_read(int fd, size_t max_members, UstarArchive **ret, char **ret_error);
UstarArchive *ustar_archive_free(UstarArchive *a);
DEFINE_TRIVIAL_CLEANUP_FUNC(UstarArchive *, ustar_archive_free);

/* The member called name (as stored in UstarMember.name), or NULL. */
const UstarMember *ustar_archive_find(const UstarArchive *a, const char *name);

/* Whether name is a member name the reader accepts: relative, no empty, "." or ".." component, no byte
 * below 0x20, no DEL, no backslash. */
#define ustar_name_is_safe path_is_safe_relative

/* Fills block with the header of a regular file ('0') or directory ('5') member: mode 0644 or 0755,
 * owner 0:0, the given mtime (seconds since the epoch). Names longer than 100 bytes are split at a '/'
 * into prefix and name. Returns 0; -EINVAL for an unsafe name, another type, or a directory with data;
 * -ENAMETOOLONG for a name that does not fit; -EFBIG for size or mtime above USTAR_MAX_SIZE. */
int ustar_header_make(uint8_t block[static USTAR_BLOCK_SIZE], const char *name, char type, uint64_t size,
                      uint64_t mtime);

/* The zero bytes that follow size bytes of member data, up to the next block. */
static inline size_t ustar_padding(uint64_t size) {
        return (size_t) ((USTAR_BLOCK_SIZE - size % USTAR_BLOCK_SIZE) % USTAR_BLOCK_SIZE);
}
