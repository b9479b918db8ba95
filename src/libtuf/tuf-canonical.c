/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tuf-canonical.h"
#include "tuf-json.h"

typedef struct Buffer {
        char *data;
        size_t size, allocated;
} Buffer;

static int buffer_append(Buffer *b, const void *p, size_t n) {
        if (n > SIZE_MAX / 2 - b->size)
                return -ENOMEM;
        if (b->size + n + 1 > b->allocated) {
                size_t a = MAX(b->allocated * 2, b->size + n + 1);
                char *d = realloc(b->data, MAX(a, (size_t) 256));

                if (!d)
                        return -ENOMEM;
                b->data = d;
                b->allocated = MAX(a, (size_t) 256);
        }
        memcpy(b->data + b->size, p, n);
        b->size += n;
        b->data[b->size] = 0;
        return 0;
}

static int buffer_putc(Buffer *b, char c) {
        return buffer_append(b, &c, 1);
}

/* Only the quote and the backslash are escaped; control characters and non-ASCII stay raw bytes, exactly
 * as securesystemslib writes them, or the signatures would not verify. */
static int write_string(Buffer *b, const char *s, size_t n) {
        int r = buffer_putc(b, '"');

        for (size_t i = 0; r >= 0 && i < n; i++) {
                if (s[i] == '"' || s[i] == '\\')
                        r = buffer_putc(b, '\\');
                if (r >= 0)
                        r = buffer_putc(b, s[i]);
        }
        return r < 0 ? r : buffer_putc(b, '"');
}

static int write_int(Buffer *b, json_object *o) {
        int64_t i = json_object_get_int64(o);
        char num[32];
        int n;

        /* json-c keeps values above INT64_MAX as uint64 and reports them saturated through get_int64. */
        if (i == INT64_MAX)
                n = snprintf(num, sizeof(num), "%" PRIu64, json_object_get_uint64(o));
        else
                n = snprintf(num, sizeof(num), "%" PRId64, i);
        return buffer_append(b, num, (size_t) n);
}

static int compare_keys(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static int write_value(Buffer *b, json_object *o, unsigned depth);

static int write_object(Buffer *b, json_object *o, unsigned depth) {
        size_t n = (size_t) json_object_object_length(o), i = 0;
        _cleanup_free_ const char **keys = NULL;
        int r;

        keys = calloc(MAX(n, (size_t) 1), sizeof(char *));
        if (!keys)
                return -ENOMEM;
        json_object_object_foreach(o, key, val) {
                (void) val;
                keys[i++] = key;
        }
        qsort(keys, n, sizeof(char *), compare_keys);
        r = buffer_putc(b, '{');
        for (i = 0; r >= 0 && i < n; i++) {
                if (i > 0)
                        r = buffer_putc(b, ',');
                if (r >= 0)
                        r = write_string(b, keys[i], strlen(keys[i]));
                if (r >= 0)
                        r = buffer_putc(b, ':');
                if (r >= 0)
                        r = write_value(b, json_object_object_get(o, keys[i]), depth + 1);
        }
        return r < 0 ? r : buffer_putc(b, '}');
}

static int write_array(Buffer *b, json_object *o, unsigned depth) {
        size_t n = json_object_array_length(o);
        int r = buffer_putc(b, '[');

        for (size_t i = 0; r >= 0 && i < n; i++) {
                if (i > 0)
                        r = buffer_putc(b, ',');
                if (r >= 0)
                        r = write_value(b, json_object_array_get_idx(o, i), depth + 1);
        }
        return r < 0 ? r : buffer_putc(b, ']');
}

static int write_value(Buffer *b, json_object *o, unsigned depth) {
        if (depth > TUF_JSON_MAX_DEPTH)
                return -ELOOP;
        switch (json_object_get_type(o)) {
        case json_type_null:
                return buffer_append(b, "null", 4);
        case json_type_boolean:
                return json_object_get_boolean(o) ? buffer_append(b, "true", 4)
                                                  : buffer_append(b, "false", 5);
        case json_type_int:
                return write_int(b, o);
        case json_type_string:
                return write_string(b, json_object_get_string(o), (size_t) json_object_get_string_len(o));
        case json_type_object:
                return write_object(b, o, depth);
        case json_type_array:
                return write_array(b, o, depth);
        case json_type_double:
        default:
                return -EDOM;
        }
}

int tuf_canonical_json(json_object *o, char **ret, size_t *ret_size) {
        Buffer b = {};
        int r;

        r = write_value(&b, o, 0);
        if (r >= 0 && !b.data)
                r = buffer_append(&b, "", 0);
        if (r < 0) {
                free(b.data);
                return r;
        }
        *ret = b.data;
        if (ret_size)
                *ret_size = b.size;
        return 0;
}
