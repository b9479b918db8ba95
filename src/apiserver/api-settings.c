/* SPDX-License-Identifier: MIT */
/* /settings and /tx: reading live settings, staging changes in named transactions, committing them. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "api-context.h"
#include "api-settings.h"
#include "settings.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

void api_respond_settings_error(ApiResponse *resp, unsigned status, int r, const SettingsError *e) {
        if (r == -EBUSY || r == -ENOSPC || r == -EIO || r == -EROFS || r == -ENOMEM || r == -EBADMSG)
                status = 503;
        api_respond_error(resp, status, e->key[0] ? e->key : NULL, "%s",
                          e->message[0] ? e->message : strerror(-r));
}

static const char *tx_name(const ApiRequest *req) {
        const char *tx = api_query(req, "tx");
        return tx && *tx ? tx : "default";
}

/* Splits a comma-separated query parameter into a NULL-terminated array of pointers into *ret_buf. */
static int split_list(const char *value, char **ret_buf, const char ***ret_items, size_t *ret_n) {
        size_t n = 0;
        char *buf = strdup(value ? value : ""), *save = NULL;
        const char **items = calloc(strlen(buf) / 2 + 2, sizeof(char *));

        if (!buf || !items)
                return free(buf), free(items), -ENOMEM;
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
                items[n++] = t;
        *ret_buf = buf;
        *ret_items = items;
        *ret_n = n;
        return 0;
}

#define SETTINGS_CACHE_MAX 64

void api_settings_changed(ApiContext *ctx) {
        json_object_put(ctx->settings_cache);
        ctx->settings_cache = json_object_new_object();
}

void api_get_settings(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        const char *list = api_query(req, "keys") ? api_query(req, "keys") : api_query(req, "prefix");
        _cleanup_free_ char *buf = NULL;
        _cleanup_free_ const char **items = NULL;
        _cleanup_(json_object_putp) struct json_object *tree = NULL;
        SettingsError e = {};
        struct json_object *cached;
        size_t n = 0;
        int r;

        if (!ctx->settings_cache)
                api_settings_changed(ctx);
        if (json_object_object_get_ex(ctx->settings_cache, list ? list : "", &cached))
                return api_respond_text(resp, 200, json_object_get_string(cached));
        if (split_list(list, &buf, &items, &n) < 0)
                return api_respond_error(resp, 500, NULL, "out of memory");
        for (size_t i = 0; i < n; i++) {
                SettingsKey k = {};
                /* A prefix must be a key the model has: a typo gets an error, not an empty answer. */
                r = settings_key_parse(items[i], &k, &e);
                settings_key_done(&k);
                if (r < 0)
                        return api_respond_settings_error(resp, 400, r, &e);
        }
        r = settings_store_get_live(ctx->store, items, n, &tree, &e);
        if (r < 0)
                return api_respond_settings_error(resp, 400, r, &e);
        api_respond(resp, 200, tree);
        if (resp->status == 200) {
                if (json_object_object_length(ctx->settings_cache) >= SETTINGS_CACHE_MAX)
                        api_settings_changed(ctx);
                json_object_object_add(ctx->settings_cache, list ? list : "",
                                       json_object_new_string(resp->body));
        }
}

void api_patch_settings(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        _cleanup_(json_object_putp) struct json_object *tree = api_body_json(req, resp);
        SettingsError e = {};
        int r;

        if (!tree)
                return;
        if (!json_object_is_type(tree, json_type_object))
                return api_respond_error(resp, 400, NULL, "the body must be a settings object");
        r = settings_model_validate(ctx->model, tree, &e);
        if (r < 0)
                return api_respond_settings_error(resp, 400, r, &e);
        r = settings_store_set_pending(ctx->store, tx_name(req), tree, &e);
        if (r < 0)
                return api_respond_settings_error(resp, 400, r, &e);
        api_respond(resp, 204, NULL);
}

/* Puts value at key into tree, as the model wants it: a string that is not valid as it stands is read as
 * JSON, so `apiclient set host-containers.admin.enabled=true` means the boolean. */
static int add_keypair(ApiContext *ctx, struct json_object *tree, const char *key, struct json_object *value,
                       SettingsError *e) {
        _cleanup_(json_object_putp) struct json_object *single = json_object_new_object(), *parsed = NULL;
        SettingsKey k = {};
        int r;

        r = settings_key_parse(key, &k, e);
        if (r < 0)
                return r;
        if (k.n == 0) {
                settings_key_done(&k);
                snprintf(e->key, sizeof(e->key), "%s", key);
                snprintf(e->message, sizeof(e->message), "a key below settings is needed");
                return -EINVAL;
        }
        r = settings_tree_set(single, k.names, k.n, value);
        if (r >= 0)
                r = settings_model_validate(ctx->model, single, e);
        if (r == -EINVAL && json_object_is_type(value, json_type_string) &&
            (parsed = json_tokener_parse(json_object_get_string(value)))) {
                SettingsError e2 = {};
                json_object_put(single);
                single = json_object_new_object();
                r = settings_tree_set(single, k.names, k.n, parsed);
                if (r >= 0)
                        r = settings_model_validate(ctx->model, single, &e2);
                if (r < 0)
                        r = -EINVAL; /* report the first reading's error: the value as it was given */
        }
        if (r >= 0)
                r = settings_tree_merge(tree, single);
        settings_key_done(&k);
        return r;
}

