/* SPDX-License-Identifier: MIT */
#include <json-c/json.h>
#include <string.h>
#include <sys/utsname.h>

#include "api-context.h"
#include "api-os.h"
#include "fileio.h"

/* Value of KEY=value in os-release text (quotes removed), or NULL. */
static struct json_object *os_release_value(const char *text, const char *key) {
        size_t n = strlen(key);

        for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
                if (!strneq(l, key, n) || l[n] != '=')
                        continue;
                const char *v = l + n + 1;
                size_t len = strcspn(v, "\n");
                if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0]) {
                        v++;
                        len -= 2;
                }
                return json_object_new_string_len(v, (int) len);
        }
        return NULL;
}

void api_get_os(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        static const struct {
                const char *field, *key;
        } fields[] = {
                { "pretty_name", "PRETTY_NAME" },
                { "variant_id", "VARIANT_ID" },
                { "version_id", "VERSION_ID" },
                { "build_id", "BUILD_ID" },
        };
        _cleanup_free_ char *text = NULL;
        struct json_object *o;
        struct utsname u;
        int r;

        (void) req;
        r = read_full_file(ctx->os_release, 64 * 1024, &text, NULL);
        if (r < 0) {
                api_respond_error(resp, 500, NULL, "cannot read %s: %s", ctx->os_release, strerror(-r));
                return;
        }
        o = json_object_new_object();
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                json_object_object_add(o, fields[i].field, os_release_value(text, fields[i].key));
        json_object_object_add(o, "arch", json_object_new_string(uname(&u) == 0 ? u.machine : "unknown"));
        /* What became of the user data at first boot, as `userdata` recorded it. */
        struct json_object *user_data = NULL;
        SettingsError e = {};
        if (!ctx->store || settings_store_metadata_get(ctx->store, "user-data", &user_data, &e) < 0) {
                user_data = json_object_new_object();
                json_object_object_add(user_data, "status", json_object_new_string("none"));
        }
        json_object_object_add(o, "user_data", user_data);
        api_respond(resp, 200, o);
        json_object_put(o);
}
