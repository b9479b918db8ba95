/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "tuf-client-internal.h"
#include "tuf-error.h"

/* Checks root version N+1 against trusted version N: signed by a threshold of both the old and the new
 * root keys (so neither a stolen old key set nor a made-up new one can rotate alone), and numbered N+1
 * exactly (no skipping over a version that revoked keys). */
int tuf_check_next_root(const TufMetadata *old, const TufMetadata *m, uint64_t next, char **ret_error) {
        _cleanup_free_ char *old_role = NULL, *new_role = NULL;
        int r;

        if (asprintf(&old_role, "root in trusted version %" PRIu64, old->version) < 0 ||
            asprintf(&new_role, "root in version %" PRIu64 " itself", next) < 0)
                return -ENOMEM;
        r = tuf_metadata_verify(m, &old->keys, &old->roles[TUF_ROLE_ROOT], old_role, ret_error);
        if (r < 0)
                return r;
        r = tuf_metadata_verify(m, &m->keys, &m->roles[TUF_ROLE_ROOT], new_role, ret_error);
        if (r < 0)
                return r;
        if (m->version != next)
                return tuf_error(ret_error, -EBADMSG,
                                 "%s: version %" PRIu64 ", but a root rotation must go "
                                 "from version %" PRIu64 " to exactly %" PRIu64,
                                 m->file, m->version, old->version, next);
        return 0;
}

int tuf_push_root(TufClient *c, TufMetadata *m) {
        TufMetadata **p = reallocarray(c->old_roots, c->n_old_roots + 1, sizeof(TufMetadata *));

        if (!p) {
                tuf_metadata_free(m);
                return -ENOMEM;
        }
        c->old_roots = p;
        c->old_roots[c->n_old_roots++] = c->root;
        c->root = m;
        return 0;
}

int tuf_update_root(TufClient *c, char **ret_error) {
        for (unsigned i = 0; i < c->opts.max_root_rotations; i++) {
                _cleanup_(tuf_metadata_freep) TufMetadata *m = NULL;
                _cleanup_free_ char *name = NULL, *why = NULL;
                uint64_t next = c->root->version + 1;
                int r;

                if (asprintf(&name, "%" PRIu64 ".root.json", next) < 0)
                        return -ENOMEM;
                r = tuf_load_metadata(c, TUF_ROLE_ROOT, name, name, c->opts.root_max_size, NULL, NULL, &m,
                                      &why);
                if (r == -ENOENT)
                        return 0; /* no newer root: the trusted one is current */
                if (r < 0)
                        return tuf_error(ret_error, r, "%s", why ?: name);
                r = tuf_check_next_root(c->root, m, next, ret_error);
                if (r < 0)
                        return r;
                /* A rotated timestamp or snapshot key means the versions trusted so far may have been
                 * pushed up by whoever held the old key (fast-forward): they must not block recovery. */
                if (!tuf_role_keys_equal(&c->root->roles[TUF_ROLE_TIMESTAMP],
                                         &m->roles[TUF_ROLE_TIMESTAMP]) ||
                    !tuf_role_keys_equal(&c->root->roles[TUF_ROLE_SNAPSHOT], &m->roles[TUF_ROLE_SNAPSHOT]))
                        c->keys_rotated = true;
                r = tuf_push_root(c, TAKE_PTR(m));
                if (r < 0)
                        return r;
        }
        /* Bounded, so that a repository cannot keep the client fetching roots; a root this far behind
         * gets the rest next time (and the expiry check decides whether it is usable now). */
        return 0;
}
