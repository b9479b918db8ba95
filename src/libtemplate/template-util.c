/* SPDX-License-Identifier: MIT */
#include <json-c/json.h>
#include <stdarg.h>

#include "template-internal.h"

int buffer_append(Buffer *b, const char *s, size_t n) {
        if (n == 0)
                return 0;
        if (n > TEMPLATE_MAX_OUTPUT - b->size || b->size > TEMPLATE_MAX_OUTPUT)
                return -E2BIG;
        if (b->size + n + 1 > b->allocated) {
                size_t a = MAX(b->allocated * 2, b->size + n + 1);
                char *p = realloc(b->data, MAX(a, (size_t) 64));

                if (!p)
                        return -ENOMEM;
                b->data = p;
                b->allocated = MAX(a, (size_t) 64);
        }
        memcpy(b->data + b->size, s, n);
        b->size += n;
        b->data[b->size] = 0;
        return 0;
}

int buffer_append_str(Buffer *b, const char *s) {
        return buffer_append(b, s, strlen(s));
}

/* The four characters the Mustache spec escapes; runs of other bytes are copied in one go. */
int buffer_append_html(Buffer *b, const char *s, size_t n) {
        size_t start = 0;
        int r;

        for (size_t i = 0; i < n; i++) {
                const char *e = s[i] == '&'   ? "&amp;"
                                : s[i] == '<' ? "&lt;"
                                : s[i] == '>' ? "&gt;"
                                : s[i] == '"' ? "&quot;"
                                              : NULL;
                if (!e)
                        continue;
                r = buffer_append(b, s + start, i - start);
                if (r < 0)
                        return r;
                r = buffer_append_str(b, e);
                if (r < 0)
                        return r;
                start = i + 1;
        }
        return buffer_append(b, s + start, n - start);
}

void buffer_done(Buffer *b) {
        free(b->data);
        b->data = NULL;
        b->size = b->allocated = 0;
}

int value_text(struct json_object *v, const char **ret, size_t *ret_size) {
        const char *s;

        switch (json_object_get_type(v)) {
        case json_type_null:
                *ret = "";
                *ret_size = 0;
                return 0;
        case json_type_string:
                s = json_object_get_string(v);
                *ret_size = (size_t) json_object_get_string_len(v);
                if (memchr(s, 0, *ret_size))
                        return -EINVAL;
                *ret = s;
                return 0;
        default:
                /* Numbers print as they were written in the JSON (json-c keeps that text), lists and
                 * objects as compact JSON. */
                s = json_object_to_json_string_ext(v, TEMPLATE_JSON_FLAGS);
                if (!s)
                        return -ENOMEM;
                *ret = s;
                *ret_size = strlen(s);
                return 0;
        }
}

int template_error_set(TemplateError *e, int error, const char *fmt, ...) {
        va_list ap;

        if (!e)
                return error;
        va_start(ap, fmt);
        (void) vsnprintf(e->message, sizeof(e->message), fmt, ap);
        va_end(ap);
        return error;
}

void template_error_place(TemplateError *e, const char *source, unsigned line, unsigned column) {
        if (!e)
                return;
        (void) snprintf(e->source, sizeof(e->source), "%s", source ?: "");
        e->line = line;
        e->column = column;
}
