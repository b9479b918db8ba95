/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tuf-error.h"
#include "tuf-json.h"
#include "tuf-metadata.h"

int tuf_parse_keyring(const char *file, json_object *o, TufKeyring *ret, char **ret_error) {
        TufKeyring ring = {};
        size_t n = (size_t) json_object_object_length(o);
        int r = 0;

        if (n > TUF_MAX_KEYS)
                return tuf_error(ret_error, -EBADMSG, "%s: more than %d keys", file, TUF_MAX_KEYS);
        ring.keys = calloc(MAX(n, (size_t) 1), sizeof(TufKey));
        if (!ring.keys)
                return -ENOMEM;
        json_object_object_foreach(o, keyid, value) {
                if (*keyid == 0)
                        r = tuf_error(ret_error, -EBADMSG, "%s: a key has an empty keyid", file);
                if (r >= 0)
                        r = tuf_key_parse(file, keyid, value, &ring.keys[ring.n_keys], ret_error);
                if (r < 0)
                        break;
                ring.n_keys++;
        }
        if (r < 0) {
                tuf_keyring_done(&ring);
                return r;
        }
        *ret = ring;
        return 0;
}

int tuf_parse_role_keys(const char *file, const char *role, json_object *o, const TufKeyring *keys,
                        TufRoleKeys *ret, char **ret_error) {
        TufRoleKeys rk = {};
        int r;

        if (!json_object_is_type(o, json_type_object))
                return tuf_error(ret_error, -EBADMSG, "%s: role '%s' is not an object", file, role);
        r = tuf_json_uint(file, o, "threshold", 1, &rk.threshold, ret_error);
        if (r < 0)
                return r;
        /* Unique keyids: a key listed twice must not count twice toward the threshold. */
        r = tuf_json_string_array(file, o, "keyids", TUF_MAX_KEYS, true, &rk.keyids, &rk.n_keyids,
                                  ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < rk.n_keyids; i++)
                if (!tuf_keyring_find(keys, rk.keyids[i])) {
                        r = tuf_error(ret_error, -EBADMSG,
                                      "%s: role '%s' names keyid '%s', which is not in keys", file, role,
                                      rk.keyids[i]);
                        tuf_role_keys_done(&rk);
                        return r;
                }
        *ret = rk;
        return 0;
}

int tuf_parse_root(TufMetadata *m, json_object *signed_, char **ret_error) {
        json_object *keys = NULL, *roles = NULL;
        int r;

        if ((r = tuf_json_bool(m->file, signed_, "consistent_snapshot", false, &m->consistent_snapshot,
                               ret_error)) < 0 ||
            (r = tuf_json_member(m->file, signed_, "keys", json_type_object, true, &keys, ret_error)) < 0 ||
            (r = tuf_json_member(m->file, signed_, "roles", json_type_object, true, &roles, ret_error)) <
                    0 ||
            (r = tuf_parse_keyring(m->file, keys, &m->keys, ret_error)) < 0)
                return r;
        /* Exactly the four top-level roles: anything else would be a role no client step checks. */
        if (json_object_object_length(roles) != _TUF_ROLE_TYPE_MAX)
                return tuf_error(ret_error, -EBADMSG,
                                 "%s: roles must list exactly root, timestamp, snapshot "
                                 "and targets",
                                 m->file);
        for (int t = 0; t < _TUF_ROLE_TYPE_MAX; t++) {
                const char *name = tuf_role_type_name((TufRoleType) t);
                json_object *role = NULL;

                if ((r = tuf_json_member(m->file, roles, name, json_type_object, true, &role, ret_error)) <
                            0 ||
                    (r = tuf_parse_role_keys(m->file, name, role, &m->keys, &m->roles[t], ret_error)) < 0)
                        return r;
        }
        return 0;
}
