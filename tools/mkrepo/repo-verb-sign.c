/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "log.h"
#include "repo-add.h"
#include "repo-json.h"
#include "repo-stage.h"
#include "repo-verbs.h"
#include "repo.h"

int verb_add(const Args *a) {
        _cleanup_(repo_freep) Repo *r = NULL;
        AddOptions o = {
                .image_dir = a->image_dir,
                .variant = a->variant,
                .version = a->version,
                .waves = a->waves,
                .compression = a->compression_set ? a->compression : compression_default(),
                .released = a->released_set ? a->released : a->now,
        };
        int q;

        q = repo_open(a->repo, a->now, &r);
        if (q < 0)
                return q;
        if (!o.waves)
                o.waves = json_get_string(r->config, "waves") ?: "0,6,24,48";
        return repo_add_image(r, &o);
}

/* Whether role's published signatures are exactly by the keys the current root names for it: after a
 * rotation they are not, and the role must be signed again even though its content did not change. */
static bool signed_by_current_keys(const Repo *r, TufRoleType role) {
        json_object *roles, *o, *keyids, *sigs;
        size_t n;

        if (!json_object_object_get_ex(repo_signed(r->doc[TUF_ROLE_ROOT]), "roles", &roles) ||
            !json_object_object_get_ex(roles, tuf_role_type_name(role), &o) ||
            !json_object_object_get_ex(o, "keyids", &keyids) ||
            !json_object_object_get_ex(r->doc[role], "signatures", &sigs))
                return false;
        n = json_object_array_length(sigs);
        if (n != json_object_array_length(keyids))
                return false;
        for (size_t i = 0; i < n; i++) {
                const char *id = json_get_string(json_object_array_get_idx(sigs, i), "keyid");
                bool found = false;

                for (size_t j = 0; id && j < json_object_array_length(keyids); j++)
                        found = found ||
                                streq(id, json_object_get_string(json_object_array_get_idx(keyids, j)));
                if (!found)
                        return false;
        }
        return true;
}

int verb_sign(const Args *a) {
        _cleanup_(repo_freep) Repo *r = NULL;
        KeyDir kd = { .dir = a->keys };
        unsigned mask = ROLE_BIT(TUF_ROLE_SNAPSHOT);
        int q;

        q = repo_open(a->repo, a->now, &r);
        if (q < 0)
                return q;
        q = repo_stage_apply(r);
        if (q < 0)
                return q;
        if (q > 0 || !signed_by_current_keys(r, TUF_ROLE_TARGETS))
                mask |= ROLE_BIT(TUF_ROLE_TARGETS);
        q = repo_publish(r, &kd, mask, a->expires);
        if (q >= 0 && (mask & ROLE_BIT(TUF_ROLE_TARGETS)))
                q = repo_stage_clear(r);
        keydir_done(&kd);
        return q;
}

/* The key set of the next root: the new root key, and for each other role its key in the new directory
 * where there is one, else the one the current root names (as a public key only). */
static int next_root_keys(const Repo *r, KeyDir *newkd, RepoKey *keys[static _TUF_ROLE_TYPE_MAX],
                          RepoKey *owned[static _TUF_ROLE_TYPE_MAX]) {
        json_object *s = repo_signed(r->doc[TUF_ROLE_ROOT]), *roles, *all, *o, *ids;
        int q;

        if (!json_object_object_get_ex(s, "roles", &roles) || !json_object_object_get_ex(s, "keys", &all))
                return log_error_errno(-EBADMSG, "root version %" PRIu64 ": no keys or roles",
                                       r->version[0]);
        for (int t = 0; t < _TUF_ROLE_TYPE_MAX; t++) {
                const char *id;
                json_object *pub;

                if (t == TUF_ROLE_ROOT || keydir_has(newkd, (TufRoleType) t)) {
                        q = keydir_get(newkd, (TufRoleType) t, &keys[t]);
                        if (q < 0)
                                return q;
                        continue;
                }
                if (!json_object_object_get_ex(roles, tuf_role_type_name((TufRoleType) t), &o) ||
                    !json_object_object_get_ex(o, "keyids", &ids) || json_object_array_length(ids) != 1 ||
                    !(id = json_object_get_string(json_object_array_get_idx(ids, 0))) ||
                    !json_object_object_get_ex(all, id, &pub))
                        return log_error_errno(
                                -EBADMSG, "root version %" PRIu64 ": role %s does not name one key",
                                r->version[TUF_ROLE_ROOT], tuf_role_type_name((TufRoleType) t));
                owned[t] = keys[t] = calloc(1, sizeof(RepoKey));
                if (!keys[t])
                        return log_oom();
                keys[t]->public = json_object_get(pub);
                (void) snprintf_ok(keys[t]->keyid, "%s", id);
        }
        return 0;
}

