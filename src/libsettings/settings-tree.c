/* SPDX-License-Identifier: MIT */
/* Settings trees as nested json-c objects: walking their leaves and building them from key paths. */
#include "settings-internal.h"

static int walk(struct json_object *o, char **names, size_t n, SettingsLeafFunc f, void *userdata) {
        int r;

        if (!json_object_is_type(o, json_type_object))
                return f(names, n, o, userdata);
        if (n >= SETTINGS_KEY_MAX_DEPTH)
                return -E2BIG;
        json_object_object_foreach(o, name, value) {
                names[n] = name;
                r = walk(value, names, n + 1, f, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

int settings_tree_walk(struct json_object *tree, SettingsLeafFunc f, void *userdata) {
        char *names[SETTINGS_KEY_MAX_DEPTH];

        /* The root is an object by contract; a bare value has no key path below `settings`. */
        if (!json_object_is_type(tree, json_type_object))
                return -EINVAL;
        return walk(tree, names, 0, f, userdata);
}

int settings_tree_set(struct json_object *tree, char *const *names, size_t n, struct json_object *value) {
        struct json_object *o = tree, *next;

        if (n == 0)
                return -EINVAL;
        for (size_t i = 0; i + 1 < n; i++) {
                if (!json_object_object_get_ex(o, names[i], &next) ||
                    !json_object_is_type(next, json_type_object)) {
                        next = json_object_new_object();
                        if (!next || json_object_object_add(o, names[i], next) < 0) {
                                json_object_put(next);
                                return -ENOMEM;
                        }
                }
                o = next;
        }
        if (json_object_object_add(o, names[n - 1], json_object_get(value)) < 0) {
                json_object_put(value);
                return -ENOMEM;
        }
        return 0;
}

int settings_tree_merge(struct json_object *dst, struct json_object *src) {
        int r;

        json_object_object_foreach(src, name, value) {
                struct json_object *d;

                if (json_object_is_type(value, json_type_object) &&
                    json_object_object_get_ex(dst, name, &d) && json_object_is_type(d, json_type_object)) {
                        r = settings_tree_merge(d, value);
                        if (r < 0)
                                return r;
                } else {
                        /* Objects are copied so that later merges into dst never reach into src. */
                        struct json_object *v = NULL;

                        if (json_object_is_type(value, json_type_object)) {
                                if (json_object_deep_copy(value, &v, NULL) < 0)
                                        return -ENOMEM;
                        } else
                                v = json_object_get(value);
                        if (json_object_object_add(dst, name, v) < 0) {
                                json_object_put(v);
                                return -ENOMEM;
                        }
                }
        }
        return 0;
}
