/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <string.h>

#include "fileio.h"
#include "macro.h"

int sync_file_system(int fd) {
        if (syncfs(fd) < 0 || fsync(fd) < 0)
                return negative_errno();
        return 0;
}

int loop_write(int fd, const void *buf, size_t n) {
        const char *p = buf;

        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (k == 0)
                        return -EIO;
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

int pread_full(int fd, void *buf, size_t n, off_t offset) {
        char *p = buf;

        while (n > 0) {
                ssize_t k = pread(fd, p, n, offset);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (k == 0)
                        return -EIO;
                p += k;
                offset += k;
                n -= (size_t) k;
        }
        return 0;
}

int pwrite_full(int fd, const void *buf, size_t n, off_t offset) {
        struct iovec iov = { (void *) buf, n };

        return pwritev_full(fd, &iov, 1, offset);
}

int pwritev_full(int fd, struct iovec *iov, size_t n, off_t offset) {
        while (n > 0) {
                ssize_t k = pwritev(fd, iov, (int) MIN(n, (size_t) IOV_MAX), offset);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (k == 0)
                        return -EIO;
                offset += k;
                /* A short write: step past what went, into the middle of an iovec perhaps. */
                for (; n > 0 && (size_t) k >= iov->iov_len; iov++, n--)
                        k -= (ssize_t) iov->iov_len;
                if (n > 0) {
                        iov->iov_base = (char *) iov->iov_base + k;
                        iov->iov_len -= (size_t) k;
                }
        }
        return 0;
}

static int fsync_directory_of(const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        _cleanup_close_ int dfd = -EBADF;

        if (!copy)
                return -ENOMEM;
        dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return negative_errno();
        if (fsync(dfd) < 0)
                return negative_errno();
        return 0;
}

int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (asprintf(&tmp, "%s.tmp.%d", path, (int) getpid()) < 0)
                return -ENOMEM;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return negative_errno();
        r = loop_write(fd, data, size);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = negative_errno();
        if (r >= 0 && fsync(fd) < 0)
                r = negative_errno();
        if (r >= 0 && rename(tmp, path) < 0)
                r = negative_errno();
        if (r < 0) {
                (void) unlink(tmp);
                return r;
        }
        return fsync_directory_of(path);
}

int read_full_fd(int fd, size_t max_size, char **ret_data, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0;

        for (;;) {
                ssize_t k;

                if (allocated - size < 4096) {
                        size_t n = allocated ? allocated * 2 : 8192;
                        char *p;

                        /* Room for one byte past the limit: reading it is how a larger file is told
                         * apart from one of exactly max_size bytes, instead of being cut short. */
                        if (n > max_size + 2)
                                n = max_size + 2;
                        if (n <= size)
                                return -EFBIG;
                        p = realloc(buf, n);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        allocated = n;
                }
                k = read(fd, buf + size, allocated - size - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (k == 0)
                        break;
                size += (size_t) k;
                if (size > max_size)
                        return -EFBIG;
        }
        if (!buf && !(buf = malloc(1)))
                return -ENOMEM;
        buf[size] = 0;
        *ret_data = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int read_full_file(const char *path, size_t max_size, char **ret_data, size_t *ret_size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return negative_errno();
        return read_full_fd(fd, max_size, ret_data, ret_size);
}

bool path_is_safe_relative(const char *path) {
        const char *p = path;

        if (!path || *path == 0)
                return false;
        for (;;) {
                size_t n = strcspn(p, "/");

                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && strneq(p, "..", 2)))
                        return false;
                for (size_t i = 0; i < n; i++)
                        if ((unsigned char) p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\')
                                return false;
                if (p[n] == 0)
                        return true;
                p += n + 1;
        }
}
