/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tuf-time.h"

/* The update manifest (docs/decisions/0009-update-repository.md): a TUF target, manifest.json, listing the
 * image versions of the repository with their targets and rollout waves, and the migrations between
 * versions. Functions that refuse input return -EINVAL (or -EEXIST for a duplicate) with a message in
 * *ret_error (free() it; may be NULL). */

#define MANIFEST_SCHEMA    1
#define MANIFEST_SEEDS     2048 /* a node's fleet seed is in [0, MANIFEST_SEEDS) */
#define MANIFEST_MAX_WAVES 64
#define MANIFEST_MAX_HOURS (24 * 366) /* a rollout longer than a year is a typo */
#define MANIFEST_NAME_MAX  64

/* Nodes whose seed is in [first_seed, last_seed] may install the version start_hours after its release. */
typedef struct ManifestWave {
        unsigned first_seed, last_seed;
        int64_t start_hours;
} ManifestWave;

/* Parses "0,6,24,48": one wave per start offset in hours, which must not decrease. The seeds are split as
 * evenly as the count allows, earlier waves taking the remainder. */
int manifest_waves_parse(const char *spec, ManifestWave **ret, size_t *ret_n, char **ret_error);

/* Checks that waves cover every seed once, in order, with start offsets that do not decrease. */
int manifest_waves_check(const ManifestWave *w, size_t n, char **ret_error);

/* The wave of seed, or NULL if seed is out of range or not covered. */
const ManifestWave *manifest_wave_of(const ManifestWave *w, size_t n, unsigned seed);

/* When a node with seed may start installing a version released at released. Returns 0 or -ERANGE. */
int manifest_start_time(TufTime released, const ManifestWave *w, size_t n, unsigned seed, TufTime *ret);

/* Version, variant and migration names: 1 to 64 of [A-Za-z0-9._+-], not "." or "..", since they become
 * target path components. */
bool manifest_name_valid(const char *s);

/* Where a version's migration files are, below its target prefix "<variant>-<version>": each name's
 * definition is the target <prefix>/migrations/<name>.json, listed in the entry's "targets". */
#define MANIFEST_MIGRATIONS_DIR "migrations"

typedef struct ManifestMigration {
        char *from, *to;
        char **names;
        size_t n_names;
} ManifestMigration;

/* Parses an image's migrations file: lines "FROM TO NAME..." (blank lines and '#' comments skipped), one
 * of FROM and TO being version (forward migrations into it, backward ones out of it). file names the
 * file in messages. */
int manifest_migrations_parse(const char *text, const char *file, const char *version,
                              ManifestMigration **ret, size_t *ret_n, char **ret_error);
void manifest_migrations_free(ManifestMigration *m, size_t n);

/* An empty manifest. Returns NULL when out of memory. */
json_object *manifest_new(void);

typedef struct ManifestVersion {
        const char *variant, *version;
        TufTime released;
        json_object *targets; /* kind → target path; borrowed */
        const ManifestWave *waves;
        size_t n_waves;
} ManifestVersion;

/* Adds a version; a variant/version pair already listed is -EEXIST. */
int manifest_add_version(json_object *m, const ManifestVersion *v, char **ret_error);

/* Adds the migrations of variant; a from/to pair already listed is -EEXIST. */
int manifest_add_migrations(json_object *m, const char *variant, const char *prefix,
                            const ManifestMigration *mig, size_t n, char **ret_error);

/* Checks a whole manifest (as read back from a repository): every field typed and in range. */
int manifest_check(json_object *m, char **ret_error);

/* The waves of a version entry of a checked manifest. */
int manifest_version_waves(json_object *version, ManifestWave **ret, size_t *ret_n, char **ret_error);
