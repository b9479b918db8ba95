/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "tuf-error.h"
#include "tuf-metadata.h"

/* Whether one of m's signatures made under keyid verifies with key. Several signatures may carry the same
 * keyid (only one needs to be good); each is checked at most once per role, so the work is bounded by
 * TUF_MAX_SIGNATURES verifications. */
static int signed_by(const TufMetadata *m, const char *keyid, const TufKey *key) {
        for (size_t i = 0; i < m->n_signatures; i++) {
                const TufSignature *s = &m->signatures[i];
                int r;

                if (s->size == 0 || !streq(s->keyid, keyid))
                        continue;
                r = tuf_key_verify(key, m->canonical, m->canonical_size, s->sig, s->size);
                if (r != 0)
                        return r;
        }
        return 0;
}

int tuf_metadata_verify(const TufMetadata *m, const TufKeyring *keys, const TufRoleKeys *role,
                        const char *role_name, char **ret_error) {
        _cleanup_free_ const TufKey **counted = NULL;
        size_t n = 0;

        counted = calloc(MAX(role->n_keyids, (size_t) 1), sizeof(TufKey *));
        if (!counted)
                return -ENOMEM;
        for (size_t i = 0; i < role->n_keyids && n < role->threshold; i++) {
                const TufKey *key = tuf_keyring_find(keys, role->keyids[i]);
                bool seen = false;
                int r;

                if (!key)
                        continue;
                /* Two keyids for one key would let one signer meet a threshold of two. */
                for (size_t j = 0; j < n && !seen; j++)
                        seen = tuf_key_same(counted[j], key);
                if (seen)
                        continue;
                r = signed_by(m, role->keyids[i], key);
                if (r < 0)
                        return r;
                if (r > 0)
                        counted[n++] = key;
        }
        if (n < role->threshold)
                return tuf_error(ret_error, -EPERM,
                                 "%s: signed by %zu of the %llu keys required for role %s", m->file, n,
                                 (unsigned long long) role->threshold, role_name);
        return 0;
}

bool tuf_role_keys_equal(const TufRoleKeys *a, const TufRoleKeys *b) {
        if (a->threshold != b->threshold || a->n_keyids != b->n_keyids)
                return false;
        /* keyids are unique within a role (the parser refuses repeats), so equal counts and inclusion one
         * way mean equal sets. */
        for (size_t i = 0; i < a->n_keyids; i++) {
                bool found = false;

                for (size_t j = 0; j < b->n_keyids && !found; j++)
                        found = streq(a->keyids[i], b->keyids[j]);
                if (!found)
                        return false;
        }
        return true;
}
