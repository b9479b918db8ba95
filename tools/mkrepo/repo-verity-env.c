/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "log.h"
#include "repo-add.h"
#include "repo-json.h"

static const char *const int_keys[] = { "data_blocks", "data_block_size", "hash_block_size",
                                        "hash_start_block", "hash_bytes" };

static bool is_hex(const char *s, size_t max) {
        size_t n = strspn(s, "0123456789abcdef");

        return s[n] == 0 && n % 2 == 0 && n <= max;
}

static int parse_line(const char *path, unsigned lineno, char *line, json_object *o) {
        char *eq = strchr(line, '='), *end;
        unsigned long long v;

        if (!eq)
                return log_error_errno(-EBADMSG, "%s:%u: expected key=value", path, lineno);
        *eq = 0;
        if (streq(line, "root_hash") || streq(line, "salt")) {
                /* sha256 root hash: 64 digits; a salt is at most 256 bytes. */
                if (!is_hex(eq + 1, streq(line, "salt") ? 512 : 64) ||
                    (streq(line, "root_hash") && strlen(eq + 1) != 64))
                        return log_error_errno(-EBADMSG,
                                               "%s:%u: %s is not lowercase hex of the right length", path,
                                               lineno, line);
                return json_add_string(o, line, eq + 1);
        }
        for (size_t i = 0; i < ELEMENTSOF(int_keys); i++) {
                if (!streq(line, int_keys[i]))
                        continue;
                errno = 0;
                v = strtoull(eq + 1, &end, 10);
                if (errno || *end || end == eq + 1 || v > INT64_MAX)
                        return log_error_errno(-EBADMSG, "%s:%u: %s is not a number", path, lineno, line);
                return json_add_int(o, line, (int64_t) v);
        }
        return 0; /* a key a newer mkverity writes: not ours to interpret */
}

int verity_env_parse(const char *path, json_object **ret) {
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        _cleanup_free_ char *text = NULL;
        unsigned lineno = 0;
        char *p, *line;
        int q;

        if (!o)
                return log_oom();
        q = read_full_file(path, 64 * 1024, &text, NULL);
        if (q < 0)
                return log_error_errno(q, "%s: cannot read: %m", path);
        for (p = text; (line = strsep(&p, "\n"));) {
                lineno++;
                if (*line == 0 || *line == '#')
                        continue;
                q = parse_line(path, lineno, line, o);
                if (q < 0)
                        return q == -ENOMEM ? log_oom() : q;
        }
        if (!json_get_string(o, "root_hash"))
                return log_error_errno(-EBADMSG, "%s: no root_hash", path);
        *ret = TAKE_PTR(o);
        return 0;
}
