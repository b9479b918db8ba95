/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tuf-error.h"
#include "tuf-json.h"
#include "tuf-metadata.h"

static int parse_target(const char *file, const char *path, json_object *o, TufTarget *ret,
                        char **ret_error) {
        json_object *hashes = NULL, *custom = NULL;
        int r;

        if (*path == 0)
                return tuf_error(ret_error, -EBADMSG, "%s: a target has an empty path", file);
        if (!json_object_is_type(o, json_type_object))
                return tuf_error(ret_error, -EBADMSG, "%s: target '%s' is not an object", file, path);
        if ((r = tuf_json_uint(file, o, "length", 0, &ret->length, ret_error)) < 0 ||
            (r = tuf_json_member(file, o, "hashes", json_type_object, true, &hashes, ret_error)) < 0 ||
            (r = tuf_hashes_parse(file, path, hashes, &ret->hashes, ret_error)) < 0 ||
            (r = tuf_json_member(file, o, "custom", json_type_object, false, &custom, ret_error)) < 0)
                return r;
        ret->path = strdup(path);
        return ret->path ? 0 : -ENOMEM;
}

static bool is_top_level_name(const char *name) {
        for (int t = 0; t < _TUF_ROLE_TYPE_MAX; t++)
                if (streq(name, tuf_role_type_name((TufRoleType) t)))
                        return true;
        return false;
}

static int parse_patterns(const char *file, const char *name, json_object *o, TufDelegation *d,
                          char **ret_error) {
        bool has_paths = json_object_object_get_ex(o, "paths", NULL);
        bool has_prefixes = json_object_object_get_ex(o, "path_hash_prefixes", NULL);
        int r;

        if (has_paths == has_prefixes)
                return tuf_error(ret_error, -EBADMSG,
                                 "%s: delegation '%s' must have exactly one of paths and "
                                 "path_hash_prefixes",
                                 file, name);
        d->hash_prefixes = has_prefixes;
        r = tuf_json_string_array(file, o, has_paths ? "paths" : "path_hash_prefixes", TUF_MAX_PATHS, false,
                                  &d->patterns, &d->n_patterns, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; d->hash_prefixes && i < d->n_patterns; i++)
                if (d->patterns[i][strspn(d->patterns[i], "0123456789abcdef")] != 0)
                        return tuf_error(ret_error, -EBADMSG,
                                         "%s: delegation '%s' has a path hash prefix that is "
                                         "not lowercase hex",
                                         file, name);
        return 0;
}

static int parse_delegation(TufMetadata *m, json_object *o, TufDelegation *d, char **ret_error) {
        const char *name;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return tuf_error(ret_error, -EBADMSG, "%s: a delegated role is not an object", m->file);
        r = tuf_json_string(m->file, o, "name", &name, ret_error);
        if (r < 0)
                return r;
        /* The name becomes a file name and a key in snapshot's meta: a top-level name would alias
         * targets.json, and a repeated one would make the search order ambiguous. */
        if (*name == 0 || strlen(name) > TUF_MAX_NAME || is_top_level_name(name))
                return tuf_error(ret_error, -EBADMSG, "%s: '%s' is not a valid delegated role name", m->file,
                                 name);
        for (size_t i = 0; i < m->n_delegations; i++)
                if (streq(m->delegations[i].name, name))
                        return tuf_error(ret_error, -EBADMSG, "%s: role '%s' is delegated twice", m->file,
                                         name);
        d->name = strdup(name);
        if (!d->name)
                return -ENOMEM;
        if ((r = tuf_json_bool(m->file, o, "terminating", true, &d->terminating, ret_error)) < 0 ||
            (r = tuf_parse_role_keys(m->file, name, o, &m->keys, &d->keys, ret_error)) < 0 ||
            (r = parse_patterns(m->file, name, o, d, ret_error)) < 0)
                return r;
        return 0;
}

static int parse_delegations(TufMetadata *m, json_object *o, char **ret_error) {
        json_object *keys = NULL, *roles = NULL;
        size_t n;
        int r;

        /* TAP 15 hashed bins: a different search, which this client does not implement. */
        if (json_object_object_get_ex(o, "succinct_roles", NULL))
                return tuf_error(ret_error, -EBADMSG, "%s: succinct_roles delegations are not supported",
                                 m->file);
        if ((r = tuf_json_member(m->file, o, "keys", json_type_object, true, &keys, ret_error)) < 0 ||
            (r = tuf_json_member(m->file, o, "roles", json_type_array, true, &roles, ret_error)) < 0 ||
            (r = tuf_parse_keyring(m->file, keys, &m->keys, ret_error)) < 0)
                return r;
        n = json_object_array_length(roles);
        if (n > TUF_MAX_DELEGATIONS)
                return tuf_error(ret_error, -EBADMSG, "%s: more than %d delegated roles", m->file,
                                 TUF_MAX_DELEGATIONS);
        m->delegations = calloc(MAX(n, (size_t) 1), sizeof(TufDelegation));
        if (!m->delegations)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                r = parse_delegation(m, json_object_array_get_idx(roles, i), &m->delegations[i], ret_error);
                m->n_delegations++; /* counted even when half parsed, so that it is freed */
                if (r < 0)
                        return r;
        }
        return 0;
}

static int compare_targets(const void *a, const void *b) {
        return strcmp(((const TufTarget *) a)->path, ((const TufTarget *) b)->path);
}

int tuf_parse_targets(TufMetadata *m, json_object *signed_, char **ret_error) {
        json_object *targets = NULL, *delegations = NULL;
        size_t n;
        int r;

        if ((r = tuf_json_member(m->file, signed_, "targets", json_type_object, true, &targets, ret_error)) <
                    0 ||
            (r = tuf_json_member(m->file, signed_, "delegations", json_type_object, false, &delegations,
                                 ret_error)) < 0)
                return r;
        n = (size_t) json_object_object_length(targets);
        m->targets = calloc(MAX(n, (size_t) 1), sizeof(TufTarget));
        if (!m->targets)
                return -ENOMEM;
        json_object_object_foreach(targets, path, value) {
                r = parse_target(m->file, path, value, &m->targets[m->n_targets], ret_error);
                if (r < 0)
                        return r;
                m->targets[m->n_targets++].listed_by = m->file;
        }
        /* Sorted for tuf_metadata_target(): a targets role may list many thousands. */
        qsort(m->targets, m->n_targets, sizeof(TufTarget), compare_targets);
        return delegations ? parse_delegations(m, delegations, ret_error) : 0;
}
