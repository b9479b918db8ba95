/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "log.h"
#include "macro.h"
#include "storage.h"

#define MKFS "/usr/sbin/mkfs.ext4"
#define SEED "/run/bulkhead-storage/seed"

static int run(char *const argv[]) {
        pid_t pid = fork();
        int status;

        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                execv(argv[0], argv);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0)
                return negative_errno();
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return log_error_errno(-EIO, "'%s' failed (status %d)", argv[0], status);
        return 0;
}

int format_ext4(const char *node, const char *label) {
        /* The mounts bind /var and /opt from the new file system, so it is created holding them (mke2fs -d).
         * /var/log/journal makes journald keep the journal on disk from the first boot on: without a shell,
         * the journal of earlier boots is what an operator has to find out what went wrong. */
        static const char *const dirs[] = { SEED, SEED "/var", SEED "/var/log", SEED "/var/log/journal",
                                            SEED "/opt" };
        (void) mkdir("/run/bulkhead-storage", 0700);
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                if (mkdir(dirs[i], 0755) < 0 && errno != EEXIST)
                        return log_error_errno(negative_errno(), "Failed to create '%s': %m", dirs[i]);
        char *argv[] = { (char *) MKFS,
                         (char *) "-q",
                         (char *) "-F",
                         (char *) "-L",
                         (char *) label,
                         (char *) "-d",
                         (char *) SEED,
                         (char *) "-E",
                         (char *) "lazy_itable_init=1,lazy_journal_init=1",
                         (char *) node,
                         NULL };
        return run(argv);
}
