/* SPDX-License-Identifier: MIT */
/* What keys affect: the services named along a key's path and below it, and those services' files. */
#include "settings-internal.h"

static int set_add(struct json_object *set, char **names, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (json_object_object_add(set, names[i], NULL) < 0)
                        return -ENOMEM;
        return 0;
}

static int add_subtree(struct json_object *set, const SettingsNode *n) {
        int r = set_add(set, n->services, n->n_services);

        for (size_t i = 0; r >= 0 && i < n->n_children; i++)
                r = add_subtree(set, n->children[i]);
        if (r >= 0 && n->item)
                r = add_subtree(set, n->item);
        return r;
}

/* Adds the services key affects to set (an object used as a set of names). */
static int collect(const SettingsModel *m, const char *key, struct json_object *set,
                   SettingsError *ret_error) {
        _cleanup_(settings_key_done) SettingsKey k = {};
        const SettingsNode *n = m->root;
        int r;

        r = settings_key_parse(key, &k, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0;; i++) {
                r = set_add(set, n->services, n->n_services);
                if (r < 0)
                        return r;
                if (i == k.n)
                        break;
                if (n->type == SETTINGS_OBJECT)
                        n = settings_node_field(n, k.names[i]);
                else if (n->type == SETTINGS_MAP && regexec(&n->pattern, k.names[i], 0, NULL, 0) == 0)
                        n = n->item;
                else
                        n = NULL;
                if (!n)
                        return settings_error(ret_error, -ENOENT, key, "unknown key");
        }
        return add_subtree(set, n);
}

static int compare_strings(const void *a, const void *b) {
        return strcmp(json_object_get_string(*(struct json_object *const *) a),
                      json_object_get_string(*(struct json_object *const *) b));
}

/* The names of a set, sorted (json-c objects keep insertion order). */
static int set_to_array(struct json_object *set, struct json_object **ret) {
        struct json_object *a = json_object_new_array();

        if (!a)
                return -ENOMEM;
        json_object_object_foreach(set, name, _v) {
                (void) _v;
                if (json_object_array_add(a, json_object_new_string(name)) < 0) {
                        json_object_put(a);
                        return -ENOMEM;
                }
        }
        json_object_array_sort(a, compare_strings);
        *ret = a;
        return 0;
}

int settings_model_key_services(const SettingsModel *m, const char *key, struct json_object **ret,
                                SettingsError *ret_error) {
        _cleanup_(json_object_putp) struct json_object *set = json_object_new_object();
        int r;

        if (!set)
                return -ENOMEM;
        r = collect(m, key, set, ret_error);
        if (r < 0)
                return r;
        return set_to_array(set, ret);
}

int settings_model_affected(const SettingsModel *m, struct json_object *keys,
                            struct json_object **ret_services, struct json_object **ret_files,
                            SettingsError *ret_error) {
        _cleanup_(json_object_putp) struct json_object *set = json_object_new_object(), *services = NULL,
                                                       *files = NULL, *names = NULL;
        int r;

        if (!set)
                return -ENOMEM;
        if (!json_object_is_type(keys, json_type_array))
                return settings_error(ret_error, -EINVAL, "", "keys are not a list");
        for (size_t i = 0; i < json_object_array_length(keys); i++) {
                struct json_object *k = json_object_array_get_idx(keys, i);

                if (!json_object_is_type(k, json_type_string))
                        return settings_error(ret_error, -EINVAL, "", "keys are not a list of strings");
                r = collect(m, json_object_get_string(k), set, ret_error);
                if (r < 0)
                        return r;
        }
        r = set_to_array(set, &names);
        if (r < 0)
                return r;
        services = json_object_new_object();
        files = json_object_new_object();
        if (!services || !files)
                return -ENOMEM;
        for (size_t i = 0; i < json_object_array_length(names); i++) {
                const char *name = json_object_get_string(json_object_array_get_idx(names, i));
                struct json_object *s, *fl;

                /* Loading checked that every service a key names exists, and every file a service names. */
                json_object_object_get_ex(m->services, name, &s);
                if (json_object_object_add(services, name, json_object_get(s)) < 0)
                        return -ENOMEM;
                json_object_object_get_ex(s, "configuration-files", &fl);
                for (size_t k = 0; k < json_object_array_length(fl); k++) {
                        const char *fname = json_object_get_string(json_object_array_get_idx(fl, k));
                        struct json_object *f;

                        json_object_object_get_ex(m->files, fname, &f);
                        if (json_object_object_add(files, fname, json_object_get(f)) < 0)
                                return -ENOMEM;
                }
        }
        if (ret_services)
                *ret_services = TAKE_PTR(services);
        if (ret_files)
                *ret_files = TAKE_PTR(files);
        return 0;
}
