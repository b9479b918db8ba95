/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Writes data to path as a new file: temp file in the same directory, fsync, rename, fsync of the
 * directory. Readers see the old content or the new, never a part. Returns 0 or negative errno. */
int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode);

/* Reads a whole file (at most max_size bytes, else -EFBIG) into a NUL-terminated buffer. */
int read_full_file(const char *path, size_t max_size, char **ret_data, size_t *ret_size);
/* The same from an open file descriptor, read from its current position; fd stays open. */
int read_full_fd(int fd, size_t max_size, char **ret_data, size_t *ret_size);

/* Makes everything written to the file system holding fd durable: syncfs, then fsync of fd, which flushes
 * the device's write cache. For vfat, where fsync of a directory does not write a renamed file's size and
 * start cluster (they travel with the file's inode), this is the only sync that covers a rename. */
int sync_file_system(int fd);

/* Writes all of buf, retrying on short writes and EINTR. */
int loop_write(int fd, const void *buf, size_t n);
/* Reads exactly n bytes at offset; -EIO on short read. */
int pread_full(int fd, void *buf, size_t n, off_t offset);
int pwrite_full(int fd, const void *buf, size_t n, off_t offset);
/* Writes all n buffers at offset, in order, retrying on short writes and EINTR; iov is changed on the way.
 */
int pwritev_full(int fd, struct iovec *iov, size_t n, off_t offset);

/* Is path a relative path of names that are not empty, "." or "..", without control characters or
 * backslashes? (a name from untrusted input that is about to be joined below a directory) */
bool path_is_safe_relative(const char *path);
