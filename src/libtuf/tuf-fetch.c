/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "macro.h"
#include "tuf-fetch.h"

TufFetcher *tuf_fetcher_free(TufFetcher *f) {
        if (f && f->free)
                f->free(f);
        return NULL;
}

