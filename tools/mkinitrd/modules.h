/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* The modules.dep of a kernel, and the load order of a set of modules: dependencies first, each once. */
typedef struct ModuleDep {
        char *path; /* relative to the modules directory, e.g. kernel/drivers/md/dm-verity.ko */
        char *name; /* dm_verity: basename without .ko*, dashes as underscores */
        char **deps;
        size_t n_deps;
} ModuleDep;

typedef struct ModuleIndex {
        ModuleDep *mods;
        size_t n;
} ModuleIndex;

int module_index_load(const char *modules_dep_path, ModuleIndex *ret);
void module_index_free(ModuleIndex *idx);
/* Appends the paths of `name` and its dependencies to *order (dependencies first, no duplicates).
 * -ENOENT if the module is not in the index. */
int module_resolve(const ModuleIndex *idx, const char *name, char ***order, size_t *n_order);
/* Normalised module name of a path or name: basename, no .ko/.ko.xz…, '-' as '_'. */
char *module_name(const char *path_or_name);
