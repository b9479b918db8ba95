/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "hexutil.h"
#include "tuf-client-internal.h"
#include "tuf-error.h"
#include "tuf-glob.h"

bool tuf_delegation_matches(const TufDelegation *d, const char *path) {
        char hex[65] = "";

        if (d->hash_prefixes) {
                uint8_t digest[32];

                if (EVP_Digest(path, strlen(path), digest, NULL, EVP_sha256(), NULL) != 1)
                        return false;
                hex_encode(digest, sizeof(digest), hex);
        }
        for (size_t i = 0; i < d->n_patterns; i++) {
                const char *p = d->patterns[i];

                if (d->hash_prefixes ? strneq(hex, p, strlen(p)) : tuf_glob_match(p, path))
                        return true;
        }
        return false;
}

static TufMetadata *find_loaded(const TufClient *c, const char *file) {
        for (size_t i = 0; i < c->n_delegated; i++)
                if (streq(c->delegated[i]->file, file))
                        return c->delegated[i];
        return NULL;
}

/* Checks that m is signed as delegation d of parent requires, once per (role, delegation) pair: a role
 * reached from two parents must satisfy each of them, and one reached again through the same delegation
 * (every target search starts over at the top) need not be checked again. */
static int verify_delegated(TufClient *c, const TufMetadata *m, const TufMetadata *parent,
                            const TufDelegation *d, char **ret_error) {
        TufVerified *v;
        int r;

        for (size_t i = 0; i < c->n_verified; i++)
                if (c->verified[i].role == m && c->verified[i].by == d)
                        return 0;
        r = tuf_metadata_verify(m, &parent->keys, &d->keys, d->name, ret_error);
        if (r < 0)
                return r;
        v = reallocarray(c->verified, c->n_verified + 1, sizeof(TufVerified));
        if (!v)
                return -ENOMEM;
        c->verified = v;
        c->verified[c->n_verified++] = (TufVerified){ m, d };
        return 0;
}

/* Fetches a delegated role the first time it is reached and checks it in the order of the specification:
 * length and hashes against snapshot, signatures, version against snapshot, expiry. */
static int fetch_delegated(TufClient *c, const TufMetadata *parent, const TufDelegation *d, const char *file,
                           TufMetadata **ret, char **ret_error) {
        _cleanup_(tuf_metadata_freep) TufMetadata *m = NULL;
        _cleanup_free_ char *name = NULL;
        const TufMetaFile *mf;
        TufMetadata **array;
        int r;

        mf = tuf_metadata_meta(c->snapshot, file);
        if (!mf)
                return tuf_error(ret_error, -EBADMSG, "%s: delegated by %s, but not listed in snapshot.json",
                                 file, parent->file);
        r = tuf_metadata_filename(d->name, c->root->consistent_snapshot, mf->version, &name);
        if (r < 0)
                return r;
        r = tuf_load_metadata(c, TUF_ROLE_TARGETS, name, file, c->opts.targets_max_size, mf, "snapshot.json",
                              &m, ret_error);
        if (r < 0)
                return r;
        r = verify_delegated(c, m, parent, d, ret_error);
        if (r < 0)
                return r;
        if (m->version != mf->version)
                return tuf_error(ret_error, -EBADMSG,
                                 "%s: version %" PRIu64 " does not match version %" PRIu64
                                 " listed in snapshot.json (mix and match)",
                                 file, m->version, mf->version);
        r = tuf_check_expiry(c, m, ret_error);
        if (r < 0)
                return r;
        array = reallocarray(c->delegated, c->n_delegated + 1, sizeof(TufMetadata *));
        if (!array)
                return -ENOMEM;
        c->delegated = array;
        *ret = c->delegated[c->n_delegated++] = TAKE_PTR(m);
        return 0;
}

