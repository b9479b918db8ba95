/* SPDX-License-Identifier: MIT */
/* Reading the model files and merging a variant's file over the base
 * (docs/decisions/0006-settings-model.md). */
#include <stdio.h>

#include "fileio.h"
#include "settings-internal.h"

#define MODEL_MAX_SIZE  (4u << 20)
#define MODEL_MAX_DEPTH 64
#define MODEL_FORMAT    1

static int read_json(const char *path, struct json_object **ret, SettingsError *ret_error) {
        _cleanup_free_ char *text = NULL;
        struct json_tokener *tok;
        struct json_object *j;
        enum json_tokener_error e;
        size_t size;
        int r;

        r = read_full_file(path, MODEL_MAX_SIZE, &text, &size);
        if (r < 0)
                return settings_error(ret_error, r, "", "cannot read model file '%s': %s", path,
                                      strerror(-r));
        tok = json_tokener_new_ex(MODEL_MAX_DEPTH);
        if (!tok)
                return -ENOMEM;
        j = json_tokener_parse_ex(tok, text, (int) size + 1);
        e = json_tokener_get_error(tok);
        json_tokener_free(tok);
        if (e != json_tokener_success || !json_object_is_type(j, json_type_object)) {
                json_object_put(j);
                return settings_error(ret_error, -EINVAL, "", "model file '%s' is not a JSON object%s%s",
                                      path, e != json_tokener_success ? ": " : "",
                                      e != json_tokener_success ? json_tokener_error_desc(e) : "");
        }
        *ret = j;
        return 0;
}

static int check_properties(struct json_object *j, const char *allowed, const char *what,
                            SettingsError *ret_error) {
        json_object_object_foreach(j, prop, _v) {
                (void) _v;
                /* Space-separated list; padded so that a search for " name " finds whole words only. */
                char word[128];

                if (!snprintf_ok(word, " %s ", prop) || !strstr(allowed, word))
                        return settings_error(ret_error, -EINVAL, "", "model: unknown property '%s' in %s",
                                              prop, what);
        }
        return 0;
}

/* Merges the variant's key definitions into the base's: an object the variant also defines as an object
 * gets the variant's fields merged in and its other properties replaced; any other key is replaced. */
