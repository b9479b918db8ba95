/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "init.h"
#include "macro.h"

/* Deletes the initramfs (a ramfs/tmpfs "rootfs") so its memory comes back, staying on its file system: the
 * moved mounts and the new root are other file systems and are left alone. */
static void remove_tree(int dfd, dev_t rootdev, unsigned depth) {
        DIR *d;
        struct dirent *de;

        if (depth > 32 || !(d = fdopendir(dfd))) {
                safe_close(dfd);
                return;
        }
        while ((de = readdir(d))) {
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != rootdev)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        int sub = openat(dirfd(d), de->d_name,
                                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0)
                                remove_tree(sub, rootdev, depth + 1);
                        (void) unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
                } else
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        }
        closedir(d);
}

int switch_root(const char *newroot) {
        static const char *moves[] = { "/dev", "/proc", "/sys", "/run" };
        struct stat st;
        int rootfd;

        for (size_t i = 0; i < ELEMENTSOF(moves); i++) {
                char target[256];
                if (!snprintf_ok(target, "%s%s", newroot, moves[i]))
                        return -ENAMETOOLONG;
                if (mount(moves[i], target, NULL, MS_MOVE, NULL) < 0)
                        return negative_errno();
        }
        if (chdir(newroot) < 0)
                return negative_errno();
        rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd >= 0 && fstat(rootfd, &st) == 0)
                remove_tree(rootfd, st.st_dev, 0);
        else
                safe_close(rootfd);
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
                return negative_errno();
        if (chroot(".") < 0 || chdir("/") < 0)
                return negative_errno();
        return 0;
}
