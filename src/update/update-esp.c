/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fileio.h"
#include "tuf-error.h"
#include "update-esp.h"

#define NAME_PREFIX "bulkhead-"
#define NAME_SUFFIX ".efi"

static int parse_uint(const char *s, size_t n, unsigned *ret) {
        unsigned v = 0;

        if (n == 0 || n > 4)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned) (s[i] - '0');
        }
        *ret = v;
        return 0;
}

/* "+LEFT" or "+LEFT-DONE" at the end of the stem, as systemd-boot reads it. */
static size_t parse_counter(const char *stem, size_t n, UkiName *u) {
        const char *plus = memrchr(stem, '+', n), *dash;
        size_t len;

        if (!plus)
                return n;
        len = n - (size_t) (plus + 1 - stem);
        dash = memchr(plus + 1, '-', len);
        if (dash) {
                if (parse_uint(plus + 1, (size_t) (dash - plus - 1), &u->left) < 0 ||
                    parse_uint(dash + 1, (size_t) (stem + n - dash - 1), &u->done) < 0)
                        return n;
        } else if (parse_uint(plus + 1, len, &u->left) < 0)
                return n;
        u->counted = true;
        return (size_t) (plus - stem);
}

int update_uki_name_parse(const char *name, UkiName *ret) {
        size_t n = strlen(name), p = strlen(NAME_PREFIX), s = strlen(NAME_SUFFIX), v;
        UkiName u = {};

        if (n <= p + s || !strneq(name, NAME_PREFIX, p) || !streq(name + n - s, NAME_SUFFIX))
                return -EINVAL;
        n = parse_counter(name + p, n - p - s, &u);
        /* What is left is <version>-<set>. */
        if (n < 3 || name[p + n - 2] != '-' || (name[p + n - 1] != 'a' && name[p + n - 1] != 'b'))
                return -EINVAL;
        u.set = name[p + n - 1];
        v = n - 2;
        if (v > UPDATE_VERSION_MAX)
                return -EINVAL;
        memcpy(u.version, name + p, v);
        u.version[v] = 0;
        *ret = u;
        return 0;
}

