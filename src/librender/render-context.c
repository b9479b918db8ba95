/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "render-files.h"

static int by_name(const void *a, const void *b) {
        struct json_object *const *x = a, *const *y = b;
        struct json_object *nx, *ny;

        json_object_object_get_ex(*x, "name", &nx);
        json_object_object_get_ex(*y, "name", &ny);
        return strcmp(json_object_get_string(nx), json_object_get_string(ny));
}

/* Adds "@entries" to o and, depth first, to every object below it. */
static int add_entries(struct json_object *o, unsigned depth) {
        struct json_object *entries;

        if (depth > 64)
                return -ELOOP;
        if (json_object_is_type(o, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(o); i++) {
                        int r = add_entries(json_object_array_get_idx(o, i), depth + 1);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (!json_object_is_type(o, json_type_object))
                return 0;
        entries = json_object_new_array();
        if (!entries)
                return -ENOMEM;
        json_object_object_foreach(o, name, value) {
                int r = add_entries(value, depth + 1);
                if (r < 0) {
                        json_object_put(entries);
                        return r;
                }
                struct json_object *e = json_object_new_object();
                json_object_object_add(e, "name", json_object_new_string(name));
                json_object_object_add(e, "value", json_object_get(value));
                json_object_array_add(entries, e);
        }
        json_object_array_sort(entries, by_name);
        json_object_object_add(o, "@entries", entries);
        return 0;
}

int render_context_new(struct json_object *settings, struct json_object **ret) {
        struct json_object *copy = NULL, *ctx;
        int r;

        if (settings && json_object_deep_copy(settings, &copy, NULL) < 0)
                return -ENOMEM;
        if (!copy)
                copy = json_object_new_object();
        r = add_entries(copy, 0);
        if (r < 0) {
                json_object_put(copy);
                return r;
        }
        ctx = json_object_new_object();
        json_object_object_add(ctx, "settings", copy);
        *ret = ctx;
        return 0;
}
