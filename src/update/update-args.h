/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "tuf-time.h"

#define UPDATE_MIGRATIONS_DIR "/var/lib/bulkhead/migrations"

/* The options of check, apply, cancel and rollback: one parser, each verb says which it requires. */
typedef struct UpdateArgs {
        const char *root, *repo, *bundle, *variant, *current_version, *state, *version_lock, *version,
                *skip_version;
        const char *disk, *root_dev, *verity_dev, *esp;
        const char *migrations_dir; /* where `migrate` finds the migrations between the two versions */
        const char *metadata_cache; /* the trusted TUF metadata kept between runs (update-cache.h) */
        unsigned seed;
        bool seed_set, ignore_waves, allow_downgrade;
        TufTime now;
        char current_set; /* 'a', 'b', or 0 */
        int64_t esp_free; /* test hook: pretend the ESP has this many bytes free; -1: ask statvfs */
} UpdateArgs;

enum {
        NEED_REPO = 1 << 0, /* --root, --repo or --bundle, --variant, --current-version */
        NEED_SET = 1 << 1,  /* --current-set */
        NEED_ESP = 1 << 2,  /* --esp */
        NEED_DISK = 1 << 3, /* --disk, or both --root-dev and --verity-dev */
};

/* Parses argv (argv[0] is the verb). Returns <0 on a usage error (logged), 0 after --help, 1 to run. */
int update_args_parse(int argc, char *argv[], unsigned need, void (*help)(void), UpdateArgs *ret);

/* The node's fleet seed when none is given: from /etc/machine-id, stable across boots and updates. */
int update_seed_from_machine_id(unsigned *ret);