static int load_delegated(TufClient *c, const TufMetadata *parent, const TufDelegation *d, TufMetadata **ret,
                          char **ret_error) {
        _cleanup_free_ char *file = NULL;
        TufMetadata *m;
        int r;

        if (asprintf(&file, "%s.json", d->name) < 0)
                return -ENOMEM;
        m = find_loaded(c, file);
        if (!m)
                return fetch_delegated(c, parent, d, file, ret, ret_error);
        r = verify_delegated(c, m, parent, d, ret_error);
        if (r < 0)
                return r;
        *ret = m;
        return 0;
}

/* A role to visit: reached through delegation d of parent (both NULL for the top-level targets). */
typedef struct Visit {
        const TufMetadata *parent;
        const TufDelegation *d;
} Visit;

typedef struct Walk {
        Visit *stack;
        size_t n_stack, allocated;
        const char **visited;
        size_t n_visited;
} Walk;

static void walk_done(Walk *w) {
        free(w->stack);
        free(w->visited);
}

static int walk_push(Walk *w, const TufMetadata *parent, const TufDelegation *d) {
        if (w->n_stack >= w->allocated) {
                size_t n = MAX(w->allocated * 2, (size_t) 16);
                Visit *s = reallocarray(w->stack, n, sizeof(Visit));

                if (!s)
                        return -ENOMEM;
                w->stack = s;
                w->allocated = n;
        }
        w->stack[w->n_stack++] = (Visit){ parent, d };
        return 0;
}

static bool walk_visited(const Walk *w, const char *name) {
        for (size_t i = 0; i < w->n_visited; i++)
                if (streq(w->visited[i], name))
                        return true;
        return false;
}

/* Pops the next role not visited yet and loads it. Returns 1 with *ret set, 0 when done, -E2BIG when the
 * bound on visited roles is reached, or why the role could not be loaded. */
static int walk_next(TufClient *c, Walk *w, TufMetadata **ret, char **ret_error) {
        while (w->n_stack > 0) {
                Visit v = w->stack[--w->n_stack];
                const char *name = v.d ? v.d->name : "targets";
                TufMetadata *m = c->targets;
                int r;

                /* Cycles in the delegation graph end here. */
                if (walk_visited(w, name))
                        continue;
                if (w->n_visited >= c->opts.max_delegations)
                        return -E2BIG;
                if (v.d) {
                        r = load_delegated(c, v.parent, v.d, &m, ret_error);
                        if (r < 0)
                                return r;
                }
                w->visited[w->n_visited++] = name;
                *ret = m;
                return 1;
        }
        return 0;
}

static int walk_init(TufClient *c, Walk *w) {
        *w = (Walk){};
        w->visited = calloc(c->opts.max_delegations + 1, sizeof(char *));
        if (!w->visited)
                return -ENOMEM;
        return walk_push(w, NULL, NULL);
}

/* Pushes the delegations of m that may list path, in reverse so that the first is visited first. A
 * matching terminating delegation cuts off everything after it, its siblings and what was still on the
 * stack from higher up alike. */
