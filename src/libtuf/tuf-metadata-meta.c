/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tuf-error.h"
#include "tuf-json.h"
#include "tuf-metadata.h"

static int parse_meta_file(const char *file, const char *name, json_object *o, TufMetaFile *ret,
                           char **ret_error) {
        json_object *v = NULL;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return tuf_error(ret_error, -EBADMSG, "%s: meta entry '%s' is not an object", file, name);
        r = tuf_json_uint(file, o, "version", 1, &ret->version, ret_error);
        if (r < 0)
                return r;
        if (json_object_object_get_ex(o, "length", &v)) {
                r = tuf_json_uint(file, o, "length", 0, &ret->length, ret_error);
                if (r < 0)
                        return r;
                ret->has_length = true;
        }
        if (json_object_object_get_ex(o, "hashes", &v)) {
                r = tuf_hashes_parse(file, name, v, &ret->hashes, ret_error);
                if (r < 0)
                        return r;
        }
        ret->name = strdup(name);
        return ret->name ? 0 : -ENOMEM;
}

/* timestamp: "meta" holds exactly snapshot.json. snapshot: "meta" holds targets.json and the delegated
 * roles' files, each "<role name>.json". */
int tuf_parse_meta(TufMetadata *m, json_object *signed_, char **ret_error) {
        json_object *meta = NULL;
        size_t n;
        int r;

        r = tuf_json_member(m->file, signed_, "meta", json_type_object, true, &meta, ret_error);
        if (r < 0)
                return r;
        n = (size_t) json_object_object_length(meta);
        if (m->type == TUF_ROLE_TIMESTAMP &&
            (n != 1 || !json_object_object_get_ex(meta, "snapshot.json", NULL)))
                return tuf_error(ret_error, -EBADMSG, "%s: meta must list exactly snapshot.json", m->file);
        if (m->type == TUF_ROLE_SNAPSHOT && !json_object_object_get_ex(meta, "targets.json", NULL))
                return tuf_error(ret_error, -EBADMSG, "%s: meta does not list targets.json", m->file);
        m->meta = calloc(MAX(n, (size_t) 1), sizeof(TufMetaFile));
        if (!m->meta)
                return -ENOMEM;
        json_object_object_foreach(meta, name, value) {
                r = parse_meta_file(m->file, name, value, &m->meta[m->n_meta], ret_error);
                if (r < 0)
                        return r;
                m->n_meta++;
        }
        return 0;
}
