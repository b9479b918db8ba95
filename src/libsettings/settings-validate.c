/* SPDX-License-Identifier: MIT */
/* Checking settings trees against the model, and producing the default tree. */
#include <inttypes.h>
#include <stdio.h>
#include <sys/random.h>

#include "settings-internal.h"

typedef struct Validator {
        SettingsError *error;
        char path[SETTINGS_KEY_MAX_LENGTH + 64]; /* key path so far, list indices included */
        size_t len;
        size_t leaves;
} Validator;

_printf_(2, 3) static int fail(Validator *v, const char *fmt, ...) {
        va_list ap;

        if (!v->error)
                return -EINVAL;
        snprintf(v->error->key, sizeof(v->error->key), "%s", v->path);
        va_start(ap, fmt);
        vsnprintf(v->error->message, sizeof(v->error->message), fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static int push_name(Validator *v, const char *name, size_t *saved) {
        *saved = v->len;
        if (settings_key_append(v->path, sizeof(v->path), &v->len, name, false) < 0)
                return fail(v, "key path too long");
        return 0;
}

static int push_index(Validator *v, size_t i, size_t *saved) {
        int n;

        *saved = v->len;
        n = snprintf(v->path + v->len, sizeof(v->path) - v->len, "[%zu]", i);
        if (n < 0 || (size_t) n >= sizeof(v->path) - v->len)
                return fail(v, "key path too long");
        v->len += (size_t) n;
        return 0;
}

static void pop(Validator *v, size_t saved) {
        v->len = saved;
        v->path[saved] = 0;
}

/* Whether j is a value of scalar type t, without saying why not. */
static bool scalar_ok(const SettingsNode *n, struct json_object *j) {
        const char *s;

        switch (n->type) {
        case SETTINGS_INTEGER:
                return json_object_is_type(j, json_type_int);
        case SETTINGS_BOOL:
                return json_object_is_type(j, json_type_boolean);
        default:
                break;
        }
        if (!json_object_is_type(j, json_type_string))
                return false;
        s = json_object_get_string(j);
        /* A NUL inside the JSON string would hide the rest from every check below. */
        if ((size_t) json_object_get_string_len(j) != strlen(s))
                return false;
        switch (n->type) {
        case SETTINGS_STRING:
                return true;
        case SETTINGS_ENUM:
                for (size_t i = 0; i < n->n_values; i++)
                        if (streq(s, n->values[i]))
                                return true;
                return false;
        case SETTINGS_BASE64:
                return settings_is_base64(s);
        case SETTINGS_URL:
                return settings_is_url(s);
        case SETTINGS_IP:
                return settings_is_ip(s);
        case SETTINGS_CIDR:
                return settings_is_cidr(s);
        case SETTINGS_HOSTNAME:
                return settings_is_hostname(s);
        default:
                return false;
        }
}

/* Type first, then the node's limits, so the message names the first thing wrong. */
static int check_scalar(Validator *v, const SettingsNode *n, struct json_object *j) {
        if (!scalar_ok(n, j)) {
                if (n->type == SETTINGS_ENUM && json_object_is_type(j, json_type_string)) {
                        char list[256] = "";
                        size_t l = 0;

                        for (size_t i = 0; i < n->n_values && l < sizeof(list); i++)
                                l += (size_t) snprintf(list + l, sizeof(list) - l, "%s%s", i ? ", " : "",
                                                       n->values[i]);
                        return fail(v, "not one of: %s", list);
                }
                return fail(v, "not %s", settings_type_noun(n->type));
        }
        if (n->type == SETTINGS_INTEGER) {
                int64_t i = json_object_get_int64(j);

                /* The value is not quoted back: json-c clamps integers beyond 64 bits. */
                if (i < n->min || i > n->max)
                        return fail(v, "not between %" PRId64 " and %" PRId64, n->min, n->max);
        } else if (n->type == SETTINGS_STRING || n->type == SETTINGS_BASE64) {
                int64_t l = json_object_get_string_len(j);

                if (l < n->min)
                        return fail(v, "shorter than %" PRId64 " bytes", n->min);
                if (l > n->max)
                        return fail(v, "longer than %" PRId64 " bytes", n->max);
                if (n->has_pattern && regexec(&n->pattern, json_object_get_string(j), 0, NULL, 0) != 0)
                        return fail(v, "does not match the pattern '%s'", n->pattern_text);
        }
        return 0;
}

static int check_one_of(Validator *v, const SettingsNode *n, struct json_object *j) {
        char nouns[256];
        size_t l = 0;

        for (size_t i = 0; i < n->n_children; i++) {
                Validator quiet = { .error = NULL };

                if (check_scalar(&quiet, n->children[i], j) == 0)
                        return 0;
        }
        /* "a hostname or URL": the article of the first only. */
        for (size_t i = 0; i < n->n_children && l < sizeof(nouns); i++) {
                const char *noun = settings_type_noun(n->children[i]->type);

                if (i > 0 && strneq(noun, "a ", 2))
                        noun += 2;
                else if (i > 0 && strneq(noun, "an ", 3))
                        noun += 3;
                l += (size_t) snprintf(nouns + l, sizeof(nouns) - l, "%s%s", i ? " or " : "", noun);
        }
        return fail(v, "not %s", nouns);
}

static int check_node(Validator *v, const SettingsNode *n, struct json_object *j);

static int check_object(Validator *v, const SettingsNode *n, struct json_object *j) {
        size_t saved;
        int r;

        if (!json_object_is_type(j, json_type_object))
                return fail(v, "not an object");
        if (n->type == SETTINGS_MAP && json_object_object_length(j) > n->max)
                return fail(v, "more than %" PRId64 " entries", n->max);
        for (size_t i = 0; i < n->n_values; i++)
                if (!json_object_object_get_ex(j, n->values[i], NULL))
                        return fail(v, "missing '%s'", n->values[i]);
        json_object_object_foreach(j, name, value) {
                const SettingsNode *child = n->type == SETTINGS_MAP ? n->item : settings_node_field(n, name);

                r = push_name(v, name, &saved);
                if (r < 0)
                        return r;
                if (!child)
                        return fail(v, "unknown key");
                if (n->type == SETTINGS_MAP && regexec(&n->pattern, name, 0, NULL, 0) != 0)
                        return fail(v, "name does not match the pattern '%s'", n->pattern_text);
                r = check_node(v, child, value);
                if (r < 0)
                        return r;
                pop(v, saved);
        }
        return 0;
}

static int check_list(Validator *v, const SettingsNode *n, struct json_object *j) {
        size_t saved, count;
        int r;

        if (!json_object_is_type(j, json_type_array))
                return fail(v, "not a list");
        count = json_object_array_length(j);
        if ((int64_t) count < n->min)
                return fail(v, "fewer than %" PRId64 " items", n->min);
        if ((int64_t) count > n->max)
                return fail(v, "more than %" PRId64 " items", n->max);
        for (size_t i = 0; i < count; i++) {
                r = push_index(v, i, &saved);
                if (r < 0)
                        return r;
                r = check_node(v, n->item, json_object_array_get_idx(j, i));
                if (r < 0)
                        return r;
                pop(v, saved);
        }
        return 0;
}

static int check_node(Validator *v, const SettingsNode *n, struct json_object *j) {
        switch (n->type) {
        case SETTINGS_OBJECT:
        case SETTINGS_MAP:
                return check_object(v, n, j);
        case SETTINGS_LIST:
                if (++v->leaves > SETTINGS_MAX_KEYS)
                        return fail(v, "more than %d keys", SETTINGS_MAX_KEYS);
                return check_list(v, n, j);
        case SETTINGS_ONE_OF:
                if (++v->leaves > SETTINGS_MAX_KEYS)
                        return fail(v, "more than %d keys", SETTINGS_MAX_KEYS);
                return check_one_of(v, n, j);
        default:
                if (++v->leaves > SETTINGS_MAX_KEYS)
                        return fail(v, "more than %d keys", SETTINGS_MAX_KEYS);
                return check_scalar(v, n, j);
        }
}

int settings_model_validate(const SettingsModel *m, struct json_object *tree, SettingsError *ret_error) {
        Validator v = { .error = ret_error, .path = "settings", .len = 8 };

        return check_node(&v, m->root, tree);
}

static int random_in(int64_t min, int64_t max, int64_t *ret) {
        uint64_t x, span = (uint64_t) max - (uint64_t) min + 1;

        if (getrandom(&x, sizeof(x), 0) != sizeof(x))
                return negative_errno();
        /* The modulo bias is below 2^-50 for the small ranges generated keys have. */
        *ret = (int64_t) ((uint64_t) min + (span ? x % span : x));
        return 0;
}

int settings_model_defaults(const SettingsModel *m, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *tree = NULL;
        int r;

        if (json_object_deep_copy(m->defaults, &tree, NULL) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_generated; i++) {
                _cleanup_(json_object_putp) struct json_object *v = NULL;
                int64_t x;

                r = random_in(m->generated[i].node->min, m->generated[i].node->max, &x);
                if (r < 0)
                        return r;
                v = json_object_new_int64(x);
                if (!v)
                        return -ENOMEM;
                r = settings_tree_set(tree, m->generated[i].key.names, m->generated[i].key.n, v);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(tree);
        return 0;
}
