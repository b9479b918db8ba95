/* SPDX-License-Identifier: MIT */
/* Loading the model: base.json, the variant's file merged over it, compiled into SettingsNode trees and
 * checked whole before anything uses it (docs/decisions/0006-settings-model.md). */
#include <stdio.h>

#include "settings-internal.h"

/* Lists and maps without their own bound still get one, so no input is unbounded. */
#define DEFAULT_MAX_ITEMS SETTINGS_MAX_KEYS

typedef struct Loader {
        SettingsModel *m;
        SettingsError *error;
        char path[SETTINGS_KEY_MAX_LENGTH + 1]; /* the key being compiled, for messages */
        size_t path_len;
        char *names[SETTINGS_KEY_MAX_DEPTH];
        size_t n_names;
} Loader;

static const struct {
        const char *name;
        SettingsType type;
        const char *properties; /* besides the common ones, space-separated */
} type_table[] = {
        { "object", SETTINGS_OBJECT, "fields required" },
        { "map", SETTINGS_MAP, "name-pattern max-entries values" },
        { "list", SETTINGS_LIST, "items min-items max-items" },
        { "one-of", SETTINGS_ONE_OF, "types" },
        { "string", SETTINGS_STRING, "pattern min-length max-length" },
        { "integer", SETTINGS_INTEGER, "min max generate" },
        { "bool", SETTINGS_BOOL, "" },
        { "enum", SETTINGS_ENUM, "values" },
        { "base64", SETTINGS_BASE64, "max-length" },
        { "url", SETTINGS_URL, "" },
        { "ip", SETTINGS_IP, "" },
        { "cidr", SETTINGS_CIDR, "" },
        { "hostname", SETTINGS_HOSTNAME, "" },
};

static bool word_in(const char *list, const char *word) {
        size_t l = strlen(word);

        for (const char *p = list; *p;) {
                size_t wl = strcspn(p, " ");

                if (wl == l && strneq(p, word, l))
                        return true;
                p += wl + strspn(p + wl, " ");
        }
        return false;
}