static int push_children(Walk *w, const TufMetadata *m, const char *path) {
        size_t n = 0;
        int r;

        for (; n < m->n_delegations; n++) {
                if (!tuf_delegation_matches(&m->delegations[n], path))
                        continue;
                if (m->delegations[n].terminating) {
                        w->n_stack = 0;
                        n++;
                        break;
                }
        }
        for (size_t i = n; i > 0; i--) {
                if (!tuf_delegation_matches(&m->delegations[i - 1], path))
                        continue;
                r = walk_push(w, m, &m->delegations[i - 1]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int search(TufClient *c, const char *path, const TufTarget **ret, const TufMetadata **ret_role,
                  char **ret_error) {
        _cleanup_(walk_done) Walk w = {};
        TufMetadata *m;
        int r;

        r = walk_init(c, &w);
        if (r < 0)
                return r;
        while ((r = walk_next(c, &w, &m, ret_error)) > 0) {
                const TufTarget *t = tuf_metadata_target(m, path);

                if (t) {
                        *ret = t;
                        if (ret_role)
                                *ret_role = m;
                        return 0;
                }
                r = push_children(&w, m, path);
                if (r < 0)
                        return r;
        }
        if (r == -E2BIG)
                return tuf_error(ret_error, -ENOENT,
                                 "target '%s' not found within the %u delegated roles a search "
                                 "may visit",
                                 path, c->opts.max_delegations);
        if (r < 0)
                return r;
        return tuf_error(ret_error, -ENOENT, "target '%s' is not listed by any trusted role", path);
}

int tuf_client_find_target(TufClient *c, const char *path, const TufTarget **ret, const char **ret_role,
                           char **ret_error) {
        const TufMetadata *role;
        const TufTarget *t;
        int r;

        if (!c->refreshed)
                return -ESTALE;
        r = search(c, path, &t, &role, ret_error);
        if (r < 0)
                return r;
        *ret = t;
        if (ret_role)
                *ret_role = role->file;
        return 0;
}

typedef struct Listed {
        const char *path;
        const TufMetadata *role;
        size_t order; /* tie-break: the role reached first names a refusal */
} Listed;

static int compare_listed(const void *a, const void *b) {
        const Listed *x = a, *y = b;
        int k = strcmp(x->path, y->path);

        return k != 0 ? k : x->order < y->order ? -1 : x->order > y->order;
}

/* Every (path, role) pair of every role reachable from targets, whatever the paths delegated. */
static int collect(TufClient *c, Listed **ret, size_t *ret_n, char **ret_error) {
        _cleanup_(walk_done) Walk w = {};
        _cleanup_free_ Listed *list = NULL;
        size_t n = 0;
        TufMetadata *m;
        int r;

        r = walk_init(c, &w);
        if (r < 0)
                return r;
        while ((r = walk_next(c, &w, &m, ret_error)) > 0) {
                Listed *l = reallocarray(list, n + m->n_targets + 1, sizeof(Listed));

                if (!l)
                        return -ENOMEM;
                list = l;
                for (size_t i = 0; i < m->n_targets; i++, n++)
                        list[n] = (Listed){ m->targets[i].path, m, n };
                for (size_t i = m->n_delegations; i > 0; i--) {
                        r = walk_push(&w, m, &m->delegations[i - 1]);
                        if (r < 0)
                                return r;
                }
        }
        if (r == -E2BIG)
                return tuf_error(ret_error, -E2BIG, "targets.json: delegates to more than %u roles",
                                 c->opts.max_delegations);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(list);
        *ret_n = n;
        return 0;
}

int tuf_client_list_targets(TufClient *c, const TufTarget ***ret, size_t *ret_n, char **ret_error) {
        _cleanup_free_ const TufTarget **out = NULL;
        _cleanup_free_ Listed *list = NULL;
        size_t n = 0, k = 0;
        int r;

        if (!c->refreshed)
                return -ESTALE;
        r = collect(c, &list, &n, ret_error);
        if (r < 0)
                return r;
        qsort(list, n, sizeof(Listed), compare_listed);
        out = calloc(MAX(n, (size_t) 1), sizeof(TufTarget *));
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *why = NULL;
                const TufMetadata *role;

                if (i > 0 && streq(list[i].path, list[i - 1].path))
                        continue;
                r = search(c, list[i].path, &out[k], &role, &why);
                if (r == -ENOENT)
                        return tuf_error(ret_error, -EPERM,
                                         "%s: lists target '%s', which is outside the paths "
                                         "delegated to it or shadowed by a terminating delegation (%s)",
                                         list[i].role->file, list[i].path, why ?: "not found");
                if (r < 0)
                        return tuf_error(ret_error, r, "%s", why ?: "target search failed");
                k++;
        }
        *ret = TAKE_PTR(out);
        *ret_n = k;
        return 0;
}
