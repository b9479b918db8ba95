/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "macro.h"
#include "tuf-fetch.h"

TufFetcher *tuf_fetcher_free(TufFetcher *f) {
        if (f && f->free)
                f->free(f);
        return NULL;
}

bool tuf_path_is_safe(const char *path) {
        const char *p = path;

        if (!path || *path == 0)
                return false;
        for (;;) {
                size_t n = strcspn(p, "/");

                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && strneq(p, "..", 2)))
                        return false;
                for (size_t i = 0; i < n; i++)
                        if ((unsigned char) p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\')
                                return false;
                if (p[n] == 0)
                        return true;
                p += n + 1;
        }
}
