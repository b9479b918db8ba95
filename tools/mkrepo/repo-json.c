/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "hexutil.h"
#include "log.h"
#include "repo-json.h"
#include "tuf-canonical.h"

int repo_json_load(const char *path, size_t max, json_object **ret) {
        _cleanup_free_ char *data = NULL, *why = NULL;
        size_t size;
        int r;

        r = read_full_file(path, max, &data, &size);
        if (r == -EFBIG)
                return log_error_errno(r, "%s: larger than %zu bytes", path, max);
        if (r < 0)
                return log_error_errno(r, "%s: cannot read: %m", path);
        r = tuf_json_parse(data, size, ret, &why);
        if (r < 0)
                return log_error_errno(r, "%s: %s", path, why ?: "not valid JSON");
        return 0;
}

int repo_file_exists(const char *path) {
        struct stat st;

        if (lstat(path, &st) == 0)
                return 1;
        if (errno == ENOENT)
                return 0;
        return log_error_errno(negative_errno(), "%s: cannot stat: %m", path);
}

static int compare_keys(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* A copy of o with every object's members inserted in sorted order: json-c keeps insertion order. */
static json_object *sorted_copy(json_object *o) {
        json_object *copy;

        if (json_object_is_type(o, json_type_array)) {
                size_t n = json_object_array_length(o);

                copy = json_object_new_array_ext((int) n);
                for (size_t i = 0; copy && i < n; i++)
                        if (json_append(copy, sorted_copy(json_object_array_get_idx(o, i))) < 0)
                                copy = (json_object_put(copy), NULL);
                return copy;
        }
        if (!json_object_is_type(o, json_type_object))
                return json_object_get(o);
        size_t n = (size_t) json_object_object_length(o), i = 0;
        _cleanup_free_ const char **keys = calloc(MAX(n, (size_t) 1), sizeof(char *));

        if (!keys)
                return NULL;
        json_object_object_foreach(o, key, val) {
                (void) val;
                keys[i++] = key;
        }
        qsort(keys, n, sizeof(char *), compare_keys);
        copy = json_object_new_object();
        for (i = 0; copy && i < n; i++)
                if (json_add(copy, keys[i], sorted_copy(json_object_object_get(o, keys[i]))) < 0)
                        copy = (json_object_put(copy), NULL);
        return copy;
}

int repo_json_format(json_object *o, char **ret, size_t *ret_size) {
        _cleanup_(json_object_putp) json_object *sorted = sorted_copy(o);
        _cleanup_free_ char *canonical = NULL;
        const char *s;
        size_t n;
        int r;

        if (!sorted)
                return -ENOMEM;
        /* Refuse what canonical JSON cannot hold (floats) before it reaches a signature. */
        r = tuf_canonical_json(sorted, &canonical, NULL);
        if (r < 0)
                return r;
        s = json_object_to_json_string_ext(sorted, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        n = strlen(s);
        *ret = malloc(n + 2);
        if (!*ret)
                return -ENOMEM;
        memcpy(*ret, s, n);
        (*ret)[n] = '\n';
        (*ret)[n + 1] = 0;
        *ret_size = n + 1;
        return 0;
}

int repo_write(const char *path, const void *data, size_t size) {
        int r = write_file_atomic(path, data, size, 0644);

        if (r < 0)
                return log_error_errno(r, "%s: cannot write: %m", path);
        return 0;
}

void repo_sha256_hex(const void *data, size_t size, char ret[static 65]) {
        uint8_t digest[32];
        unsigned n = sizeof(digest);

        /* EVP_Digest of sha256 fails only when out of memory; a zero digest never matches a real file. */
        if (EVP_Digest(data, size, digest, &n, EVP_sha256(), NULL) != 1)
                memset(digest, 0, sizeof(digest));
        hex_encode(digest, sizeof(digest), ret);
}

void repo_expires_in_days(TufTime now, int64_t days, char ret[static TUF_TIME_MAX]) {
        TufTime t = { .sec = now.sec + days * 86400 };

        tuf_time_format(t, ret);
}

int json_add(json_object *o, const char *key, json_object *v) {
        if (!v)
                return -ENOMEM;
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int json_add_string(json_object *o, const char *key, const char *v) {
        return json_add(o, key, json_object_new_string(v));
}

int json_add_int(json_object *o, const char *key, int64_t v) {
        return json_add(o, key, json_object_new_int64(v));
}

int json_append(json_object *array, json_object *v) {
        if (!v)
                return -ENOMEM;
        if (json_object_array_add(array, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

const char *json_get_string(json_object *o, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

int64_t json_get_int(json_object *o, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return -1;
        return json_object_get_int64(v);
}
