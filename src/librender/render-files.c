/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "hexutil.h"
#include "macro.h"
#include "render-files.h"
#include "template.h"

void render_sha256_hex(const void *data, size_t size, char ret[65]) {
        unsigned char md[32];
        unsigned len = 0;

        EVP_Digest(data, size, md, &len, EVP_sha256(), NULL);
        hex_encode(md, sizeof(md), ret);
}

int render_to_string(const char *templates_dir, const char *template_name, struct json_object *ctx,
                     char **ret, char **ret_error) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_close_ int dfd = -EBADF;
        Template *t = NULL;
        TemplateError e = {};
        int r;

        *ret_error = NULL;
        if (strchr(template_name, '/') || template_name[0] == '.')
                return asprintf(ret_error, "template name '%s' is not a plain file name", template_name) < 0
                               ? -ENOMEM
                               : -EINVAL;
        if (asprintf(&path, "%s/%s", templates_dir, template_name) < 0)
                return -ENOMEM;
        r = read_full_file(path, TEMPLATE_MAX_PARTIAL_SIZE, &text, NULL);
        if (r < 0)
                return asprintf(ret_error, "%s: %s", path, strerror(-r)) < 0 ? -ENOMEM : r;
        r = template_parse(text, &t, &e);
        if (r < 0)
                return asprintf(ret_error, "%s: %s", path, e.message) < 0 ? -ENOMEM : r;
        dfd = open(templates_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
                r = negative_errno();
                template_free(t);
                return asprintf(ret_error, "%s: %s", templates_dir, strerror(-r)) < 0 ? -ENOMEM : r;
        }
        r = template_render(t, ctx, template_lookup_dir, &dfd, ret, &e);
        template_free(t);
        if (r < 0)
                return asprintf(ret_error, "%s: %s", path, e.message) < 0 ? -ENOMEM : r;
        return 0;
}

/* mkdir -p of the directories above path. */
static int make_parents(const char *path) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                *s = '/';
        }
        return 0;
}

static void status_set(struct json_object *st, const char *key, const char *value) {
        json_object_object_add(st, key, value ? json_object_new_string(value) : NULL);
}

int render_file(const char *templates_dir, const char *root, const char *name, struct json_object *spec,
                struct json_object *ctx, struct json_object **ret_status) {
        _cleanup_free_ char *out = NULL, *error = NULL, *target = NULL;
        struct json_object *v, *st = json_object_new_object();
        const char *path = NULL, *template_name = NULL, *mode_text = "0644";
        char sha[65], when[32];
        unsigned long mode;
        char *end;
        time_t now = time(NULL);
        int r;

        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        if (json_object_object_get_ex(spec, "path", &v))
                path = json_object_get_string(v);
        if (json_object_object_get_ex(spec, "template", &v))
                template_name = json_object_get_string(v);
        if (json_object_object_get_ex(spec, "mode", &v))
                mode_text = json_object_get_string(v);
        status_set(st, "path", path);
        status_set(st, "template", template_name);
        status_set(st, "mode", mode_text);
        status_set(st, "sha256", NULL);
        status_set(st, "rendered_at", when);

        mode = strtoul(mode_text, &end, 8);
        if (!path || path[0] != '/' || !template_name || *end || mode > 07777) {
                r = -EINVAL;
                if (asprintf(&error, "configuration file '%s' has no absolute path, template or octal mode",
                             name) < 0)
                        error = NULL;
        } else if ((r = render_to_string(templates_dir, template_name, ctx, &out, &error)) >= 0) {
                if (asprintf(&target, "%s%s", streq(root, "/") ? "" : root, path) < 0)
                        r = -ENOMEM;
                else if ((r = make_parents(target)) < 0 ||
                         (r = write_file_atomic(target, out, strlen(out), (mode_t) mode)) < 0) {
                        if (asprintf(&error, "%s: %s", target, strerror(-r)) < 0)
                                error = NULL;
                } else {
                        render_sha256_hex(out, strlen(out), sha);
                        status_set(st, "sha256", sha);
                }
        }
        status_set(st, "error", r < 0 ? (error ? error : strerror(-r)) : NULL);
        if (ret_status)
                *ret_status = st;
        else
                json_object_put(st);
        return r;
}
