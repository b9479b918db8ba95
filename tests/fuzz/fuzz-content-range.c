/* SPDX-License-Identifier: MIT */
/* The Content-Range parser on arbitrary header values (a mirror answering a resumed download is untrusted):
 * it must refuse or return a range that holds together, never read past the value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tuf-content-range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        TufContentRange cr;
        char *value;

        if (size > 4096)
                return 0;
        /* libcurl hands header values over NUL-terminated; a NUL inside ends the value there. */
        value = strndup((const char *) data, size);
        if (!value)
                return 0;
        if (tuf_content_range_parse(value, &cr) == 0 &&
            (cr.last < cr.first || cr.last > (uint64_t) INT64_MAX ||
             (cr.complete != UINT64_MAX && cr.last >= cr.complete)))
                __builtin_trap();
        free(value);
        return 0;
}
