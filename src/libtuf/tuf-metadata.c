/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hexutil.h"
#include "tuf-canonical.h"
#include "tuf-error.h"
#include "tuf-json.h"
#include "tuf-metadata.h"

static const char *const role_type_names[_TUF_ROLE_TYPE_MAX] = {
        [TUF_ROLE_ROOT] = "root",
        [TUF_ROLE_TIMESTAMP] = "timestamp",
        [TUF_ROLE_SNAPSHOT] = "snapshot",
        [TUF_ROLE_TARGETS] = "targets",
};

const char *tuf_role_type_name(TufRoleType t) {
        return t >= 0 && t < _TUF_ROLE_TYPE_MAX ? role_type_names[t] : "unknown";
}

static int parse_signatures(TufMetadata *m, json_object *array, char **ret_error) {
        size_t n = json_object_array_length(array);

        if (n > TUF_MAX_SIGNATURES)
                return tuf_error(ret_error, -EBADMSG, "%s: more than %d signatures", m->file,
                                 TUF_MAX_SIGNATURES);
        m->signatures = calloc(MAX(n, (size_t) 1), sizeof(TufSignature));
        if (!m->signatures)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(array, i);
                TufSignature *s = &m->signatures[i];
                const char *keyid, *hex;
                int r;

                if (!json_object_is_type(o, json_type_object))
                        return tuf_error(ret_error, -EBADMSG, "%s: signature %zu is not an object", m->file,
                                         i);
                if ((r = tuf_json_string(m->file, o, "keyid", &keyid, ret_error)) < 0 ||
                    (r = tuf_json_string(m->file, o, "sig", &hex, ret_error)) < 0)
                        return r;
                m->n_signatures++;
                s->keyid = strdup(keyid);
                s->sig = malloc(TUF_SIGNATURE_MAX);
                if (!s->keyid || !s->sig)
                        return -ENOMEM;
                /* A signature that does not decode can never verify; keep it out rather than refuse the
                 * document, so that one bad entry does not hide the good ones (it counts as unsigned). */
                if (hex_decode(hex, s->sig, TUF_SIGNATURE_MAX, &s->size) < 0)
                        s->size = 0;
        }
        return 0;
}

/* "1.0", "1.0.31": major version 1, as the client implements TUF 1.x. */
static int check_spec_version(const TufMetadata *m, const char *v, char **ret_error) {
        size_t parts = 0, len = 0;

        for (const char *p = v;; p++) {
                if (*p >= '0' && *p <= '9') {
                        len++;
                        continue;
                }
                if (len == 0 || (*p != '.' && *p != 0))
                        return tuf_error(ret_error, -EBADMSG, "%s: spec_version '%s' is malformed", m->file,
                                         v);
                parts++;
                len = 0;
                if (*p == 0)
                        break;
        }
        if (parts < 2 || parts > 3)
                return tuf_error(ret_error, -EBADMSG, "%s: spec_version '%s' is malformed", m->file, v);
        if (!strneq(v, "1.", 2))
                return tuf_error(ret_error, -EBADMSG, "%s: spec_version '%s' is not 1.x", m->file, v);
        return 0;
}

static int parse_type(TufMetadata *m, json_object *signed_, TufRoleType expected, char **ret_error) {
        const char *type;
        int r;

        r = tuf_json_string(m->file, signed_, "_type", &type, ret_error);
        if (r < 0)
                return r;
        for (m->type = 0; m->type < _TUF_ROLE_TYPE_MAX; m->type++)
                if (streq(type, role_type_names[m->type]))
                        break;
        if (m->type == _TUF_ROLE_TYPE_MAX)
                return tuf_error(ret_error, -EBADMSG, "%s: unknown _type '%s'", m->file, type);
        if (expected != TUF_ROLE_ANY && m->type != expected)
                return tuf_error(ret_error, -EBADMSG, "%s: _type is '%s', expected '%s'", m->file, type,
                                 role_type_names[expected]);
        return 0;
}

static int parse_common(TufMetadata *m, json_object *signed_, TufRoleType expected, char **ret_error) {
        const char *spec, *expires;
        int r;

        if ((r = parse_type(m, signed_, expected, ret_error)) < 0 ||
            (r = tuf_json_string(m->file, signed_, "spec_version", &spec, ret_error)) < 0 ||
            (r = check_spec_version(m, spec, ret_error)) < 0 ||
            (r = tuf_json_uint(m->file, signed_, "version", 1, &m->version, ret_error)) < 0 ||
            (r = tuf_json_string(m->file, signed_, "expires", &expires, ret_error)) < 0)
                return r;
        if (tuf_time_parse(expires, &m->expires) < 0)
                return tuf_error(ret_error, -EBADMSG, "%s: expires '%s' is not an RFC 3339 time", m->file,
                                 expires);
        m->expires_text = strdup(expires);
        return m->expires_text ? 0 : -ENOMEM;
}

