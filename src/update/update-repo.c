/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "log.h"
#include "manifest.h"
#include "tuf-error.h"
#include "tuf-json.h"
#include "update-cache.h"
#include "update-repo.h"

#define ROOT_MAX_SIZE     (512 * 1024)
#define MANIFEST_MAX_SIZE (4 * 1024 * 1024)

struct UpdateRepo {
        TufFetcher *fetcher;
        TufClient *client;
        json_object *targets; /* "targets" of the trusted top-level targets role */
        json_object *manifest;
        bool bundle;
};

UpdateRepo *update_repo_free(UpdateRepo *r) {
        if (!r)
                return NULL;
        json_object_put(r->manifest);
        json_object_put(r->targets);
        tuf_client_free(r->client);
        tuf_fetcher_free(r->fetcher);
        free(r);
        return NULL;
}

static bool is_url(const char *s) {
        return strneq(s, "http://", 7) || strneq(s, "https://", 8) || strneq(s, "file://", 7);
}

/* A resumed or retried download is not an error, but the agent's log should show it happened. */
static void log_notice(const char *message, void *userdata) {
        log_warning("%s", message);
}

static int make_fetcher(const char *repo, TufFetcher **ret, char **ret_error) {
        _cleanup_free_ char *metadata = NULL, *targets = NULL;
        int n = (int) strlen(repo), q;

        while (n > 1 && repo[n - 1] == '/')
                n--;
        if (asprintf(&metadata, "%.*s/metadata", n, repo) < 0 ||
            asprintf(&targets, "%.*s/targets", n, repo) < 0)
                return -ENOMEM;
        if (is_url(repo))
                q = tuf_fetcher_curl_new(metadata, targets, ret, ret_error);
        else
                q = tuf_fetcher_dir_new(metadata, targets, ret, ret_error);
        if (q >= 0)
                tuf_fetcher_set_notify(*ret, log_notice, NULL);
        return q;
}

/* Custom metadata is not part of libtuf's TufTarget; it is read from the canonical form of the trusted
 * targets role, which is exactly what the signatures were checked over. */
static int load_targets(UpdateRepo *r, char **ret_error) {
        const TufMetadata *m = tuf_client_trusted(r->client, TUF_ROLE_TARGETS);
        _cleanup_(json_object_putp) json_object *signed_ = NULL;
        json_object *targets;
        int q;

        if (!m)
                return tuf_error(ret_error, -EBADMSG, "no trusted targets metadata");
        q = tuf_json_parse(m->canonical, m->canonical_size, &signed_, ret_error);
        if (q < 0)
                return q;
        if (!json_object_object_get_ex(signed_, "targets", &targets) ||
            !json_object_is_type(targets, json_type_object))
                return tuf_error(ret_error, -EBADMSG, "%s: no targets", m->file);
        r->targets = json_object_get(targets);
        return 0;
}

/* Takes fetcher. */
static int open_with(const char *root_path, const char *cache_dir, TufFetcher *fetcher, const TufTime *now,
                     UpdateRepo **ret, char **ret_error) {
        _cleanup_(update_repo_freep) UpdateRepo *r = calloc(1, sizeof(UpdateRepo));
        _cleanup_free_ char *root = NULL, *why = NULL;
        UpdateCache cache;
        size_t root_size;
        int q;

        if (!r) {
                tuf_fetcher_free(fetcher);
                return -ENOMEM;
        }
        r->fetcher = fetcher;
        q = read_full_file(root_path, ROOT_MAX_SIZE, &root, &root_size);
        if (q < 0)
                return tuf_error(ret_error, q, "cannot read the trusted root '%s': %s", root_path,
                                 strerror(-q));
        if ((q = tuf_client_new(root, root_size, r->fetcher, NULL, &r->client, ret_error)) < 0)
                return q;
        if (now)
                tuf_client_set_now(r->client, *now);
        if ((q = update_cache_load(&cache, cache_dir, r->client)) < 0 ||
            (q = tuf_client_refresh(r->client, ret_error)) < 0)
                return q;
        /* Not fatal: this update is as safe without it, only the next one starts from older floors. The
         * warning lands in the agent's log. */
        q = update_cache_save(&cache, r->client, &why);
        if (q < 0)
                log_warning("Cannot keep the trusted metadata for the next update: %s", why ?: strerror(-q));
        if ((q = load_targets(r, ret_error)) < 0)
                return q;
        *ret = TAKE_PTR(r);
        return 0;
}

int update_repo_open(const char *root_path, const char *cache_dir, const char *repo, const TufTime *now,
                     UpdateRepo **ret, char **ret_error) {
        TufFetcher *fetcher = NULL;
        int q;

        q = make_fetcher(repo, &fetcher, ret_error);
        return q < 0 ? q : open_with(root_path, cache_dir, fetcher, now, ret, ret_error);
}

int update_repo_open_bundle(const char *root_path, const char *cache_dir, const char *bundle,
                            const TufTime *now, UpdateRepo **ret, char **ret_error) {
        TufFetcher *fetcher = NULL;
        int q;

        q = tuf_fetcher_bundle_new(bundle, &fetcher, ret_error);
        if (q < 0)
                return q;
        q = open_with(root_path, cache_dir, fetcher, now, ret, ret_error);
        if (q >= 0)
                (*ret)->bundle = true;
        return q;
}