static void strv_free(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

SettingsNode *settings_node_free(SettingsNode *n) {
        if (!n)
                return NULL;
        free(n->name);
        free(n->pattern_text);
        if (n->has_pattern)
                regfree(&n->pattern);
        strv_free(n->values, n->n_values);
        strv_free(n->services, n->n_services);
        for (size_t i = 0; i < n->n_children; i++)
                settings_node_free(n->children[i]);
        free(n->children);
        settings_node_free(n->item);
        free(n);
        return NULL;
}

SettingsModel *settings_model_free(SettingsModel *m) {
        if (!m)
                return NULL;
        settings_node_free(m->root);
        for (size_t i = 0; i < m->n_generated; i++)
                settings_key_done(&m->generated[i].key);
        free(m->generated);
        json_object_put(m->defaults);
        json_object_put(m->services);
        json_object_put(m->files);
        free(m);
        return NULL;
}

const SettingsNode *settings_node_field(const SettingsNode *n, const char *name) {
        size_t lo = 0, hi = n->n_children;

        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int c = strcmp(name, n->children[mid]->name);

                if (c == 0)
                        return n->children[mid];
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

struct json_object *settings_model_services(const SettingsModel *m) {
        return m->services;
}

struct json_object *settings_model_files(const SettingsModel *m) {
        return m->files;
}

_printf_(3, 4) static int bad(Loader *l, int r, const char *fmt, ...) {
        va_list ap;

        if (!l->error)
                return r;
        snprintf(l->error->key, sizeof(l->error->key), "%s", l->path);
        va_start(ap, fmt);
        vsnprintf(l->error->message, sizeof(l->error->message), fmt, ap);
        va_end(ap);
        return r;
}

static int get_int(Loader *l, struct json_object *j, const char *prop, int64_t *v) {
        struct json_object *o;

        if (!json_object_object_get_ex(j, prop, &o))
                return 0;
        if (!json_object_is_type(o, json_type_int))
                return bad(l, -EINVAL, "model: '%s' is not an integer", prop);
        *v = json_object_get_int64(o);
        return 1;
}

/* Copies a JSON array of strings into a string vector. */
static int get_strv(Loader *l, struct json_object *a, const char *prop, char ***ret, size_t *ret_n) {
        size_t n;
        char **v;

        if (!json_object_is_type(a, json_type_array))
                return bad(l, -EINVAL, "model: '%s' is not a list of strings", prop);
        n = json_object_array_length(a);
        v = calloc(n + 1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(a, i);

                if (!json_object_is_type(e, json_type_string)) {
                        strv_free(v, i);
                        return bad(l, -EINVAL, "model: '%s' is not a list of strings", prop);
                }
                v[i] = strdup(json_object_get_string(e));
                if (!v[i]) {
                        strv_free(v, i);
                        return -ENOMEM;
                }
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

static int compile_pattern(Loader *l, struct json_object *p, SettingsNode *n) {
        _cleanup_free_ char *anchored = NULL;
        int r;

        if (!json_object_is_type(p, json_type_string))
                return bad(l, -EINVAL, "model: pattern is not a string");
        /* Anchored here so that a model author cannot forget it and let any string through. */
        if (asprintf(&anchored, "^(%s)$", json_object_get_string(p)) < 0)
                return -ENOMEM;
        r = regcomp(&n->pattern, anchored, REG_EXTENDED | REG_NOSUB);
        if (r != 0) {
                char msg[128];

                regerror(r, &n->pattern, msg, sizeof(msg));
                return bad(l, -EINVAL, "model: bad pattern '%s': %s", json_object_get_string(p), msg);
        }
        n->has_pattern = true;
        n->pattern_text = strdup(json_object_get_string(p));
        return n->pattern_text ? 0 : -ENOMEM;
}

static int node_parse(Loader *l, struct json_object *j, bool fixed, SettingsNode **ret);

static int push_name(Loader *l, const char *name, size_t *saved_len) {
        *saved_len = l->path_len;
        if (l->n_names >= SETTINGS_KEY_MAX_DEPTH ||
            settings_key_append(l->path, sizeof(l->path), &l->path_len, name, true) < 0)
                return bad(l, -EINVAL, "model: key '%s' too deep or long", name);
        l->names[l->n_names++] = (char *) name;
        return 0;
}

static void pop_name(Loader *l, size_t saved_len) {
        l->path_len = saved_len;
        l->path[saved_len] = 0;
        l->n_names--;
}

static int compare_nodes(const void *a, const void *b) {
        return strcmp((*(SettingsNode *const *) a)->name, (*(SettingsNode *const *) b)->name);
}

static int parse_object(Loader *l, struct json_object *j, bool fixed, SettingsNode *n) {
        struct json_object *fields, *req;
        size_t count = 0;
        int r;

        if (!json_object_object_get_ex(j, "fields", &fields) ||
            !json_object_is_type(fields, json_type_object))
                return bad(l, -EINVAL, "model: object without 'fields'");
        n->children = calloc((size_t) json_object_object_length(fields) + 1, sizeof(SettingsNode *));
        if (!n->children)
                return -ENOMEM;
        json_object_object_foreach(fields, name, fj) {
                size_t saved;

                r = push_name(l, name, &saved);
                if (r < 0)
                        return r;
                r = node_parse(l, fj, fixed, &n->children[count]);
                if (r < 0)
                        return r;
                n->n_children = ++count;
                n->children[count - 1]->name = strdup(name);
                if (!n->children[count - 1]->name)
                        return -ENOMEM;
                pop_name(l, saved);
        }
        qsort(n->children, n->n_children, sizeof(SettingsNode *), compare_nodes);
        if (json_object_object_get_ex(j, "required", &req)) {
                r = get_strv(l, req, "required", &n->values, &n->n_values);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n->n_values; i++)
                        if (!settings_node_field(n, n->values[i]))
                                return bad(l, -EINVAL, "model: required field '%s' is not a field",
                                           n->values[i]);
        }
        return 0;
}

/* The part below a map or list: not a fixed key, so it has no default of its own. */
static int parse_inner(Loader *l, struct json_object *j, const char *prop, const char *display,
                       SettingsNode **ret) {
        struct json_object *o;
        size_t saved;
        int r;

        if (!json_object_object_get_ex(j, prop, &o))
                return bad(l, -EINVAL, "model: no '%s'", prop);
        r = push_name(l, display, &saved);
        if (r < 0)
                return r;
        r = node_parse(l, o, false, ret);
        if (r < 0)
                return r;
        pop_name(l, saved);
        return 0;
}

static int parse_type_specific(Loader *l, struct json_object *j, bool fixed, SettingsNode *n) {
        struct json_object *o;
        int r = 0;

        switch (n->type) {
        case SETTINGS_OBJECT:
                return parse_object(l, j, fixed, n);
        case SETTINGS_MAP:
                n->max = DEFAULT_MAX_ITEMS;
                if (get_int(l, j, "max-entries", &n->max) < 0)
                        return -EINVAL;
                if (!json_object_object_get_ex(j, "name-pattern", &o))
                        return bad(l, -EINVAL, "model: map without 'name-pattern'");
                r = compile_pattern(l, o, n);
                if (r < 0)
                        return r;
                return parse_inner(l, j, "values", "<name>", &n->item);
        case SETTINGS_LIST:
                n->max = DEFAULT_MAX_ITEMS;
                if (get_int(l, j, "min-items", &n->min) < 0 || get_int(l, j, "max-items", &n->max) < 0)
                        return -EINVAL;
                return parse_inner(l, j, "items", "<item>", &n->item);
        case SETTINGS_ONE_OF: {
                size_t count;

                if (!json_object_object_get_ex(j, "types", &o) || !json_object_is_type(o, json_type_array) ||
                    json_object_array_length(o) < 2)
                        return bad(l, -EINVAL, "model: one-of without a list of at least two 'types'");
                count = json_object_array_length(o);
                n->children = calloc(count, sizeof(SettingsNode *));
                if (!n->children)
                        return -ENOMEM;
                for (size_t i = 0; i < count; i++) {
                        r = node_parse(l, json_object_array_get_idx(o, i), false, &n->children[i]);
                        if (r < 0)
                                return r;
                        n->n_children = i + 1;
                        if (n->children[i]->type <= SETTINGS_ONE_OF)
                                return bad(l, -EINVAL, "model: one-of takes scalar types only");
                }
                return 0;
        }
        case SETTINGS_STRING:
                if (json_object_object_get_ex(j, "pattern", &o)) {
                        r = compile_pattern(l, o, n);
                        if (r < 0)
                                return r;
                }
                n->max = INT64_MAX;
                if (get_int(l, j, "min-length", &n->min) < 0 || get_int(l, j, "max-length", &n->max) < 0)
                        return -EINVAL;
                return 0;
        case SETTINGS_BASE64:
                n->max = INT64_MAX;
                if (get_int(l, j, "min-length", &n->min) < 0 || get_int(l, j, "max-length", &n->max) < 0)
                        return -EINVAL;
                return 0;
        case SETTINGS_INTEGER:
                n->min = INT64_MIN;
                n->max = INT64_MAX;
                if (get_int(l, j, "min", &n->min) < 0 || get_int(l, j, "max", &n->max) < 0)
                        return -EINVAL;
                if (json_object_object_get_ex(j, "generate", &o)) {
                        if (!json_object_is_type(o, json_type_string) ||
                            !streq(json_object_get_string(o), "random"))
                                return bad(l, -EINVAL, "model: 'generate' must be \"random\"");
                        if (!fixed || n->min == INT64_MIN || n->max == INT64_MAX)
                                return bad(l, -EINVAL,
                                           "model: 'generate' needs a fixed key and a min and max");
                        n->generate_random = true;
                }
                return 0;
        case SETTINGS_ENUM:
                if (!json_object_object_get_ex(j, "values", &o))
                        return bad(l, -EINVAL, "model: enum without 'values'");
                return get_strv(l, o, "values", &n->values, &n->n_values);
        default:
                return 0;
        }
}

static int add_generated(Loader *l, const SettingsNode *n) {
        SettingsGenerated *g =
                reallocarray(l->m->generated, l->m->n_generated + 1, sizeof(SettingsGenerated));
        SettingsKey k = { .names = calloc(l->n_names + 1, sizeof(char *)) };

        if (!g || !k.names) {
                free(k.names);
                if (g)
                        l->m->generated = g;
                return -ENOMEM;
        }
        l->m->generated = g;
        for (; k.n < l->n_names; k.n++) {
                k.names[k.n] = strdup(l->names[k.n]);
                if (!k.names[k.n]) {
                        settings_key_done(&k);
                        return -ENOMEM;
                }
        }
        g[l->m->n_generated++] = (SettingsGenerated){ .key = k, .node = n };
        return 0;
}

static int node_parse(Loader *l, struct json_object *j, bool fixed, SettingsNode **ret) {
        _cleanup_(settings_node_freep) SettingsNode *n = NULL;
        struct json_object *t, *o;
        size_t i;
        int r;

        if (!json_object_is_type(j, json_type_object) || !json_object_object_get_ex(j, "type", &t) ||
            !json_object_is_type(t, json_type_string))
                return bad(l, -EINVAL, "model: key without a 'type'");
        for (i = 0; i < ELEMENTSOF(type_table); i++)
                if (streq(json_object_get_string(t), type_table[i].name))
                        break;
        if (i == ELEMENTSOF(type_table))
                return bad(l, -EINVAL, "model: unknown type '%s'", json_object_get_string(t));
        json_object_object_foreach(j, prop, _v) {
                (void) _v;
                if (!word_in("type description services default", prop) &&
                    !word_in(type_table[i].properties, prop))
                        return bad(l, -EINVAL, "model: unknown property '%s' for type %s", prop,
                                   type_table[i].name);
        }
        n = calloc(1, sizeof(SettingsNode));
        if (!n)
                return -ENOMEM;
        n->type = type_table[i].type;
        if (json_object_object_get_ex(j, "services", &o)) {
                r = get_strv(l, o, "services", &n->services, &n->n_services);
                if (r < 0)
                        return r;
                for (size_t k = 0; k < n->n_services; k++)
                        if (!json_object_object_get_ex(l->m->services, n->services[k], NULL))
                                return bad(l, -EINVAL, "model: unknown service '%s'", n->services[k]);
        }
        if (json_object_object_get_ex(j, "default", &o)) {
                _cleanup_(json_object_putp) struct json_object *copy = NULL;

                if (!fixed || l->n_names == 0)
                        return bad(l, -EINVAL,
                                   "model: a default belongs on a fixed key, not inside a list, "
                                   "map or one-of");
                /* Set before the fields are compiled, so that their defaults land inside this one; a copy,
                 * so that doing so does not change the model's JSON. */
                if (json_object_deep_copy(o, &copy, NULL) < 0)
                        return -ENOMEM;
                r = settings_tree_set(l->m->defaults, l->names, l->n_names, copy);
                if (r < 0)
                        return r;
        }
        r = parse_type_specific(l, j, fixed, n);
        if (r < 0)
                return r;
        if (n->min > n->max || n->min < (n->type == SETTINGS_INTEGER ? INT64_MIN : 0))
                return bad(l, -EINVAL, "model: minimum above maximum, or a negative length");
        if (n->generate_random) {
                r = add_generated(l, n);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(n);
        return 0;
}

int settings_model_compile(SettingsModel *m, struct json_object *fields, SettingsError *ret_error) {
        _cleanup_(json_object_putp) struct json_object *root = json_object_new_object();
        Loader l = { .m = m, .error = ret_error, .path = "settings", .path_len = 8 };

        if (!root || json_object_object_add(root, "type", json_object_new_string("object")) < 0 ||
            json_object_object_add(root, "fields", json_object_get(fields)) < 0)
                return -ENOMEM;
        return node_parse(&l, root, true, &m->root);
}