static int merge_fields(struct json_object *dst, struct json_object *src) {
        int r;

        json_object_object_foreach(src, name, v) {
                struct json_object *d, *vf, *df;

                if (json_object_object_get_ex(dst, name, &d) &&
                    json_object_object_get_ex(v, "fields", &vf) &&
                    json_object_object_get_ex(d, "fields", &df) &&
                    json_object_is_type(vf, json_type_object) && json_object_is_type(df, json_type_object)) {
                        r = merge_fields(df, vf);
                        if (r < 0)
                                return r;
                        json_object_object_foreach(
                                v, prop, pv) if (!streq(prop, "fields") &&
                                                 json_object_object_add(d, prop, json_object_get(pv)) <
                                                         0) return -ENOMEM;
                } else if (json_object_object_add(dst, name, json_object_get(v)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Copies src's members into dst by name, replacing. */
static int merge_named(struct json_object *dst, struct json_object *src, const char *what,
                       SettingsError *ret_error) {
        if (!json_object_is_type(src, json_type_object))
                return settings_error(ret_error, -EINVAL, "", "model: '%s' is not an object", what);
        json_object_object_foreach(src, name, v) if (json_object_object_add(dst, name, json_object_get(v)) <
                                                     0) return -ENOMEM;
        return 0;
}

static bool is_string_list(struct json_object *a) {
        if (!json_object_is_type(a, json_type_array))
                return false;
        for (size_t i = 0; i < json_object_array_length(a); i++)
                if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_string))
                        return false;
        return true;
}

static int check_files(struct json_object *files, SettingsError *ret_error) {
        int r;

        json_object_object_foreach(files, name, f) {
                struct json_object *path, *tmpl, *mode;
                const char *m;

                if (!json_object_is_type(f, json_type_object))
                        return settings_error(ret_error, -EINVAL, "", "model: file '%s' is not an object",
                                              name);
                r = check_properties(f, " path template mode description ", "a configuration file",
                                     ret_error);
                if (r < 0)
                        return r;
                if (!json_object_object_get_ex(f, "path", &path) ||
                    !json_object_is_type(path, json_type_string) || json_object_get_string(path)[0] != '/' ||
                    strstr(json_object_get_string(path), "/../") ||
                    !json_object_object_get_ex(f, "template", &tmpl) ||
                    !json_object_is_type(tmpl, json_type_string) || !*json_object_get_string(tmpl) ||
                    json_object_get_string(tmpl)[0] == '/' || strstr(json_object_get_string(tmpl), ".."))
                        return settings_error(ret_error, -EINVAL, "",
                                              "model: file '%s' needs an absolute 'path' "
                                              "and a relative 'template'",
                                              name);
                if (!json_object_object_get_ex(f, "mode", &mode) ||
                    !json_object_is_type(mode, json_type_string))
                        return settings_error(ret_error, -EINVAL, "", "model: file '%s' needs a 'mode'",
                                              name);
                m = json_object_get_string(mode);
                if (strlen(m) < 3 || strlen(m) > 4 || strspn(m, "01234567") != strlen(m))
                        return settings_error(ret_error, -EINVAL, "",
                                              "model: file '%s': mode '%s' is not octal", name, m);
        }
        return 0;
}

/* Checks the services and gives each both lists, so that readers need not handle missing ones. */
static int check_services(struct json_object *services, struct json_object *files,
                          SettingsError *ret_error) {
        static const char *const lists[] = { "configuration-files", "restart-units" };
        int r;

        json_object_object_foreach(services, name, s) {
                if (!json_object_is_type(s, json_type_object))
                        return settings_error(ret_error, -EINVAL, "", "model: service '%s' is not an object",
                                              name);
                r = check_properties(s, " configuration-files restart-units description ", "a service",
                                     ret_error);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < ELEMENTSOF(lists); i++) {
                        struct json_object *a;

                        if (!json_object_object_get_ex(s, lists[i], &a)) {
                                if (json_object_object_add(s, lists[i], json_object_new_array()) < 0)
                                        return -ENOMEM;
                                continue;
                        }
                        if (!is_string_list(a))
                                return settings_error(ret_error, -EINVAL, "",
                                                      "model: service '%s': '%s' is not "
                                                      "a list of strings",
                                                      name, lists[i]);
                        for (size_t k = 0; i == 0 && k < json_object_array_length(a); k++) {
                                const char *f = json_object_get_string(json_object_array_get_idx(a, k));

                                if (!json_object_object_get_ex(files, f, NULL))
                                        return settings_error(ret_error, -EINVAL, "",
                                                              "model: service '%s' names "
                                                              "unknown configuration file '%s'",
                                                              name, f);
                        }
                }
        }
        return 0;
}

static int check_format(struct json_object *j, const char *path, SettingsError *ret_error) {
        struct json_object *f;

        if (!json_object_object_get_ex(j, "format", &f) || !json_object_is_type(f, json_type_int) ||
            json_object_get_int64(f) != MODEL_FORMAT)
                return settings_error(ret_error, -EINVAL, "", "model file '%s': \"format\" is not %d", path,
                                      MODEL_FORMAT);
        return 0;
}

static bool variant_name_ok(const char *v) {
        size_t l = strlen(v);

        return l > 0 && l <= 64 &&
               strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == l;
}

/* Merges the variant file over base (both already read). Its defaults are returned through ret_defaults. */
static int merge_variant(struct json_object *base, struct json_object *var, const char *path,
                         struct json_object **ret_defaults, SettingsError *ret_error) {
        struct json_object *o, *b;
        int r;

        r = check_format(var, path, ret_error);
        if (r < 0)
                return r;
        r = check_properties(var, " format description settings services configuration-files defaults ",
                             "a variant model", ret_error);
        if (r < 0)
                return r;
        if (json_object_object_get_ex(var, "settings", &o)) {
                json_object_object_get_ex(base, "settings", &b);
                if (!json_object_is_type(o, json_type_object))
                        return settings_error(ret_error, -EINVAL, "", "model: 'settings' is not an object");
                r = merge_fields(b, o);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < 2; i++) {
                const char *what = i == 0 ? "services" : "configuration-files";

                if (json_object_object_get_ex(var, what, &o)) {
                        json_object_object_get_ex(base, what, &b);
                        r = merge_named(b, o, what, ret_error);
                        if (r < 0)
                                return r;
                }
        }
        if (json_object_object_get_ex(var, "defaults", &o)) {
                if (!json_object_is_type(o, json_type_object))
                        return settings_error(ret_error, -EINVAL, "", "model: 'defaults' is not an object");
                *ret_defaults = o;
        }
        return 0;
}

static int load_base(const char *dir, struct json_object **ret, SettingsError *ret_error) {
        _cleanup_(json_object_putp) struct json_object *base = NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        if (asprintf(&path, "%s/base.json", dir) < 0)
                return -ENOMEM;
        r = read_json(path, &base, ret_error);
        if (r < 0)
                return r;
        r = check_format(base, path, ret_error);
        if (r < 0)
                return r;
        r = check_properties(base, " format description settings services configuration-files ",
                             "the base model", ret_error);
        if (r < 0)
                return r;
        /* Every section present and an object, so that merging and compiling need not check again. */
        for (size_t i = 0; i < 3; i++) {
                const char *what = (const char *[]){ "settings", "services", "configuration-files" }[i];
                struct json_object *o;

                if (!json_object_object_get_ex(base, what, &o)) {
                        if (json_object_object_add(base, what, json_object_new_object()) < 0)
                                return -ENOMEM;
                } else if (!json_object_is_type(o, json_type_object))
                        return settings_error(ret_error, -EINVAL, "", "model: '%s' is not an object", what);
        }
        *ret = TAKE_PTR(base);
        return 0;
}

int settings_model_load(const char *dir, const char *variant, SettingsModel **ret,
                        SettingsError *ret_error) {
        _cleanup_(settings_model_freep) SettingsModel *m = NULL;
        _cleanup_(json_object_putp) struct json_object *base = NULL, *var = NULL;
        struct json_object *var_defaults = NULL, *o;
        int r;

        r = load_base(dir, &base, ret_error);
        if (r < 0)
                return r;
        if (variant) {
                _cleanup_free_ char *path = NULL;

                if (!variant_name_ok(variant))
                        return settings_error(ret_error, -EINVAL, "", "bad variant name '%s'", variant);
                if (asprintf(&path, "%s/variants/%s.json", dir, variant) < 0)
                        return -ENOMEM;
                r = read_json(path, &var, ret_error);
                if (r < 0)
                        return r;
                r = merge_variant(base, var, path, &var_defaults, ret_error);
                if (r < 0)
                        return r;
        }

        m = calloc(1, sizeof(SettingsModel));
        if (!m)
                return -ENOMEM;
        json_object_object_get_ex(base, "configuration-files", &o);
        m->files = json_object_get(o);
        json_object_object_get_ex(base, "services", &o);
        m->services = json_object_get(o);
        m->defaults = json_object_new_object();
        if (!m->defaults)
                return -ENOMEM;
        r = check_files(m->files, ret_error);
        if (r < 0)
                return r;
        r = check_services(m->services, m->files, ret_error);
        if (r < 0)
                return r;
        json_object_object_get_ex(base, "settings", &o);
        r = settings_model_compile(m, o, ret_error);
        if (r < 0)
                return r;
        if (var_defaults) {
                r = settings_tree_merge(m->defaults, var_defaults);
                if (r < 0)
                        return r;
        }
        /* A default the model itself refuses would fail on every boot; refuse the model instead. */
        r = settings_model_validate(m, m->defaults, ret_error);
        if (r < 0) {
                if (ret_error) {
                        char msg[sizeof(ret_error->message)];

                        snprintf(msg, sizeof(msg), "model: bad default: %.400s", ret_error->message);
                        memcpy(ret_error->message, msg, sizeof(msg));
                }
                return r;
        }
        *ret = TAKE_PTR(m);
        return 0;
}
