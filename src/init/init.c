/* SPDX-License-Identifier: MIT */
/* bulkhead-init: the initramfs /init. Loads the modules for the disk, dm-verity and erofs, finds this set's
 * root and hash partitions by PARTUUID, creates the dm-verity device with restart_on_corruption, mounts the
 * erofs root read-only, seeds /etc, and hands over to systemd. Every failure prints one line and reboots:
 * there is no shell to fall into, and a machine that reboots lets boot counting pick another set. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "fileio.h"
#include "init-etc.h"
#include "init.h"
#include "macro.h"

#define SYSROOT   "/sysroot"
#define ROOT_NODE "/dev/bulkhead-root"

static void say(const char *fmt, ...) _printf_(1, 2);
static void say(const char *fmt, ...) {
        char line[1024];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        n = MIN(n, (int) sizeof(line) - 2);
        line[n++] = '\n';
        (void) loop_write(STDERR_FILENO, "bulkhead-init: ", 15);
        (void) loop_write(STDERR_FILENO, line, (size_t) n);
}

_noreturn_ static void fail(int error, const char *fmt, ...) _printf_(2, 3);
_noreturn_ static void fail(int error, const char *fmt, ...) {
        char what[768];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        if (error)
                say("%s: %s; rebooting", what, strerror(error < 0 ? -error : error));
        else
                say("%s; rebooting", what);
        sync();
        nanosleep(&(struct timespec){ .tv_sec = 3 }, NULL);
        reboot(RB_AUTOBOOT);
        for (;;)
                pause();
}

static void mount_api_filesystems(void) {
        static const struct {
                const char *what, *where, *type, *options;
                unsigned long flags;
        } mounts[] = {
                { "proc", "/proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
                { "sysfs", "/sys", "sysfs", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
                { "devtmpfs", "/dev", "devtmpfs", "mode=0755", MS_NOSUID | MS_NOEXEC },
                /* /run noexec from the start: systemd keeps a /run it finds mounted. */
                { "tmpfs", "/run", "tmpfs", "mode=0755,size=20%", MS_NOSUID | MS_NODEV | MS_NOEXEC },
        };

        for (size_t i = 0; i < ELEMENTSOF(mounts); i++) {
                (void) mkdir(mounts[i].where, 0755);
                if (mount(mounts[i].what, mounts[i].where, mounts[i].type, mounts[i].flags,
                          mounts[i].options) < 0)
                        fail(errno, "cannot mount %s", mounts[i].where);
        }
        (void) mkdir("/dev/shm", 01777);
        if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777") < 0)
                fail(errno, "cannot mount /dev/shm");
}

/* The kernel gave us /dev/console from the initramfs; reopen it from devtmpfs in case it could not. */
static void open_console(void) {
        int fd;

        if (fcntl(STDERR_FILENO, F_GETFD) >= 0)
                return;
        fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return;
        for (int i = 0; i < 3; i++)
                (void) dup2(fd, i);
        if (fd > 2)
                close(fd);
}

int main(int argc, char *argv[]) {
        _cleanup_free_ char *cmdline = NULL;
        char bad[256], root_dev[32], hash_dev[32];
        const char *what;
        BootParams p;
        dev_t dev;
        int r;

        if (getpid() != 1)
                fail(0, "must run as PID 1 of the initramfs");
        mount_api_filesystems();
        open_console();

        r = load_modules("/lib/modules", &what);
        if (r < 0)
                fail(r, "cannot load kernel module %s", what);
        r = read_full_file("/proc/cmdline", 64 * 1024, &cmdline, NULL);
        if (r < 0)
                fail(r, "cannot read /proc/cmdline");
        r = boot_params_parse(cmdline, &p, bad, sizeof(bad));
        if (r < 0)
                fail(0, "%s", bad);

        if (find_partition(p.root_uuid, 15000, root_dev, sizeof(root_dev)) < 0)
                fail(0, "cannot find partition bulkhead.root of set %c (waited 15 s)", p.set);
        if (find_partition(p.verity_uuid, 1000, hash_dev, sizeof(hash_dev)) < 0)
                fail(0, "cannot find partition bulkhead.verity of set %c", p.set);

        r = verity_create(&p, root_dev, hash_dev, &dev);
        if (r < 0)
                fail(r, "cannot set up dm-verity for root %s (hash %s)", root_dev, hash_dev);
        if (mknod(ROOT_NODE, S_IFBLK | 0600, dev) < 0 && errno != EEXIST)
                fail(errno, "cannot create %s", ROOT_NODE);
        (void) mkdir(SYSROOT, 0755);
        /* A root hash that does not match fails here: the first read of the superblock is verified. */
        if (mount(ROOT_NODE, SYSROOT, "erofs", MS_RDONLY | MS_NODEV, NULL) < 0)
                fail(errno, "cannot mount the verified root (root hash %.12s…)", p.roothash_hex);
        r = seed_etc(SYSROOT, &what);
        if (r < 0)
                fail(r, "cannot %s", what);
        if (access(SYSROOT "/usr", F_OK) < 0)
                fail(0, "the root file system has no /usr");

        say("root %.12s… verified by dm-verity (set %c, %llu blocks), switching to %s", p.roothash_hex,
            p.set, (unsigned long long) p.verity_blocks, p.init);
        r = switch_root(SYSROOT);
        if (r < 0)
                fail(r, "cannot switch to the new root");
        char *const args[] = { p.init, NULL };
        execv(p.init, args);
        fail(errno, "cannot start %s", p.init);
}
