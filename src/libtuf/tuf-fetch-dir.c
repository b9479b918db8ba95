/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "macro.h"
#include "tuf-error.h"
#include "tuf-fetch.h"

/* Direct I/O wants buffers, sizes and offsets aligned to the logical block: 4096 covers 512 too. */
#define DIRECT_ALIGN 4096

typedef struct DirFetcher {
        TufFetcher base;
        int dir_fd[2]; /* by TufArea */
} DirFetcher;

/* RESOLVE_BENEATH keeps a symlink inside the repository from pointing the client at /etc/shadow; where
 * openat2() is missing, the path check in the caller still rules out ".." and absolute names. */
static int open_beneath(int dir_fd, const char *name) {
        struct open_how how = {
                /* O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a regular file. */
                .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
        };
        int fd = (int) syscall(SYS_openat2, dir_fd, name, &how, sizeof(how));

        if (fd < 0 && errno == ENOSYS)
                fd = openat(dir_fd, name, (int) how.flags);
        return fd < 0 ? negative_errno() : fd;
}

/* A file of at least a chunk (a target: a root image, a UKI) is read around the page cache, with O_DIRECT:
 * read once, its pages would only push others out, and each byte would be copied once more. Where the
 * file system refuses, it is read through the page cache. Returns whether fd now reads directly. */
static bool try_direct(int fd, const struct stat *st) {
        int flags;

        if ((uint64_t) st->st_size < TUF_FETCH_CHUNK || (flags = fcntl(fd, F_GETFL)) < 0)
                return false;
        return fcntl(fd, F_SETFL, flags | O_DIRECT) == 0;
}

/* Reads up to size bytes; a direct read the file refuses (EINVAL: alignment) is made again buffered. */
static ssize_t read_some(int fd, void *buf, size_t size, bool *direct) {
        for (;;) {
                ssize_t k = read(fd, buf, size);
                int flags;

                if (k >= 0 || errno != EINVAL || !*direct || (flags = fcntl(fd, F_GETFL)) < 0 ||
                    fcntl(fd, F_SETFL, flags & ~O_DIRECT) < 0)
                        return k;
                *direct = false;
        }
}

static int dir_fetch(TufFetcher *f, TufArea area, const char *name, uint64_t max_size, TufSink sink,
                     void *userdata, char **ret_error) {
        DirFetcher *d = (DirFetcher *) f;
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        uint64_t total = 0;
        struct stat st;
        bool direct;
        size_t size;

        if (!tuf_path_is_safe(name))
                return tuf_error(ret_error, -EINVAL, "'%s' is not a safe relative path", name);
        fd = open_beneath(d->dir_fd[area], name);
        if (fd < 0)
                return fd == -ENOENT ? fd
                                     : tuf_error(ret_error, fd, "cannot open '%s': %s", name, strerror(-fd));
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return tuf_error(ret_error, -EBADF, "'%s' is not a regular file", name);
        if ((uint64_t) st.st_size > max_size)
                return -EFBIG;
        /* No larger than the file: metadata files are a few KiB. Aligned for direct reads. */
        size = (size_t) MAX(MIN((uint64_t) st.st_size, (uint64_t) TUF_FETCH_CHUNK), (uint64_t) 1);
        buf = aligned_alloc(DIRECT_ALIGN, ALIGN_TO(size, DIRECT_ALIGN));
        if (!buf)
                return -ENOMEM;
        direct = try_direct(fd, &st);
        for (;;) {
                ssize_t k = read_some(fd, buf, size, &direct);
                int r;

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return tuf_error(ret_error, negative_errno(), "cannot read '%s': %m", name);
                if (k == 0)
                        return 0;
                /* The file may grow while we read it: the bound holds for what is delivered. */
                if ((uint64_t) k > max_size - total)
                        return -EFBIG;
                total += (uint64_t) k;
                r = sink(buf, (size_t) k, userdata);
                if (r < 0)
                        return r;
        }
}

static void dir_free(TufFetcher *f) {
        DirFetcher *d = (DirFetcher *) f;

        safe_close(d->dir_fd[0]);
        safe_close(d->dir_fd[1]);
        free(d);
}

int tuf_fetcher_dir_new(const char *metadata_dir, const char *targets_dir, TufFetcher **ret,
                        char **ret_error) {
        const char *dirs[2] = { [TUF_AREA_METADATA] = metadata_dir, [TUF_AREA_TARGETS] = targets_dir };
        DirFetcher *d;

        d = calloc(1, sizeof(DirFetcher));
        if (!d)
                return -ENOMEM;
        d->base = (TufFetcher){ .fetch = dir_fetch, .free = dir_free };
        d->dir_fd[0] = d->dir_fd[1] = -EBADF;
        for (int i = 0; i < 2; i++) {
                d->dir_fd[i] = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (d->dir_fd[i] < 0) {
                        int r = negative_errno();
                        dir_free(&d->base);
                        return tuf_error(ret_error, r, "cannot open directory '%s': %s", dirs[i],
                                         strerror(-r));
                }
        }
        *ret = &d->base;
        return 0;
}
