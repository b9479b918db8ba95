/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "tuf-error.h"
#include "update-esp.h"

/* The newest UKI of the other set, and every UKI of the current one. */
typedef struct Rollback {
        char current;
        UkiName other;
        bool have_other;
        char names[16][256];
        unsigned n_current;
} Rollback;

static int survey(int dir_fd, const char *name, const UkiName *u, void *userdata) {
        Rollback *rb = userdata;
        UpdateVersion a, b;

        if (u->set == rb->current) {
                if (rb->n_current >= ELEMENTSOF(rb->names) || strlen(name) >= sizeof(rb->names[0]))
                        return -E2BIG;
                memcpy(rb->names[rb->n_current++], name, strlen(name) + 1);
                return 0;
        }
        if (!rb->have_other ||
            (update_version_parse(u->version, &a) >= 0 && update_version_parse(rb->other.version, &b) >= 0 &&
             update_version_compare(&a, &b) > 0)) {
                rb->other = *u;
                rb->have_other = true;
        }
        return 0;
}

/* Renames name to the same UKI with no tries left: systemd-boot sorts it after every good entry, and
 * systemd-bless-boot can no longer bless it. */
static int mark_bad(int dir_fd, const char *name, const UkiName *u) {
        char to[256];

        if (u->counted && u->left == 0)
                return 0;
        if (!snprintf_ok(to, "bulkhead-%s-%c+0-%u.efi", u->version, u->set, u->counted ? u->done : 0))
                return -ENAMETOOLONG;
        return renameat(dir_fd, name, dir_fd, to) < 0 ? negative_errno() : 0;
}

int update_esp_rollback(const char *esp, char current_set, char ret_version[static UPDATE_VERSION_MAX + 1],
                        char **ret_error) {
        _cleanup_close_ int dir = -EBADF;
        Rollback rb = { .current = current_set };
        int r;

        dir = openat(AT_FDCWD, esp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir >= 0) {
                int sub = openat(dir, UPDATE_ESP_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                safe_close(dir);
                dir = sub;
        }
        if (dir < 0)
                return tuf_error(ret_error, negative_errno(), "cannot open '%s/%s': %s", esp, UPDATE_ESP_DIR,
                                 strerror(errno));
        r = update_esp_for_each_uki(dir, survey, &rb);
        if (r < 0)
                return tuf_error(ret_error, r, "cannot list '%s/%s': %s", esp, UPDATE_ESP_DIR, strerror(-r));
        if (!rb.have_other)
                return tuf_error(ret_error, -ENOENT, "no UKI of set %c on the ESP to roll back to",
                                 current_set == 'a' ? 'b' : 'a');
        /* A UKI out of tries already failed to boot three times; choosing it again is not a rollback. */
        if (rb.other.counted && rb.other.left == 0)
                return tuf_error(ret_error, -ESTALE, "the UKI of %s (set %c) has used up its boot tries",
                                 rb.other.version, rb.other.set);
        for (unsigned i = 0; i < rb.n_current; i++) {
                UkiName u;

                if (update_uki_name_parse(rb.names[i], &u) < 0)
                        continue;
                r = mark_bad(dir, rb.names[i], &u);
                if (r < 0)
                        return tuf_error(ret_error, r, "cannot rename '%s': %s", rb.names[i], strerror(-r));
        }
        r = sync_file_system(dir);
        if (r < 0)
                return tuf_error(ret_error, r, "cannot sync the ESP '%s': %s", esp, strerror(-r));
        memcpy(ret_version, rb.other.version, sizeof(rb.other.version));
        return 0;
}
