/* SPDX-License-Identifier: MIT */
/* PATCH /settings bodies from input, parsed as the API server does (json-c, depth 32) and validated
 * against the repository's model. Every input must be accepted or refused with a key path and a reason;
 * a tree the model accepts must have only keys that format and that the metadata queries know. */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>

#include "macro.h"
#include "settings-internal.h"

#ifndef SETTINGS_MODELS_DIR
#define SETTINGS_MODELS_DIR "models"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static SettingsModel *model;

static int collect_key(char *const *names, size_t n, struct json_object *value, void *userdata) {
        _cleanup_free_ char *key = NULL;
        int r;

        r = settings_key_format(names, n, &key);
        if (r < 0)
                return r;
        return json_object_array_add(userdata, json_object_new_string(key)) < 0 ? -ENOMEM : 0;
}

static void check_valid_tree(struct json_object *tree) {
        _cleanup_(json_object_putp) struct json_object *keys = json_object_new_array(), *services = NULL,
                                                       *files = NULL;
        SettingsError error;

        if (!keys || settings_tree_walk(tree, collect_key, keys) < 0)
                abort();
        if (settings_model_affected(model, keys, &services, &files, &error) < 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(json_object_putp) struct json_object *tree = NULL;
        struct json_tokener *tok;
        SettingsError error;

        if (!model) {
                const char *dir = getenv("SETTINGS_MODELS_DIR") ?: SETTINGS_MODELS_DIR;

                if (settings_model_load(dir, "qemu", &model, &error) < 0) {
                        fprintf(stderr, "fuzz-settings-patch: model: %s: %s\n", error.key, error.message);
                        abort();
                }
        }
        if (size > 1024 * 1024)
                return 0;
        tok = json_tokener_new_ex(32);
        if (!tok)
                return 0;
        tree = json_tokener_parse_ex(tok, (const char *) data, (int) size);
        if (json_tokener_get_error(tok) != json_tokener_success)
                tree = (json_object_put(tree), NULL);
        json_tokener_free(tok);
        if (!tree)
                return 0;
        memset(&error, 0, sizeof(error));
        if (settings_model_validate(model, tree, &error) < 0) {
                if (!error.message[0] || !strneq(error.key, "settings", 8))
                        abort();
                return 0;
        }
        check_valid_tree(tree);
        return 0;
}