const char *update_json_string(json_object *o, const char *key) {
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

int64_t update_json_int(json_object *o, const char *key) {
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return -1;
        return json_object_get_int64(v);
}

static int custom_of(UpdateRepo *r, const TufTarget *t, json_object **ret, char **ret_error) {
        json_object *entry, *custom = NULL;

        /* Our repositories do not delegate; a target a delegated role lists has no custom metadata that
         * we could read from the top-level role, and installing it would trust that role's keys alone. */
        if (!json_object_object_get_ex(r->targets, t->path, &entry))
                return tuf_error(ret_error, -EPERM, "%s: listed by %s, not by the top-level targets role",
                                 t->path, t->listed_by ?: "a delegated role");
        if (!json_object_object_get_ex(entry, "custom", &custom) ||
            !json_object_is_type(custom, json_type_object))
                return tuf_error(ret_error, -EBADMSG, "%s: no custom metadata", t->path);
        *ret = custom;
        return 0;
}

int update_repo_target(UpdateRepo *r, const char *path, const char *kind, const char *variant,
                       const char *version, const TufTarget **ret, json_object **ret_custom,
                       char **ret_error) {
        const TufTarget *t;
        json_object *custom = NULL;
        const char *k, *va, *ve;
        int q;

        q = tuf_client_find_target(r->client, path, &t, NULL, ret_error);
        if (q < 0)
                return q;
        q = custom_of(r, t, &custom, ret_error);
        if (q < 0)
                return q;
        k = update_json_string(custom, "kind");
        va = update_json_string(custom, "variant");
        ve = update_json_string(custom, "version");
        /* The manifest names the targets, but the signed custom metadata is what says what a file is:
         * a manifest pointing "root" at another version's file must not get it installed. */
        if (!k || !streq(k, kind) || (variant && (!va || !streq(va, variant))) ||
            (version && (!ve || !streq(ve, version))))
                return tuf_error(ret_error, -EBADMSG,
                                 "%s: custom metadata says kind '%s' of %s %s, expected '%s' of %s %s", path,
                                 k ?: "?", va ?: "?", ve ?: "?", kind, variant ?: "any", version ?: "any");
        *ret = t;
        if (ret_custom)
                *ret_custom = custom;
        return 0;
}

int update_repo_fetch(UpdateRepo *r, const TufTarget *t, TufSink sink, void *userdata, char **ret_error) {
        return tuf_client_fetch_target(r->client, t, sink, userdata, NULL, ret_error);
}

typedef struct Buffer {
        char *data;
        size_t size;
} Buffer;

static int buffer_sink(const void *data, size_t size, void *userdata) {
        Buffer *b = userdata;
        char *p = realloc(b->data, b->size + size + 1);

        if (!p)
                return -ENOMEM;
        memcpy(p + b->size, data, size);
        b->data = p;
        b->size += size;
        b->data[b->size] = 0;
        return 0;
}

/* Whether the bundle holds every target the manifest entry names. A target that does not resolve counts as
 * held: installing it fails later with the reason, as it would from a repository. */
static bool bundle_holds(UpdateRepo *r, json_object *entry) {
        json_object *targets;

        if (!json_object_object_get_ex(entry, "targets", &targets) ||
            !json_object_is_type(targets, json_type_object))
                return true;
        json_object_object_foreach(targets, kind, path) {
                _cleanup_free_ char *name = NULL;
                const TufTarget *t;

                (void) kind;
                if (!json_object_is_type(path, json_type_string) ||
                    tuf_client_find_target(r->client, json_object_get_string(path), &t, NULL, NULL) < 0)
                        continue;
                if (tuf_client_target_filename(r->client, t, &name) < 0)
                        return true;
                if (!tuf_fetcher_bundle_has(r->fetcher, TUF_AREA_TARGETS, name))
                        return false;
        }
        return true;
}

/* Drops the versions a bundle does not carry from the (signed, checked) manifest: a smaller set of
 * choices, never a different one. */
static void bundle_filter(UpdateRepo *r, json_object *manifest) {
        json_object *versions;

        if (!json_object_object_get_ex(manifest, "versions", &versions) ||
            !json_object_is_type(versions, json_type_array))
                return;
        for (size_t i = json_object_array_length(versions); i > 0; i--)
                if (!bundle_holds(r, json_object_array_get_idx(versions, i - 1)))
                        (void) json_object_array_del_idx(versions, i - 1, 1);
}

int update_repo_fetch_small(UpdateRepo *r, const TufTarget *t, char **ret, size_t *ret_size,
                            char **ret_error) {
        Buffer b = {};
        int q;

        q = update_repo_fetch(r, t, buffer_sink, &b, ret_error);
        if (q < 0) {
                free(b.data);
                return q;
        }
        *ret = b.data ?: strdup("");
        *ret_size = b.size;
        return *ret ? 0 : -ENOMEM;
}

int update_repo_manifest(UpdateRepo *r, json_object **ret, char **ret_error) {
        _cleanup_(json_object_putp) json_object *m = NULL;
        _cleanup_free_ char *why = NULL;
        Buffer b = {};
        const TufTarget *t;
        int q;

        if (r->manifest) {
                *ret = r->manifest;
                return 0;
        }
        q = update_repo_target(r, "manifest.json", "manifest", NULL, NULL, &t, NULL, ret_error);
        if (q < 0)
                return q;
        if (t->length > MANIFEST_MAX_SIZE)
                return tuf_error(ret_error, -EFBIG, "manifest.json: %" PRIu64 " bytes is more than we read",
                                 t->length);
        q = update_repo_fetch(r, t, buffer_sink, &b, ret_error);
        if (q >= 0)
                q = tuf_json_parse(b.data ?: "", b.size, &m, ret_error);
        free(b.data);
        if (q < 0)
                return q;
        q = manifest_check(m, &why);
        if (q < 0)
                return tuf_error(ret_error, q, "%s", why ?: "manifest.json: invalid");
        if (r->bundle)
                bundle_filter(r, m);
        r->manifest = TAKE_PTR(m);
        *ret = r->manifest;
        return 0;
}
