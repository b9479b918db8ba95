/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "manifest.h"
#include "tuf-error.h"

#define MIGRATIONS_MAX_LINES 1024
#define MIGRATIONS_MAX_NAMES 256

void manifest_migrations_free(ManifestMigration *m, size_t n) {
        for (size_t i = 0; m && i < n; i++) {
                free(m[i].from);
                free(m[i].to);
                for (size_t j = 0; j < m[i].n_names; j++)
                        free(m[i].names[j]);
                free(m[i].names);
        }
        free(m);
}

/* Splits line (modified) into at most max words separated by blanks. Returns the count, or -E2BIG. */
static int split_words(char *line, char **words, size_t max) {
        size_t n = 0;

        for (char *save = NULL, *w = strtok_r(line, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
                if (n == max)
                        return -E2BIG;
                words[n++] = w;
        }
        return (int) n;
}

static int parse_line(char *line, const char *file, unsigned lineno, const char *version,
                      ManifestMigration *m, char **ret_error) {
        char *words[MIGRATIONS_MAX_NAMES + 2];
        int n = split_words(line, words, ELEMENTSOF(words));

        if (n < 0)
                return tuf_error(ret_error, -EINVAL, "%s:%u: more than %d migration names", file, lineno,
                                 MIGRATIONS_MAX_NAMES);
        if (n < 3)
                return tuf_error(ret_error, -EINVAL, "%s:%u: expected 'FROM TO NAME...'", file, lineno);
        for (int i = 0; i < n; i++)
                if (!manifest_name_valid(words[i]))
                        return tuf_error(ret_error, -EINVAL, "%s:%u: '%s' is not a valid name", file, lineno,
                                         words[i]);
        if (streq(words[0], words[1]))
                return tuf_error(ret_error, -EINVAL, "%s:%u: a migration from '%s' to itself", file, lineno,
                                 words[0]);
        /* An image carries the migrations into it and back out of it; any other pair is a copy-paste slip.
         */
        if (!streq(words[0], version) && !streq(words[1], version))
                return tuf_error(ret_error, -EINVAL, "%s:%u: migration %s -> %s does not involve version %s",
                                 file, lineno, words[0], words[1], version);
        m->from = strdup(words[0]);
        m->to = strdup(words[1]);
        m->names = calloc((size_t) n - 2, sizeof(char *));
        if (!m->from || !m->to || !m->names)
                return -ENOMEM;
        for (int i = 2; i < n; i++)
                if (!(m->names[m->n_names++] = strdup(words[i])))
                        return -ENOMEM;
        return 0;
}

int manifest_migrations_parse(const char *text, const char *file, const char *version,
                              ManifestMigration **ret, size_t *ret_n, char **ret_error) {
        _cleanup_free_ char *copy = strdup(text);
        ManifestMigration *m = NULL;
        unsigned lineno = 0;
        size_t n = 0;
        int r = 0;

        if (!copy)
                return -ENOMEM;
        m = calloc(MIGRATIONS_MAX_LINES, sizeof(ManifestMigration));
        if (!m)
                return -ENOMEM;
        for (char *p = copy, *line; r >= 0 && (line = strsep(&p, "\n"));) {
                char *hash = strchr(line, '#');

                lineno++;
                if (hash)
                        *hash = 0;
                if (line[strspn(line, " \t\r")] == 0)
                        continue;
                if (n == MIGRATIONS_MAX_LINES) {
                        r = tuf_error(ret_error, -EINVAL, "%s: more than %d migrations", file,
                                      MIGRATIONS_MAX_LINES);
                        break;
                }
                r = parse_line(line, file, lineno, version, &m[n++], ret_error);
                for (size_t i = 0; r >= 0 && i + 1 < n; i++)
                        if (streq(m[i].from, m[n - 1].from) && streq(m[i].to, m[n - 1].to))
                                r = tuf_error(ret_error, -EINVAL, "%s:%u: migration %s -> %s listed twice",
                                              file, lineno, m[i].from, m[i].to);
        }
        if (r < 0) {
                manifest_migrations_free(m, n);
                return r;
        }
        *ret = m;
        *ret_n = n;
        return 0;
}
