/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "fileio.h"
#include "macro.h"
#include "toml.h"

#define MAX_INPUT (1024 * 1024)

static int read_stdin(char **ret, size_t *ret_len) {
        size_t len = 0, size = 0;
        char *buf = NULL;

        for (;;) {
                if (len + 4096 + 1 > size) {
                        char *b;
                        size = size ? size * 2 : 8192;
                        if (size > MAX_INPUT + 8192 || !(b = realloc(buf, size)))
                                return free(buf), -EFBIG;
                        buf = b;
                }
                ssize_t k = read(STDIN_FILENO, buf + len, size - len - 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return free(buf), negative_errno();
                if (k == 0)
                        break;
                len += (size_t) k;
                if (len > MAX_INPUT)
                        return free(buf), -EFBIG;
        }
        if (!buf && !(buf = calloc(1, 1)))
                return -ENOMEM;
        buf[len] = 0;
        *ret = buf;
        *ret_len = len;
        return 0;
}

struct json_object *client_read_settings(const char *path) {
        _cleanup_free_ char *text = NULL;
        struct json_object *doc = NULL, *settings;
        const char *name = streq(path, "-") ? "standard input" : path;
        size_t len;
        int r;

        r = streq(path, "-") ? read_stdin(&text, &len) : read_full_file(path, MAX_INPUT, &text, &len);
        if (r < 0) {
                fprintf(stderr, "apiclient: cannot read %s: %s\n", name, strerror(-r));
                return NULL;
        }
        /* JSON if it parses as a JSON object, TOML otherwise: a TOML document never starts with '{'. */
        const char *p = text + strspn(text, " \t\r\n");
        if (*p == '{') {
                struct json_tokener *tok = json_tokener_new();
                doc = tok ? json_tokener_parse_ex(tok, text, (int) len) : NULL;
                if (!doc || json_tokener_get_error(tok) != json_tokener_success) {
                        fprintf(stderr, "apiclient: %s: not valid JSON: %s at byte %zu\n", name,
                                tok ? json_tokener_error_desc(json_tokener_get_error(tok)) : "out of memory",
                                tok ? json_tokener_get_parse_end(tok) : 0);
                        json_object_put(doc);
                        json_tokener_free(tok);
                        return NULL;
                }
                json_tokener_free(tok);
        } else {
                TomlError e;
                struct json_object *toml = NULL;
                r = toml_parse(text, len, NULL, &toml, &e);
                if (r < 0) {
                        fprintf(stderr, "apiclient: %s: %s\n", name, e.message);
                        return NULL;
                }
                r = toml_to_json(toml, &doc);
                json_object_put(toml);
                if (r < 0) {
                        fprintf(stderr, "apiclient: %s: %s\n", name, strerror(-r));
                        return NULL;
                }
        }
        if (!json_object_is_type(doc, json_type_object) || json_object_object_length(doc) != 1 ||
            !json_object_object_get_ex(doc, "settings", &settings) ||
            !json_object_is_type(settings, json_type_object)) {
                fprintf(stderr, "apiclient: %s: expected one top-level table, [settings]\n", name);
                json_object_put(doc);
                return NULL;
        }
        settings = json_object_get(settings);
        json_object_put(doc);
        return settings;
}
