/* SPDX-License-Identifier: MIT */
/* /etc is a tmpfs, seeded on every boot from the image's factory copy (/usr/share/factory/etc), before
 * systemd starts: PID 1 reads /etc/systemd and the unit directories in its first milliseconds, so this
 * cannot be left to a unit. Settings then render the rest of /etc. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "init-etc.h"
#include "macro.h"

#define MAX_DEPTH 32

static int copy_file(int src_dir, int dst_dir, const char *name, const struct stat *st) {
        _cleanup_close_ int in = -EBADF, out = -EBADF;
        char buf[64 * 1024];

        in = openat(src_dir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (in < 0)
                return negative_errno();
        out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                     st->st_mode & 07777);
        if (out < 0)
                return negative_errno();
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                int r = loop_write(out, buf, (size_t) n);
                if (r < 0)
                        return r;
        }
        if (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0)
                return negative_errno();
        return 0;
}

static int copy_tree(int src_dir, int dst_dir, unsigned depth) {
        _cleanup_close_ int iter_fd = -EBADF;
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (depth > MAX_DEPTH)
                return -ELOOP;
        iter_fd = dup(src_dir);
        if (iter_fd < 0)
                return negative_errno();
        d = fdopendir(iter_fd);
        if (!d)
                return negative_errno();
        iter_fd = -EBADF; /* owned by d now */
        rewinddir(d);
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(src_dir, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = negative_errno();
                        break;
                }
                if (S_ISDIR(st.st_mode)) {
                        _cleanup_close_ int s = -EBADF, t = -EBADF;

                        if (mkdirat(dst_dir, de->d_name, st.st_mode & 07777) < 0 ||
                            fchownat(dst_dir, de->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
                            fchmodat(dst_dir, de->d_name, st.st_mode & 07777, 0) < 0) {
                                r = negative_errno();
                                break;
                        }
                        s = openat(src_dir, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        t = openat(dst_dir, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        r = s < 0 || t < 0 ? negative_errno() : copy_tree(s, t, depth + 1);
                } else if (S_ISLNK(st.st_mode)) {
                        char target[4096];
                        ssize_t n = readlinkat(src_dir, de->d_name, target, sizeof(target) - 1);

                        if (n < 0) {
                                r = negative_errno();
                                break;
                        }
                        target[n] = 0;
                        if (symlinkat(target, dst_dir, de->d_name) < 0 ||
                            fchownat(dst_dir, de->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                                r = negative_errno();
                } else if (S_ISREG(st.st_mode))
                        r = copy_file(src_dir, dst_dir, de->d_name, &st);
                /* Device nodes, fifos and sockets have no place in a factory /etc: skipped. */
        }
        if (r >= 0 && errno != 0)
                r = negative_errno();
        closedir(d);
        return r;
}

int seed_etc(const char *sysroot, const char **ret_what) {
        _cleanup_close_ int src = -EBADF, dst = -EBADF;
        char etc[4096], factory[4096];

        *ret_what = "build the /etc paths";
        if (!snprintf_ok(etc, "%s/etc", sysroot) ||
            !snprintf_ok(factory, "%s/usr/share/factory/etc", sysroot))
                return -ENAMETOOLONG;
        src = open(factory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (src < 0) {
                *ret_what = "open the factory /etc (/usr/share/factory/etc)";
                return negative_errno();
        }
        if (mount("tmpfs", etc, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64m") < 0) {
                *ret_what = "mount a tmpfs on /etc";
                return negative_errno();
        }
        dst = open(etc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dst < 0) {
                *ret_what = "open the new /etc";
                return negative_errno();
        }
        *ret_what = "copy the factory /etc";
        return copy_tree(src, dst, 0);
}
