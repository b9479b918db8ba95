/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <json-c/json.h>

#include "fileio.h"
#include "macro.h"
#include "render-files.h"
#include "render.h"
#include "template.h"

#define MAX_TEMPLATE_SIZE (1u << 20)
#define MAX_JSON_SIZE     (16u << 20)
/* Settings nest a handful of levels; anything far deeper is a mistake or an attack on the parser. */
#define MAX_JSON_DEPTH 64

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_tokener *, json_tokener_free);

/* Line and column (1-based, in characters) of offset in text. */
static void locate(const char *text, size_t offset, unsigned *ret_line, unsigned *ret_column) {
        unsigned line = 1, column = 1;

        for (size_t i = 0; i < offset && text[i]; i++) {
                if (text[i] == '\n') {
                        line++;
                        column = 1;
                } else if (((unsigned char) text[i] & 0xc0) != 0x80)
                        column++;
        }
        *ret_line = line;
        *ret_column = column;
}

static int read_text(const char *path, size_t max_size, char **ret_text, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        r = read_full_file(path, max_size, &text, &size);
        if (r < 0) {
                if (asprintf(ret_error, "%s: %s", path, r == -EFBIG ? "file too large" : strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        if (strlen(text) != size) {
                if (asprintf(ret_error, "%s: file contains a NUL byte", path) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        *ret_text = TAKE_PTR(text);
        return 0;
}

static int load_json(const char *path, struct json_object **ret, char **ret_error) {
        _cleanup_(json_tokener_freep) struct json_tokener *tok = NULL;
        _cleanup_(json_object_putp) struct json_object *v = NULL;
        _cleanup_free_ char *text = NULL;
        enum json_tokener_error e;
        unsigned line, column;
        size_t end;
        int r;

        r = read_text(path, MAX_JSON_SIZE, &text, ret_error);
        if (r < 0)
                return r;
        tok = json_tokener_new_ex(MAX_JSON_DEPTH);
        if (!tok)
                return -ENOMEM;
        v = json_tokener_parse_ex(tok, text, (int) strlen(text) + 1);
        e = json_tokener_get_error(tok);
        end = json_tokener_get_parse_end(tok);
        /* Parsing through the terminating NUL makes json-c report an incomplete document as an error
         * and stop at the end of a complete one; anything but whitespace after that is trailing junk. */
        if (e == json_tokener_success && text[end + strspn(text + end, " \t\r\n")] != 0)
                e = json_tokener_error_parse_unexpected;
        if (e != json_tokener_success) {
                locate(text, end, &line, &column);
                if (asprintf(ret_error, "%s:%u:%u: %s", path, line, column, json_tokener_error_desc(e)) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        *ret = TAKE_PTR(v);
        return 0;
}

static int template_failed(const RenderJob *job, int r, const TemplateError *error, char **ret_error) {
        _cleanup_free_ char *file = NULL;

        if (error->source[0] &&
            asprintf(&file, "%s/%s.mustache", job->partials_dir ?: ".", error->source) < 0)
                return -ENOMEM;
        if (error->line > 0)
                r = asprintf(ret_error, "%s:%u:%u: %s", file ?: job->template_path, error->line,
                             error->column, error->message) < 0
                            ? -ENOMEM
                            : r;
        else
                r = asprintf(ret_error, "%s: %s", file ?: job->template_path, error->message) < 0 ? -ENOMEM
                                                                                                  : r;
        return r;
}

int render_job(const RenderJob *job, char **ret_output, char **ret_error) {
        _cleanup_(json_object_putp) struct json_object *ctx = NULL;
        _cleanup_(template_freep) Template *t = NULL;
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int dfd = -EBADF;
        TemplateError error;
        int r;

        *ret_error = NULL;
        r = read_text(job->template_path, MAX_TEMPLATE_SIZE, &text, ret_error);
        if (r < 0)
                return r;
        r = load_json(job->json_path, &ctx, ret_error);
        if (r < 0)
                return r;
        if (job->settings) {
                /* The same context a node renders its configuration files with. */
                struct json_object *settings_ctx;
                r = render_context_new(ctx, &settings_ctx);
                if (r < 0)
                        return r;
                json_object_put(ctx);
                ctx = settings_ctx;
        }
        if (job->partials_dir) {
                dfd = open(job->partials_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0) {
                        r = negative_errno();
                        if (asprintf(ret_error, "%s: %s", job->partials_dir, strerror(-r)) < 0)
                                *ret_error = NULL;
                        return r;
                }
        }
        r = template_parse(text, &t, &error);
        if (r >= 0)
                r = template_render(t, ctx, dfd >= 0 ? template_lookup_dir : NULL, &dfd, ret_output, &error);
        if (r < 0)
                return template_failed(job, r, &error, ret_error);
        return 0;
}
