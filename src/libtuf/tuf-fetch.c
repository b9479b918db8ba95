/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "tuf-fetch.h"

TufFetcher *tuf_fetcher_free(TufFetcher *f) {
        if (f && f->free)
                f->free(f);
        return NULL;
}

void tuf_fetcher_set_notify(TufFetcher *f, TufNotify notify, void *userdata) {
        f->notify = notify;
        f->notify_userdata = userdata;
}

void tuf_fetcher_notify(TufFetcher *f, const char *fmt, ...) {
        _cleanup_free_ char *message = NULL;
        va_list ap;
        int r;

        if (!f->notify)
                return;
        va_start(ap, fmt);
        r = vasprintf(&message, fmt, ap);
        va_end(ap);
        if (r < 0)
                return; /* a notice lost to memory pressure is no reason to fail a download */
        f->notify(message, f->notify_userdata);
}

void tuf_fetch_backoff(unsigned attempt) {
        uint64_t ms = (uint64_t) TUF_FETCH_BACKOFF_MS * attempt;
        struct timespec ts = { .tv_sec = (time_t) (ms / 1000), .tv_nsec = (long) (ms % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}
