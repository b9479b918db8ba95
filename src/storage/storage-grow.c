/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <linux/blkpg.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

#include "gpt.h"
#include "macro.h"
#include "storage.h"

int grow_partition(const PartitionInfo *p) {
        _cleanup_close_ int fd = open(p->disk_node, O_RDWR | O_CLOEXEC);
        uint64_t bytes;
        unsigned idx;
        GptTable t;
        int r;

        if (fd < 0)
                return negative_errno();
        if (ioctl(fd, BLKGETSIZE64, &bytes) < 0)
                return negative_errno();
        r = gpt_grow_last_partition(fd, bytes, &idx);
        if (r <= 0)
                return r;
        /* Only the data partition, last on the disk, may grow: anything else means a disk we do not own. */
        r = gpt_read(fd, bytes, &t, NULL);
        if (r < 0)
                return r;
        if (idx + 1 != p->partno)
                return -EXDEV;
        /* The kernel cannot re-read a table with partitions in use (the root is mounted); tell it about
         * this one partition instead. */
        struct blkpg_partition part = {
                .start = (long long) (t.partitions[idx].first_lba * GPT_SECTOR),
                .length = (long long) ((t.partitions[idx].last_lba - t.partitions[idx].first_lba + 1) *
                                       GPT_SECTOR),
                .pno = (int) p->partno,
        };
        struct blkpg_ioctl_arg arg = {
                .op = BLKPG_RESIZE_PARTITION,
                .datalen = sizeof(part),
                .data = &part,
        };
        if (ioctl(fd, BLKPG, &arg) < 0)
                return negative_errno();
        return 1;
}
