/* SPDX-License-Identifier: MIT */
/* bulkhead-storage DEVICE: prepares the data partition before /local is mounted. On the first boot of a
 * disk it grows the partition to fill the disk and formats it ext4; on later boots it finds the file system
 * and keeps it (growing the partition if the disk was made bigger, and the file system with it). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>

#include "log.h"
#include "macro.h"
#include "storage.h"

#define DATA_LABEL "BULKHEAD-DATA"
#define RESIZE2FS  "/usr/sbin/resize2fs"

static int resize_ext4(const char *node) {
        pid_t pid = fork();
        int status;

        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                execl(RESIZE2FS, RESIZE2FS, node, (char *) NULL);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0)
                return negative_errno();
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int run(const char *device) {
        _cleanup_close_ int fd = -EBADF;
        PartitionInfo p;
        int r, grew, exists;

        r = partition_info("/sys", device, &p);
        if (r < 0)
                return log_error_errno(r, "Failed to find the disk of data partition '%s': %m", device);
        grew = grow_partition(&p);
        if (grew < 0)
                return log_error_errno(grew, "Failed to grow data partition %s on %s: %m", p.part_node,
                                       p.disk_node);
        if (grew > 0) {
                r = partition_info("/sys", device, &p);
                if (r < 0)
                        return log_error_errno(r, "Failed to re-read data partition '%s': %m", device);
                printf("bulkhead-storage: grew %s to %llu MiB\n", p.part_node,
                       (unsigned long long) (p.size_sectors / 2048));
        }

        fd = open(p.part_node, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(negative_errno(), "Failed to open '%s': %m", p.part_node);
        exists = has_ext4(fd);
        if (exists < 0)
                return log_error_errno(exists, "Failed to read '%s': %m", p.part_node);
        fd = safe_close(fd);

        if (!exists) {
                r = format_ext4(p.part_node, DATA_LABEL);
                if (r < 0)
                        return log_error_errno(r, "Failed to format data partition '%s': %m", p.part_node);
                printf("bulkhead-storage: formatted %s as ext4 (%llu MiB, label %s)\n", p.part_node,
                       (unsigned long long) (p.size_sectors / 2048), DATA_LABEL);
        } else if (grew > 0) {
                r = resize_ext4(p.part_node);
                if (r < 0)
                        return log_error_errno(r, "Failed to grow the file system on '%s': %m", p.part_node);
        } else
                printf("bulkhead-storage: keeping the file system on %s\n", p.part_node);
        return 0;
}

int main(int argc, char *argv[]) {
        log_set_program("bulkhead-storage");
        if (argc != 2) {
                fprintf(stderr, "usage: bulkhead-storage DEVICE\n");
                return 2;
        }
        return run(argv[1]) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