void api_patch_keypair(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        _cleanup_(json_object_putp) struct json_object *body = api_body_json(req, resp);
        _cleanup_(json_object_putp) struct json_object *tree = json_object_new_object();
        SettingsError e = {};
        size_t n;
        int r;

        if (!body)
                return;
        n = json_object_is_type(body, json_type_array) ? json_object_array_length(body) : 1;
        for (size_t i = 0; i < n; i++) {
                struct json_object *pair = json_object_is_type(body, json_type_array)
                                                   ? json_object_array_get_idx(body, i)
                                                   : body;
                struct json_object *key, *value;

                if (!json_object_is_type(pair, json_type_object) ||
                    !json_object_object_get_ex(pair, "key", &key) ||
                    !json_object_is_type(key, json_type_string) ||
                    !json_object_object_get_ex(pair, "value", &value))
                        return api_respond_error(
                                resp, 400, NULL,
                                "each pair must be {\"key\": \"settings.…\", \"value\": …}");
                r = add_keypair(ctx, tree, json_object_get_string(key), value, &e);
                if (r < 0)
                        return api_respond_settings_error(resp, 400, r, &e);
        }
        r = settings_store_set_pending(ctx->store, tx_name(req), tree, &e);
        if (r < 0)
                return api_respond_settings_error(resp, 400, r, &e);
        api_respond(resp, 204, NULL);
}

void api_get_tx(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        _cleanup_(json_object_putp) struct json_object *tree = NULL;
        SettingsError e = {};
        int r = settings_store_get_pending(ctx->store, tx_name(req), &tree, &e);

        if (r < 0)
                return api_respond_settings_error(resp, 400, r, &e);
        api_respond(resp, 200, tree);
}

void api_delete_tx(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        SettingsError e = {};
        int r = settings_store_discard(ctx->store, tx_name(req), &e);

        if (r < 0)
                return api_respond_settings_error(resp, 400, r, &e);
        api_respond(resp, 204, NULL);
}

void api_get_tx_list(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        _cleanup_(json_object_putp) struct json_object *list = NULL;
        SettingsError e = {};
        int r = settings_store_list_tx(ctx->store, &list, &e);

        (void) req;
        if (r < 0)
                return api_respond_settings_error(resp, 500, r, &e);
        api_respond(resp, 200, list);
}

static int commit(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp, const char *snapshot,
                  struct json_object **ret_keys) {
        SettingsError e = {};
        int r = settings_store_commit(ctx->store, tx_name(req), snapshot, ret_keys, &e);

        api_settings_changed(ctx);
        if (r < 0)
                api_respond_settings_error(resp, r == -ENOENT ? 404 : r == -EEXIST ? 409 : 400, r, &e);
        return r;
}

void api_post_commit(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        _cleanup_(json_object_putp) struct json_object *keys = NULL;

        if (commit(ctx, req, resp, NULL, &keys) >= 0)
                api_respond(resp, 200, keys);
}

/* Applies and answers: the commit stands even when a file fails to render; the answer says which. */
static void apply_and_respond(ApiContext *ctx, struct json_object *keys, ApiResponse *resp, unsigned status,
                              struct json_object *body) {
        _cleanup_free_ char *error = NULL;

        if (api_apply(ctx, keys, &error) < 0)
                return api_respond_error(resp, 500, NULL, "committed, but applying failed: %s",
                                         error ? error : "unknown error");
        api_respond(resp, status, body);
}

void api_post_apply(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        const char *list = api_query(req, "keys");
        _cleanup_(json_object_putp) struct json_object *keys = NULL;
        _cleanup_free_ char *buf = NULL;
        _cleanup_free_ const char **items = NULL;
        size_t n;

        if (list) {
                if (split_list(list, &buf, &items, &n) < 0)
                        return api_respond_error(resp, 500, NULL, "out of memory");
                keys = json_object_new_array();
                for (size_t i = 0; i < n; i++)
                        json_object_array_add(keys, json_object_new_string(items[i]));
        }
        apply_and_respond(ctx, keys, resp, 204, NULL);
}

void api_post_commit_and_apply(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        _cleanup_(json_object_putp) struct json_object *keys = NULL;

        if (commit(ctx, req, resp, NULL, &keys) >= 0)
                apply_and_respond(ctx, keys, resp, 200, keys);
}
