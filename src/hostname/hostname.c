/* SPDX-License-Identifier: MIT */
/* bulkhead-hostname: sets the kernel's hostname from /etc/hostname, which the API server renders from
 * settings.network.hostname. systemd reads that file only once, at the start of PID 1, before settings
 * exist; this runs after every render (the file's restart unit) so a change applies at once. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"

int main(int argc, char *argv[]) {
        const char *path = argc > 1 ? argv[1] : "/etc/hostname";
        _cleanup_free_ char *text = NULL;
        size_t n;
        int r;

        log_set_program("bulkhead-hostname");
        r = read_full_file(path, 4096, &text, NULL);
        if (r == -ENOENT)
                return 0; /* no hostname set: keep the kernel's */
        if (r < 0)
                return log_error_errno(r, "Failed to read %s: %m", path), 1;
        n = strcspn(text, "\n");
        text[n] = 0;
        if (n == 0 || n > 64)
                return log_error("%s: '%s' is not a hostname the kernel takes (1 to 64 bytes)", path, text),
                       1;
        if (sethostname(text, n) < 0)
                return log_error_errno(negative_errno(), "Failed to set the hostname to '%s': %m", text), 1;
        log_info("hostname set to %s", text);
        return 0;
}