static int parse_document(TufMetadata *m, json_object *doc, TufRoleType expected, char **ret_error) {
        json_object *signed_ = NULL, *signatures = NULL;
        int r;

        if ((r = tuf_json_member(m->file, doc, "signed", json_type_object, true, &signed_, ret_error)) < 0 ||
            (r = tuf_json_member(m->file, doc, "signatures", json_type_array, true, &signatures,
                                 ret_error)) < 0 ||
            (r = parse_signatures(m, signatures, ret_error)) < 0 ||
            (r = parse_common(m, signed_, expected, ret_error)) < 0)
                return r;
        r = tuf_canonical_json(signed_, &m->canonical, &m->canonical_size);
        if (r == -EDOM)
                return tuf_error(ret_error, -EBADMSG, "%s: contains a number that is not an integer",
                                 m->file);
        if (r < 0)
                return r;
        switch (m->type) {
        case TUF_ROLE_ROOT:
                return tuf_parse_root(m, signed_, ret_error);
        case TUF_ROLE_TIMESTAMP:
        case TUF_ROLE_SNAPSHOT:
                return tuf_parse_meta(m, signed_, ret_error);
        default:
                return tuf_parse_targets(m, signed_, ret_error);
        }
}

int tuf_metadata_parse(const void *data, size_t size, TufRoleType expected, const char *file,
                       TufMetadata **ret, char **ret_error) {
        _cleanup_(tuf_metadata_freep) TufMetadata *m = NULL;
        _cleanup_(json_object_putp) json_object *doc = NULL;
        _cleanup_free_ char *why = NULL;
        int r;

        m = calloc(1, sizeof(TufMetadata));
        if (!m)
                return -ENOMEM;
        m->file = strdup(file);
        m->raw = malloc(MAX(size, (size_t) 1));
        if (!m->file || !m->raw)
                return -ENOMEM;
        memcpy(m->raw, data, size);
        m->raw_size = size;
        r = tuf_json_parse(data, size, &doc, &why);
        if (r < 0)
                return tuf_error(ret_error, r, "%s: %s", file, why ?: "cannot parse");
        r = parse_document(m, doc, expected, ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

void tuf_role_keys_done(TufRoleKeys *r) {
        tuf_strv_free(r->keyids, r->n_keyids);
        *r = (TufRoleKeys){};
}

void tuf_keyring_done(TufKeyring *k) {
        for (size_t i = 0; i < k->n_keys; i++)
                tuf_key_done(&k->keys[i]);
        free(k->keys);
        *k = (TufKeyring){};
}

TufMetadata *tuf_metadata_free(TufMetadata *m) {
        if (!m)
                return NULL;
        for (size_t i = 0; i < m->n_signatures; i++) {
                free(m->signatures[i].keyid);
                free(m->signatures[i].sig);
        }
        free(m->signatures);
        for (int i = 0; i < _TUF_ROLE_TYPE_MAX; i++)
                tuf_role_keys_done(&m->roles[i]);
        tuf_keyring_done(&m->keys);
        for (size_t i = 0; i < m->n_meta; i++)
                free(m->meta[i].name);
        free(m->meta);
        for (size_t i = 0; i < m->n_targets; i++)
                free(m->targets[i].path);
        free(m->targets);
        for (size_t i = 0; i < m->n_delegations; i++) {
                free(m->delegations[i].name);
                tuf_role_keys_done(&m->delegations[i].keys);
                tuf_strv_free(m->delegations[i].patterns, m->delegations[i].n_patterns);
        }
        free(m->delegations);
        free(m->file);
        free(m->expires_text);
        free(m->raw);
        free(m->canonical);
        free(m);
        return NULL;
}

const TufMetaFile *tuf_metadata_meta(const TufMetadata *m, const char *name) {
        for (size_t i = 0; i < m->n_meta; i++)
                if (streq(m->meta[i].name, name))
                        return &m->meta[i];
        return NULL;
}

static int compare_target_path(const void *key, const void *t) {
        return strcmp(key, ((const TufTarget *) t)->path);
}

const TufTarget *tuf_metadata_target(const TufMetadata *m, const char *path) {
        /* The parser sorted them by path. */
        return m->n_targets ? bsearch(path, m->targets, m->n_targets, sizeof(TufTarget), compare_target_path)
                            : NULL;
}

const TufKey *tuf_keyring_find(const TufKeyring *ring, const char *keyid) {
        for (size_t i = 0; i < ring->n_keys; i++)
                if (streq(ring->keys[i].keyid, keyid))
                        return &ring->keys[i];
        return NULL;
}
