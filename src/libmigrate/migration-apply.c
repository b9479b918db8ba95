/* SPDX-License-Identifier: MIT */
/* Running a migration's steps over a settings tree held in memory; the caller stores the result in one
 * transaction, so a step that fails leaves the datastore as it was. */
#include <errno.h>
#include <stdlib.h>

#include "migration.h"

/* The object that holds the last name of key, or NULL if some object on the way is missing. -EINVAL if a
 * name on the way holds a leaf: a key below a leaf cannot exist. */
static int parent_of(struct json_object *tree, const SettingsKey *key, bool create,
                     struct json_object **ret) {
        struct json_object *o = tree, *next;

        for (size_t i = 0; i + 1 < key->n; i++) {
                if (!json_object_object_get_ex(o, key->names[i], &next)) {
                        if (!create) {
                                *ret = NULL;
                                return 0;
                        }
                        next = json_object_new_object();
                        if (!next || json_object_object_add(o, key->names[i], next) < 0) {
                                json_object_put(next);
                                return -ENOMEM;
                        }
                } else if (!json_object_is_type(next, json_type_object))
                        return -EINVAL;
                o = next;
        }
        *ret = o;
        return 0;
}

static const char *step_key(const MigrationStep *s, char **buf) {
        if (settings_key_format(s->key.names, s->key.n, buf) < 0)
                return "?";
        return *buf;
}

static int step_fail(const Migration *m, size_t i, const MigrationStep *s, const char *why,
                     char **ret_error) {
        _cleanup_free_ char *key = NULL;

        return migration_error(ret_error, -EINVAL, "migration %s: step %zu (%s): %s", m->name, i,
                               step_key(s, &key), why);
}

/* Puts value (a reference is taken) at key; 1 if the tree changed. */
static int put(struct json_object *tree, const SettingsKey *key, struct json_object *value) {
        struct json_object *parent;
        int r = parent_of(tree, key, true, &parent);

        if (r < 0)
                return r;
        if (json_object_object_add(parent, key->names[key->n - 1], json_object_get(value)) < 0) {
                json_object_put(value);
                return -ENOMEM;
        }
        return 1;
}

static int run_step(const MigrationStep *s, struct json_object *tree) {
        struct json_object *parent, *value = NULL;
        const char *last = s->key.names[s->key.n - 1];
        int r;

        r = parent_of(tree, &s->key, false, &parent);
        if (r < 0)
                return r;
        if (parent)
                (void) json_object_object_get_ex(parent, last, &value);
        switch (s->op) {
        case MIGRATION_ADD:
                return value ? 0 : put(tree, &s->key, s->value);
        case MIGRATION_REMOVE:
                if (!value)
                        return 0;
                json_object_object_del(parent, last);
                return 1;
        case MIGRATION_RENAME:
                if (!value)
                        return 0;
                json_object_get(value);
                json_object_object_del(parent, last);
                r = put(tree, &s->to_key, value);
                json_object_put(value);
                return r;
        case MIGRATION_CHANGE_DEFAULT:
                /* Only where the node still has the old default: a value an operator chose stays. */
                if (!value || !json_object_equal(value, s->from))
                        return 0;
                return put(tree, &s->key, s->value);
        }
        return -EINVAL;
}

int migration_apply(const Migration *m, struct json_object *tree, unsigned *ret_changed, char **ret_error) {
        unsigned changed = 0;

        if (!json_object_is_type(tree, json_type_object))
                return migration_error(ret_error, -EINVAL, "migration %s: the settings are not an object",
                                       m->name);
        for (size_t i = 0; i < m->n_steps; i++) {
                int r = run_step(&m->steps[i], tree);

                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return step_fail(m, i, &m->steps[i], "a key on the way holds a value, not an object",
                                         ret_error);
                changed += (unsigned) r;
        }
        if (ret_changed)
                *ret_changed += changed;
        return 0;
}