static int open_uki_dir(const char *esp, char **ret_error) {
        _cleanup_close_ int efi = -EBADF;
        int fd;

        fd = open(esp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return tuf_error(ret_error, negative_errno(), "cannot open the ESP '%s': %s", esp,
                                 strerror(errno));
        efi = fd;
        /* A fresh ESP may lack the directories; systemd-boot finds them once they are there. */
        if (mkdirat(efi, "EFI", 0755) < 0 && errno != EEXIST)
                return tuf_error(ret_error, negative_errno(), "%s/EFI: %s", esp, strerror(errno));
        if (mkdirat(efi, UPDATE_ESP_DIR, 0755) < 0 && errno != EEXIST)
                return tuf_error(ret_error, negative_errno(), "%s/%s: %s", esp, UPDATE_ESP_DIR,
                                 strerror(errno));
        fd = openat(efi, UPDATE_ESP_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return tuf_error(ret_error, negative_errno(), "%s/%s: %s", esp, UPDATE_ESP_DIR,
                                 strerror(errno));
        return fd;
}

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

int update_esp_for_each_uki(int dir_fd, UkiVisitor f, void *userdata) {
        _cleanup_(closedirp) DIR *d = NULL;
        int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        struct dirent *de;

        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return negative_errno();
        }
        rewinddir(d);
        while ((errno = 0, de = readdir(d))) {
                UkiName u;
                int r;

                if (update_uki_name_parse(de->d_name, &u) < 0)
                        continue;
                r = f(dir_fd, de->d_name, &u, userdata);
                if (r < 0)
                        return r;
        }
        return errno > 0 ? -errno : 0;
}

typedef struct RemoveSet {
        char set;
        uint64_t freed;
        unsigned removed;
} RemoveSet;

static int remove_one(int dir_fd, const char *name, const UkiName *u, void *userdata) {
        RemoveSet *rs = userdata;
        struct stat st;

        if (u->set != rs->set)
                return 0;
        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
                rs->freed += (uint64_t) st.st_size;
        if (unlinkat(dir_fd, name, 0) < 0)
                return negative_errno();
        rs->removed++;
        return 0;
}

int update_esp_remove_set(const char *esp, char set, uint64_t *ret_freed, char **ret_error) {
        _cleanup_close_ int dir = open_uki_dir(esp, ret_error);
        RemoveSet rs = { .set = set };
        int r;

        if (dir < 0)
                return dir;
        r = update_esp_for_each_uki(dir, remove_one, &rs);
        if (r < 0)
                return tuf_error(ret_error, r, "cannot remove the UKIs of set %c from '%s': %s", set, esp,
                                 strerror(-r));
        if (rs.removed > 0 && (r = sync_file_system(dir)) < 0)
                return tuf_error(ret_error, r, "cannot sync the ESP '%s': %s", esp, strerror(-r));
        if (ret_freed)
                *ret_freed = rs.freed;
        return (int) rs.removed;
}

typedef struct RestoreSet {
        char set;
        unsigned restored;
} RestoreSet;

static int restore_one(int dir_fd, const char *name, const UkiName *u, void *userdata) {
        RestoreSet *rs = userdata;
        char to[128];

        if (u->set != rs->set || !u->counted || u->left > 0)
                return 0;
        if (!snprintf_ok(to, NAME_PREFIX "%s-%c" NAME_SUFFIX, u->version, u->set))
                return -ENAMETOOLONG;
        /* Never over another UKI of that name. */
        if (renameat2(dir_fd, name, dir_fd, to, RENAME_NOREPLACE) < 0)
                return errno == EEXIST ? 0 : negative_errno();
        rs->restored++;
        return 0;
}

int update_esp_restore_set(const char *esp, char set, char **ret_error) {
        _cleanup_close_ int dir = open_uki_dir(esp, ret_error);
        RestoreSet rs = { .set = set };
        int r;

        if (dir < 0)
                return dir;
        r = update_esp_for_each_uki(dir, restore_one, &rs);
        if (r < 0)
                return tuf_error(ret_error, r, "cannot restore the UKIs of set %c in '%s': %s", set, esp,
                                 strerror(-r));
        if (rs.restored > 0 && (r = sync_file_system(dir)) < 0)
                return tuf_error(ret_error, r, "cannot sync the ESP '%s': %s", esp, strerror(-r));
        return (int) rs.restored;
}

int update_esp_check_space(const char *esp, uint64_t size, int64_t free_override, char **ret_error) {
        struct statvfs sv;
        uint64_t avail;

        if (free_override >= 0)
                avail = (uint64_t) free_override;
        else if (statvfs(esp, &sv) < 0)
                return tuf_error(ret_error, negative_errno(), "statvfs '%s': %s", esp, strerror(errno));
        else
                avail = (uint64_t) sv.f_bavail * sv.f_frsize;
        if (avail < size)
                return tuf_error(ret_error, -ENOSPC,
                                 "ESP has %" PRIu64 " bytes free, the UKI needs %" PRIu64, avail, size);
        return 0;
}

typedef struct FileSink {
        int fd;
} FileSink;

static int file_sink(const void *data, size_t size, void *userdata) {
        return loop_write(((FileSink *) userdata)->fd, data, size);
}

void update_staged_uki_done(UpdateStagedUki *s) {
        if (s->dir_fd < 0)
                return;
        if (s->tmp[0])
                (void) unlinkat(s->dir_fd, s->tmp, 0);
        s->file_fd = safe_close(s->file_fd);
        s->dir_fd = safe_close(s->dir_fd);
}

int update_esp_stage_uki(UpdateRepo *repo, const TufTarget *uki, const char *esp, const char *version,
                         char set, int64_t free_override, UpdateStagedUki *ret, char **ret_error) {
        _cleanup_(update_staged_uki_done) UpdateStagedUki s = UPDATE_STAGED_UKI_NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (!snprintf_ok(s.name, NAME_PREFIX "%s-%c+%d" NAME_SUFFIX, version, set, UPDATE_UKI_TRIES) ||
            !snprintf_ok(s.tmp, ".%s.tmp", s.name))
                return tuf_error(ret_error, -ENAMETOOLONG, "version '%s' is too long for a UKI name",
                                 version);
        r = update_esp_check_space(esp, uki->length, free_override, ret_error);
        if (r < 0)
                return r;
        s.dir_fd = open_uki_dir(esp, ret_error);
        if (s.dir_fd < 0)
                return s.dir_fd;
        fd = openat(s.dir_fd, s.tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) {
                r = tuf_error(ret_error, negative_errno(), "%s/%s/%s: %s", esp, UPDATE_ESP_DIR, s.tmp,
                              strerror(errno));
                s.tmp[0] = 0; /* not created: nothing to remove */
                return r;
        }
        r = update_repo_fetch(repo, uki, file_sink, &(FileSink){ fd }, ret_error);
        if (r < 0)
                return tuf_error(ret_error, r, "%s: %s", uki->path, strerror(-r));
        if (fsync(fd) < 0)
                return tuf_error(ret_error, negative_errno(), "%s/%s/%s: %s", esp, UPDATE_ESP_DIR, s.tmp,
                                 strerror(errno));
        s.file_fd = TAKE_FD(fd);
        *ret = s;
        s = (UpdateStagedUki) UPDATE_STAGED_UKI_NULL;
        return 0;
}

int update_esp_place_uki(UpdateStagedUki *s, const char *esp, char **ret_error) {
        int r;

        if (renameat(s->dir_fd, s->tmp, s->dir_fd, s->name) < 0)
                return tuf_error(ret_error, negative_errno(), "%s/%s/%s: %s", esp, UPDATE_ESP_DIR, s->name,
                                 strerror(errno));
        s->tmp[0] = 0; /* placed: nothing left to remove */
        /* The renamed file's inode, on vfat, holds its new directory entry's start and size. */
        r = fsync(s->file_fd) < 0 ? negative_errno() : sync_file_system(s->dir_fd);
        if (r < 0)
                return tuf_error(ret_error, r, "cannot sync the ESP '%s': %s", esp, strerror(-r));
        return 0;
}

int update_esp_remove_untried(const char *esp, const char *version, char set, char **ret_error) {
        _cleanup_close_ int dir = open_uki_dir(esp, ret_error);
        char name[128];

        if (dir < 0)
                return dir;
        if (!snprintf_ok(name, NAME_PREFIX "%s-%c+%d" NAME_SUFFIX, version, set, UPDATE_UKI_TRIES))
                return 0;
        if (unlinkat(dir, name, 0) < 0)
                return errno == ENOENT
                               ? 0
                               : tuf_error(ret_error, negative_errno(), "%s: %s", name, strerror(errno));
        int r = sync_file_system(dir);
        if (r < 0)
                return tuf_error(ret_error, r, "cannot sync the ESP '%s': %s", esp, strerror(-r));
        return 1;
}
