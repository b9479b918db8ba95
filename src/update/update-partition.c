/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "gpt.h"
#include "macro.h"
#include "tuf-error.h"
#include "update-partition.h"

const char *update_root_partition_name(char set) {
        return set == 'a' ? "root-a" : "root-b";
}

const char *update_verity_partition_name(char set) {
        return set == 'a' ? "verity-a" : "verity-b";
}

void update_partition_done(UpdatePartition *p) {
        p->fd = safe_close(p->fd);
}

static int open_sized(const char *path, int *ret_fd, uint64_t *ret_size, char **ret_error) {
        _cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
        struct stat st;
        uint64_t size;

        if (fd < 0 || fstat(fd, &st) < 0)
                return tuf_error(ret_error, negative_errno(), "cannot open '%s': %s", path, strerror(errno));
        if (S_ISBLK(st.st_mode)) {
                if (ioctl(fd, BLKGETSIZE64, &size) < 0)
                        return tuf_error(ret_error, negative_errno(), "'%s': cannot get the size: %s", path,
                                         strerror(errno));
        } else if (S_ISREG(st.st_mode))
                size = (uint64_t) st.st_size;
        else
                return tuf_error(ret_error, -ENOTBLK, "'%s' is neither a block device nor a file", path);
        *ret_fd = TAKE_FD(fd);
        *ret_size = size;
        return 0;
}

int update_partition_open_whole(const char *path, UpdatePartition *ret, char **ret_error) {
        UpdatePartition p = UPDATE_PARTITION_NULL;
        int r;

        r = open_sized(path, &p.fd, &p.size, ret_error);
        if (r < 0)
                return r;
        (void) snprintf_ok(p.name, "%s", path);
        *ret = p;
        return 0;
}

int update_partition_open_gpt(const char *disk, const char *name, UpdatePartition *ret, char **ret_error) {
        _cleanup_free_ GptTable *t = malloc(sizeof(GptTable));
        _cleanup_close_ int fd = -EBADF;
        const GptPartition *part;
        UpdatePartition p = UPDATE_PARTITION_NULL;
        uint64_t size;
        bool backup = false;
        int r;

        if (!t)
                return -ENOMEM;
        r = open_sized(disk, &fd, &size, ret_error);
        if (r < 0)
                return r;
        r = gpt_read(fd, size, t, &backup);
        if (r < 0)
                return tuf_error(ret_error, r, "'%s': no valid GPT: %s", disk, strerror(-r));
        part = gpt_find_name(t, name);
        if (!part)
                return tuf_error(ret_error, -ENOENT, "'%s' has no partition named '%s'", disk, name);
        if (part->last_lba < part->first_lba || part->last_lba >= size / GPT_SECTOR)
                return tuf_error(ret_error, -EBADMSG, "'%s': partition '%s' lies outside the disk", disk,
                                 name);
        p.offset = part->first_lba * GPT_SECTOR;
        p.size = (part->last_lba - part->first_lba + 1) * GPT_SECTOR;
        p.fd = TAKE_FD(fd);
        (void) snprintf_ok(p.name, "%s", name);
        *ret = p;
        return 0;
}
