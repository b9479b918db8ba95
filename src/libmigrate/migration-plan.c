/* SPDX-License-Identifier: MIT */
/* Finding the migrations between two versions in a manifest's migration list: breadth first over the
 * edges, so the way is the shortest and, among those, the first in list order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "migration.h"

#define PLAN_MAX_EDGES 4096

static const char *edge_string(struct json_object *e, const char *member) {
        struct json_object *v;

        if (!json_object_object_get_ex(e, member, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static bool edge_usable(struct json_object *e, const char *variant) {
        const char *v = edge_string(e, "variant");

        return v && streq(v, variant) && edge_string(e, "from") && edge_string(e, "to");
}

/* Appends {"name", "target"} for each of the edge's names. */
static int append_edge(struct json_object *plan, struct json_object *e, char **ret_error) {
        struct json_object *names, *targets = NULL, *target;
        const char *from = edge_string(e, "from"), *to = edge_string(e, "to");

        if (!json_object_object_get_ex(e, "names", &names) || !json_object_is_type(names, json_type_array))
                return migration_error(ret_error, -EINVAL, "migration %s -> %s lists no names", from, to);
        (void) json_object_object_get_ex(e, "targets", &targets);
        for (size_t i = 0; i < json_object_array_length(names); i++) {
                struct json_object *n = json_object_array_get_idx(names, i), *step;
                const char *name = json_object_get_string(n);

                if (!json_object_is_type(n, json_type_string) || !migration_name_valid(name))
                        return migration_error(ret_error, -EINVAL,
                                               "migration %s -> %s: name %zu is not valid", from, to, i);
                if (!json_object_object_get_ex(targets, name, &target) ||
                    !json_object_is_type(target, json_type_string))
                        return migration_error(ret_error, -EINVAL, "migration %s -> %s: no target for '%s'",
                                               from, to, name);
                step = json_object_new_object();
                if (!step || json_object_array_add(plan, step) < 0) {
                        json_object_put(step);
                        return -ENOMEM;
                }
                if (json_object_object_add(step, "name", json_object_new_string(name)) < 0 ||
                    json_object_object_add(step, "target", json_object_get(target)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int migration_plan(struct json_object *edges, const char *variant, const char *from, const char *to,
                   struct json_object **ret, char **ret_error) {
        _cleanup_free_ const char **reached = NULL; /* versions in the order reached */
        _cleanup_free_ int *via = NULL;             /* the edge each was reached by (-1: the start) */
        _cleanup_free_ size_t *prev = NULL;         /* the version that edge starts at */
        struct json_object *plan;
        size_t n_edges, n = 0, head = 0, found = SIZE_MAX;
        size_t chain[MIGRATION_MAX_CHAIN];
        size_t len = 0;
        int r;

        if (!json_object_is_type(edges, json_type_array))
                return migration_error(ret_error, -EINVAL, "the migration list is not an array");
        n_edges = json_object_array_length(edges);
        if (n_edges > PLAN_MAX_EDGES)
                return migration_error(ret_error, -E2BIG, "more than %d migrations", PLAN_MAX_EDGES);
        reached = calloc(n_edges + 1, sizeof(char *));
        via = calloc(n_edges + 1, sizeof(int));
        prev = calloc(n_edges + 1, sizeof(size_t));
        if (!reached || !via || !prev)
                return -ENOMEM;
        reached[n] = from;
        via[n++] = -1;
        if (streq(from, to))
                found = 0;
        while (found == SIZE_MAX && head < n) {
                size_t at = head++;

                for (size_t i = 0; i < n_edges && found == SIZE_MAX; i++) {
                        struct json_object *e = json_object_array_get_idx(edges, i);
                        const char *next;
                        bool seen = false;

                        if (!edge_usable(e, variant) || !streq(edge_string(e, "from"), reached[at]))
                                continue;
                        next = edge_string(e, "to");
                        for (size_t k = 0; k < n && !seen; k++)
                                seen = streq(reached[k], next);
                        if (seen)
                                continue;
                        reached[n] = next;
                        via[n] = (int) i;
                        prev[n] = at;
                        if (streq(next, to))
                                found = n;
                        n++;
                }
        }
        if (found == SIZE_MAX)
                return migration_error(ret_error, -ENOENT, "no migrations from %s to %s for %s", from, to,
                                       variant);
        for (size_t k = found; via[k] >= 0; k = prev[k]) {
                if (len == MIGRATION_MAX_CHAIN)
                        return migration_error(ret_error, -E2BIG, "more than %d steps from %s to %s",
                                               MIGRATION_MAX_CHAIN, from, to);
                chain[len++] = (size_t) via[k];
        }
        plan = json_object_new_array();
        if (!plan)
                return -ENOMEM;
        for (size_t k = len; k > 0; k--) {
                r = append_edge(plan, json_object_array_get_idx(edges, chain[k - 1]), ret_error);
                if (r < 0) {
                        json_object_put(plan);
                        return r;
                }
        }
        *ret = plan;
        return 0;
}
