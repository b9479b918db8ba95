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
#include "tuf-read-ahead.h"

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

/* One fetch's reading and delivery (on two threads, for a large file). */
typedef struct DirRead {
        int fd;
        bool direct; /* the reader's */
        int read_error;
        uint64_t max_size, total;
        TufSink sink;
        void *userdata;
} DirRead;

static ssize_t dir_read_chunk(void *buf, size_t size, void *userdata) {
        DirRead *d = userdata;

        for (;;) {
                ssize_t k = read_some(d->fd, buf, size, &d->direct);

                if (k >= 0)
                        return k;
                if (errno != EINTR)
                        return d->read_error = negative_errno();
        }
}

static int dir_deliver(const void *data, size_t size, void *userdata) {
        DirRead *d = userdata;

        /* The file may grow while we read it: the bound holds for what is delivered. */
        if ((uint64_t) size > d->max_size - d->total)
                return -EFBIG;
        d->total += (uint64_t) size;
        return d->sink(data, size, d->userdata);
}

static int dir_fetch(TufFetcher *f, TufArea area, const char *name, uint64_t max_size, TufSink sink,
                     void *userdata, char **ret_error) {
        DirFetcher *dir = (DirFetcher *) f;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r;

        if (!tuf_path_is_safe(name))
                return tuf_error(ret_error, -EINVAL, "'%s' is not a safe relative path", name);
        fd = open_beneath(dir->dir_fd[area], name);
        if (fd < 0)
                return fd == -ENOENT ? fd
                                     : tuf_error(ret_error, fd, "cannot open '%s': %s", name, strerror(-fd));
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return tuf_error(ret_error, -EBADF, "'%s' is not a regular file", name);
        if ((uint64_t) st.st_size > max_size)
                return -EFBIG;
        DirRead d = { .fd = fd,
                      .direct = try_direct(fd, &st),
                      .max_size = max_size,
                      .sink = sink,
                      .userdata = userdata };
        r = tuf_read_chunks(dir_read_chunk, &d, (uint64_t) st.st_size, dir_deliver, &d);
        if (r < 0 && r == d.read_error)
                return tuf_error(ret_error, r, "cannot read '%s': %s", name, strerror(-r));
        return r;
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
