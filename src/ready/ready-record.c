/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "ready-record.h"

#define RECORD_MAX (64 * 1024)

int record_failed_boot(const char *path, const char *what) {
        _cleanup_free_ char *old = NULL, *new = NULL;
        int r;

        r = read_full_file(path, RECORD_MAX, &old, NULL);
        if (r < 0 && r != -ENOENT)
                return r;
        if (asprintf(&new, "%s%s\n", old ?: "", what) < 0)
                return -ENOMEM;
        return write_file_atomic(path, new, strlen(new), 0644);
}

int trial_mark(const char *path, const char *boot_id, const char *what) {
        _cleanup_free_ char *text = NULL;

        if (asprintf(&text, "%s %s\n", boot_id, what) < 0)
                return -ENOMEM;
        return write_file_atomic(path, text, strlen(text), 0644);
}

int trial_take(const char *path, const char *boot_id, char **ret_what) {
        _cleanup_free_ char *text = NULL;
        size_t n = strlen(boot_id);
        int r;

        r = read_full_file(path, RECORD_MAX, &text, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (unlink(path) < 0 && errno != ENOENT)
                return negative_errno();
        if (strneq(text, boot_id, n) && text[n] == ' ')
                return 0;
        text[strcspn(text, "\n")] = 0;
        /* What follows the first space; a mark without one still says a boot went unjudged. */
        const char *what = strchr(text, ' ');
        *ret_what = strdup(what ? what + 1 : "version=? set=?");
        return *ret_what ? 1 : -ENOMEM;
}
