/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "modules.h"

char *module_name(const char *s) {
        const char *base = strrchr(s, '/');
        char *n, *dot;

        n = strdup(base ? base + 1 : s);
        if (!n)
                return NULL;
        dot = strstr(n, ".ko");
        if (dot)
                *dot = 0;
        for (char *p = n; *p; p++)
                if (*p == '-')
                        *p = '_';
        return n;
}

void module_index_free(ModuleIndex *idx) {
        for (size_t i = 0; i < idx->n; i++) {
                free(idx->mods[i].path);
                free(idx->mods[i].name);
                for (size_t j = 0; j < idx->mods[i].n_deps; j++)
                        free(idx->mods[i].deps[j]);
                free(idx->mods[i].deps);
        }
        free(idx->mods);
        *idx = (ModuleIndex){};
}

static int parse_line(char *line, ModuleDep *ret) {
        char *colon = strchr(line, ':'), *save = NULL;
        ModuleDep m = {};

        if (!colon)
                return -EBADMSG;
        *colon = 0;
        m.path = strdup(line);
        m.name = module_name(line);
        if (!m.path || !m.name)
                goto oom;
        for (char *tok = strtok_r(colon + 1, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
                char **d = realloc(m.deps, (m.n_deps + 1) * sizeof(char *));
                if (!d)
                        goto oom;
                m.deps = d;
                if (!(m.deps[m.n_deps] = strdup(tok)))
                        goto oom;
                m.n_deps++;
        }
        *ret = m;
        return 0;
oom:
        free(m.path);
        free(m.name);
        for (size_t j = 0; j < m.n_deps; j++)
                free(m.deps[j]);
        free(m.deps);
        return -ENOMEM;
}

int module_index_load(const char *path, ModuleIndex *ret) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *line = NULL;
        ModuleIndex idx = {};
        size_t cap = 0;
        int r = 0;

        if (!f)
                return negative_errno();
        while (getline(&line, &cap, f) > 0) {
                ModuleDep *m = realloc(idx.mods, (idx.n + 1) * sizeof(ModuleDep));
                if (!m) {
                        r = -ENOMEM;
                        break;
                }
                idx.mods = m;
                r = parse_line(line, &idx.mods[idx.n]);
                if (r < 0)
                        break;
                idx.n++;
        }
        if (r < 0) {
                module_index_free(&idx);
                return r;
        }
        *ret = idx;
        return 0;
}

static const ModuleDep *find(const ModuleIndex *idx, const char *name) {
        for (size_t i = 0; i < idx->n; i++)
                if (streq(idx->mods[i].name, name))
                        return &idx->mods[i];
        return NULL;
}

static int resolve(const ModuleIndex *idx, const ModuleDep *m, char ***order, size_t *n, unsigned depth) {
        int r;

        if (depth > 64)
                return -ELOOP;
        for (size_t i = 0; i < *n; i++)
                if (streq((*order)[i], m->path))
                        return 0;
        /* modules.dep lists the whole closure; walking it backwards loads the deepest dependencies first. */
        for (size_t j = m->n_deps; j > 0; j--) {
                _cleanup_free_ char *dn = module_name(m->deps[j - 1]);
                const ModuleDep *d;
                if (!dn)
                        return -ENOMEM;
                d = find(idx, dn);
                if (!d)
                        return -ENOENT;
                r = resolve(idx, d, order, n, depth + 1);
                if (r < 0)
                        return r;
        }
        char **o = realloc(*order, (*n + 1) * sizeof(char *));
        if (!o)
                return -ENOMEM;
        *order = o;
        if (!(o[*n] = strdup(m->path)))
                return -ENOMEM;
        (*n)++;
        return 0;
}

int module_resolve(const ModuleIndex *idx, const char *name, char ***order, size_t *n_order) {
        _cleanup_free_ char *n = module_name(name);
        const ModuleDep *m;

        if (!n)
                return -ENOMEM;
        m = find(idx, n);
        if (!m)
                return -ENOENT;
        return resolve(idx, m, order, n_order, 0);
}