int verb_rotate_root(const Args *a) {
        _cleanup_(repo_freep) Repo *r = NULL;
        KeyDir kd = { .dir = a->keys }, newkd = { .dir = a->new_keys, .fallback = &kd };
        RepoKey *keys[_TUF_ROLE_TYPE_MAX] = {}, *owned[_TUF_ROLE_TYPE_MAX] = {}, *signers[2];
        json_object *doc;
        char expires[TUF_TIME_MAX];
        unsigned mask = 0;
        int q;

        if ((q = repo_open(a->repo, a->now, &r)) < 0 ||
            (q = repo_role_key(r, &kd, TUF_ROLE_ROOT, &signers[0])) < 0 ||
            (q = next_root_keys(r, &newkd, keys, owned)) < 0)
                goto out;
        repo_expires_in_days(r->now, a->days_set ? a->days : repo_expiry_days(r, TUF_ROLE_ROOT), expires);
        doc = repo_document(root_signed_new(keys, r->version[TUF_ROLE_ROOT] + 1, expires, r->consistent));
        signers[1] = keys[TUF_ROLE_ROOT];
        /* Signed by the old root (so clients accept the change) and the new one (so it is valid by itself).
         */
        if (!doc)
                q = log_oom();
        else
                q = repo_sign(doc, signers, streq(signers[0]->keyid, signers[1]->keyid) ? 1 : 2);
        if (q >= 0)
                q = repo_save(r, TUF_ROLE_ROOT, doc, NULL, NULL);
        json_object_put(doc);
        if (q >= 0) {
                log_info("root: version %" PRIu64 ", expires %s", r->version[TUF_ROLE_ROOT], expires);
                for (int t = TUF_ROLE_TIMESTAMP; t < _TUF_ROLE_TYPE_MAX; t++)
                        if (!signed_by_current_keys(r, (TufRoleType) t))
                                mask |= ROLE_BIT(t);
                /* Roles whose keys changed are signed again with the new keys right away, so that the
                 * repository never stands in a state that clients refuse. */
                q = repo_publish(r, &newkd, mask, a->expires);
        }
out:
        for (int t = 0; t < _TUF_ROLE_TYPE_MAX; t++)
                repo_key_free(owned[t]);
        keydir_done(&kd);
        keydir_done(&newkd);
        return q;
}

static int expire_root(Repo *r, KeyDir *kd, int64_t days) {
        _cleanup_(json_object_putp) json_object *doc = NULL;
        char expires[TUF_TIME_MAX];
        RepoKey *key;
        int q;

        q = repo_role_key(r, kd, TUF_ROLE_ROOT, &key);
        if (q < 0)
                return q;
        if (json_object_deep_copy(r->doc[TUF_ROLE_ROOT], &doc, NULL) < 0)
                return log_oom();
        repo_expires_in_days(r->now, days, expires);
        /* A new expiry is a new root version, signed by the same keys: clients step to it as a rotation. */
        if (json_add_int(repo_signed(doc), "version", (int64_t) r->version[TUF_ROLE_ROOT] + 1) < 0 ||
            json_add_string(repo_signed(doc), "expires", expires) < 0)
                return log_oom();
        if ((q = repo_sign(doc, &key, 1)) < 0 || (q = repo_save(r, TUF_ROLE_ROOT, doc, NULL, NULL)) < 0)
                return q;
        log_info("root: version %" PRIu64 ", expires %s", r->version[TUF_ROLE_ROOT], expires);
        return repo_self_check(r);
}

int verb_expire(const Args *a) {
        _cleanup_(repo_freep) Repo *r = NULL;
        int64_t days[_TUF_ROLE_TYPE_MAX];
        KeyDir kd = { .dir = a->keys };
        int q;

        q = repo_open(a->repo, a->now, &r);
        if (q < 0)
                return q;
        for (int t = 0; t < _TUF_ROLE_TYPE_MAX; t++)
                days[t] = a->expires[t];
        days[a->role] = a->days;
        if (a->role == TUF_ROLE_ROOT)
                q = expire_root(r, &kd, a->days);
        else
                q = repo_publish(r, &kd, ROLE_BIT(a->role), days);
        keydir_done(&kd);
        return q;
}
