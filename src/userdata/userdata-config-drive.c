/* SPDX-License-Identifier: MIT */
/* The config drive provider: a small disk or CD image the hypervisor attaches, found by its file system
 * label. cloud-init's NoCloud calls it CIDATA, OpenStack calls it config-2, and each keeps the user data at
 * its own path. The drive is mounted only for the one read, read-only, at a private directory that is
 * removed again whatever happens. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fileio.h"
#include "log.h"
#include "userdata-provider.h"

static const struct {
        const char *label;
        const char *path; /* of the user data, inside the drive */
} drives[] = {
        /* NoCloud takes the label in either case; genisoimage -V cidata, as its documentation shows,
         * writes it in lower case, and mkfs.vfat in upper. */
        { "CIDATA", "user-data" },
        { "cidata", "user-data" },
        { "config-2", "openstack/latest/user_data" },
};

/* NOSYMFOLLOW: the drive comes from outside, and a link on it must not lead the read into our own
 * files. NODEV as well, so that no device node on it opens. */
#define DRIVE_MOUNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOSYMFOLLOW)

typedef struct MountPoint {
        char *dir; /* made by mkdtemp(), removed when done */
        bool mounted;
} MountPoint;

static void mount_point_done(MountPoint *m) {
        /* The lazy unmount is for a drive that went away under us: the directory must not stay busy. */
        if (m->mounted && umount2(m->dir, 0) < 0 && umount2(m->dir, MNT_DETACH) < 0)
                log_debug_errno(negative_errno(), "Failed to unmount '%s': %m", m->dir);
        if (m->dir && rmdir(m->dir) < 0)
                log_debug_errno(negative_errno(), "Failed to remove '%s': %m", m->dir);
        free(m->dir);
        *m = (MountPoint){};
}

/* Sets *ret_error to "LABEL drive DEVICE: …", which with the provider's name in front tells a person which
 * drive and which step; returns r. */
static int fail(char **ret_error, int r, const char *label, const char *device, const char *fmt, ...)
        _printf_(5, 6);
static int fail(char **ret_error, int r, const char *label, const char *device, const char *fmt, ...) {
        _cleanup_free_ char *what = NULL;
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&what, fmt, ap);
        va_end(ap);
        if (n < 0 || asprintf(ret_error, "%s drive %s: %s", label, device, what) < 0)
                *ret_error = NULL;
        return r;
}

/* Reads the user data file below root, where the drive is (or, for the test hook, a directory is). */
static int read_user_data(const char *root, unsigned i, const char *device, char **ret_data, size_t *ret_len,
                          char **ret_error) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r;

        if (asprintf(&path, "%s/%s", root, drives[i].path) < 0)
                return -ENOMEM;
        /* NONBLOCK so that a FIFO cannot hold the boot before fstat() tells it apart. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
                return -ENOENT; /* a drive without user data: OpenStack writes user_data only when given */
        if (fd < 0 && errno == ELOOP)
                return fail(ret_error, -ELOOP, drives[i].label, device, "%s: a symbolic link, not followed",
                            drives[i].path);
        if (fd < 0 || fstat(fd, &st) < 0)
                return fail(ret_error, negative_errno(), drives[i].label, device, "%s: %m", drives[i].path);
        if (!S_ISREG(st.st_mode))
                return fail(ret_error, -EINVAL, drives[i].label, device, "%s: not a regular file",
                            drives[i].path);
        r = read_full_fd(fd, USERDATA_MAX_SIZE, ret_data, ret_len);
        if (r < 0 && r != -EFBIG)
                return fail(ret_error, r, drives[i].label, device, "%s: %s", drives[i].path, strerror(-r));
        return r;
}

static int read_drive(const ProviderOptions *o, unsigned i, const char *device, char **ret_data,
                      size_t *ret_len, char **ret_error) {
        static const char *const types[] = { "iso9660", "vfat" };
        _cleanup_(mount_point_done) MountPoint m = {};
        _cleanup_free_ char *dir = NULL;
        int r = -ENODEV;

        if (asprintf(&dir, "%s/bulkhead-userdata-XXXXXX", o->run_dir) < 0)
                return -ENOMEM;
        /* mkdtemp() makes it 0700 under a name nobody can guess: nobody else walks in while it is mounted.
         */
        if (!mkdtemp(dir))
                return fail(ret_error, negative_errno(), drives[i].label, device,
                            "cannot make a mount point in %s: %m", o->run_dir);
        m.dir = TAKE_PTR(dir);
        for (size_t t = 0; t < ELEMENTSOF(types) && !m.mounted; t++)
                if (mount(device, m.dir, types[t], DRIVE_MOUNT_FLAGS, NULL) >= 0)
                        m.mounted = true;
                else
                        r = negative_errno();
        if (!m.mounted)
                return fail(ret_error, r, drives[i].label, device, "cannot mount as iso9660 or vfat: %s",
                            strerror(-r));
        return read_user_data(m.dir, i, device, ret_data, ret_len, ret_error);
}

int provider_read_config_drive(const ProviderOptions *o, char **ret_data, size_t *ret_len,
                               char **ret_error) {
        for (unsigned i = 0; i < ELEMENTSOF(drives); i++) {
                _cleanup_free_ char *link = NULL, *device = NULL;
                struct stat st;

                if (asprintf(&link, "%s/%s", o->by_label_dir, drives[i].label) < 0)
                        return -ENOMEM;
                if (stat(link, &st) < 0) {
                        if (errno == ENOENT || errno == ENOTDIR)
                                continue; /* no such drive, or a link left behind by one that went */
                        return fail(ret_error, negative_errno(), drives[i].label, link, "%m");
                }
                /* Test hook: a directory in place of the device stands for the drive's contents, so the
                 * lookup and the choice of file can be tested without root and without mount(2). udev
                 * only ever makes links to block devices here. */
                if (S_ISDIR(st.st_mode))
                        return read_user_data(link, i, link, ret_data, ret_len, ret_error);
                if (!S_ISBLK(st.st_mode))
                        return fail(ret_error, -ENOTBLK, drives[i].label, link,
                                    "neither a block device nor a directory");
                device = realpath(link, NULL);
                if (!device)
                        return fail(ret_error, negative_errno(), drives[i].label, link, "%m");
                return read_drive(o, i, device, ret_data, ret_len, ret_error);
        }
        return -ENOENT;
}
