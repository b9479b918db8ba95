/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"
#include "log.h"
#include "manifest.h"
#include "update-args.h"
#include "update-cache.h"
#include "update-state.h"

static int parse_u64(const char *s, uint64_t max, uint64_t *ret) {
        char *end;
        unsigned long long v;

        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno || end == s || *end || *s == '-' || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int check_required(const UpdateArgs *a, unsigned need) {
        if ((need & NEED_REPO) &&
            (!a->root || !(a->repo || a->bundle) || !a->variant || !a->current_version))
                return log_error_errno(-EINVAL,
                                       "--root, --repo (or --bundle), --variant and --current-version "
                                       "are required.");
        if (a->repo && a->bundle)
                return log_error_errno(-EINVAL, "--repo and --bundle exclude each other.");
        if ((need & NEED_SET) && !a->current_set)
                return log_error_errno(-EINVAL, "--current-set a|b is required.");
        if ((need & NEED_ESP) && !a->esp)
                return log_error_errno(-EINVAL, "--esp is required.");
        if ((need & NEED_DISK) && !a->disk && !(a->root_dev && a->verity_dev))
                return log_error_errno(-EINVAL, "--disk is required (or both --root-dev and --verity-dev).");
        return 1;
}

int update_args_parse(int argc, char *argv[], unsigned need, void (*help)(void), UpdateArgs *ret) {
        enum {
                ARG_ROOT = 0x100,
                ARG_REPO,
                ARG_BUNDLE,
                ARG_VARIANT,
                ARG_CURRENT,
                ARG_SEED,
                ARG_IGNORE_WAVES,
                ARG_LOCK,
                ARG_NOW,
                ARG_STATE,
                ARG_VERSION,
                ARG_DOWNGRADE,
                ARG_DISK,
                ARG_SET,
                ARG_ESP,
                ARG_ROOT_DEV,
                ARG_VERITY_DEV,
                ARG_ESP_FREE,
                ARG_SKIP,
                ARG_MIGRATIONS_DIR,
                ARG_METADATA_CACHE,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "root", required_argument, NULL, ARG_ROOT },
                { "repo", required_argument, NULL, ARG_REPO },
                { "bundle", required_argument, NULL, ARG_BUNDLE },
                { "variant", required_argument, NULL, ARG_VARIANT },
                { "current-version", required_argument, NULL, ARG_CURRENT },
                { "seed", required_argument, NULL, ARG_SEED },
                { "ignore-waves", no_argument, NULL, ARG_IGNORE_WAVES },
                { "version-lock", required_argument, NULL, ARG_LOCK },
                { "skip-version", required_argument, NULL, ARG_SKIP },
                { "now", required_argument, NULL, ARG_NOW },
                { "state", required_argument, NULL, ARG_STATE },
                { "version", required_argument, NULL, ARG_VERSION },
                { "allow-downgrade", no_argument, NULL, ARG_DOWNGRADE },
                { "disk", required_argument, NULL, ARG_DISK },
                { "current-set", required_argument, NULL, ARG_SET },
                { "esp", required_argument, NULL, ARG_ESP },
                { "root-dev", required_argument, NULL, ARG_ROOT_DEV },
                { "verity-dev", required_argument, NULL, ARG_VERITY_DEV },
                { "migrations-dir", required_argument, NULL, ARG_MIGRATIONS_DIR },
                { "metadata-cache", required_argument, NULL, ARG_METADATA_CACHE },
                /* Not in --help: lets tests reach the ESP-full path without mounting a small file system. */
                { "test-esp-free", required_argument, NULL, ARG_ESP_FREE },
                {},
        };
        UpdateArgs a = { .state = UPDATE_STATE_PATH,
                         .migrations_dir = UPDATE_MIGRATIONS_DIR,
                         .metadata_cache = UPDATE_METADATA_CACHE,
                         .esp_free = -1,
                         .now = tuf_time_now() };
        uint64_t v;
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_ROOT:
                        a.root = optarg;
                        break;
                case ARG_REPO:
                        a.repo = optarg;
                        break;
                case ARG_BUNDLE:
                        a.bundle = optarg;
                        break;
                case ARG_VARIANT:
                        a.variant = optarg;
                        break;
                case ARG_CURRENT:
                        a.current_version = optarg;
                        break;
                case ARG_IGNORE_WAVES:
                        a.ignore_waves = true;
                        break;
                case ARG_LOCK:
                        a.version_lock = optarg;
                        break;
                case ARG_SKIP:
                        a.skip_version = optarg;
                        break;
                case ARG_STATE:
                        a.state = optarg;
                        break;
                case ARG_VERSION:
                        a.version = optarg;
                        break;
                case ARG_DOWNGRADE:
                        a.allow_downgrade = true;
                        break;
                case ARG_DISK:
                        a.disk = optarg;
                        break;
                case ARG_ESP:
                        a.esp = optarg;
                        break;
                case ARG_ROOT_DEV:
                        a.root_dev = optarg;
                        break;
                case ARG_VERITY_DEV:
                        a.verity_dev = optarg;
                        break;
                case ARG_MIGRATIONS_DIR:
                        a.migrations_dir = optarg;
                        break;
                case ARG_METADATA_CACHE:
                        a.metadata_cache = optarg;
                        break;
                case ARG_SEED:
                        if (parse_u64(optarg, MANIFEST_SEEDS - 1, &v) < 0)
                                return log_error_errno(-EINVAL, "--seed '%s' is not a number from 0 to %d.",
                                                       optarg, MANIFEST_SEEDS - 1);
                        a.seed = (unsigned) v;
                        a.seed_set = true;
                        break;
                case ARG_NOW:
                        if (tuf_time_parse(optarg, &a.now) < 0)
                                return log_error_errno(-EINVAL, "--now '%s' is not an RFC 3339 time.",
                                                       optarg);
                        break;
                case ARG_SET:
                        if (!streq(optarg, "a") && !streq(optarg, "b"))
                                return log_error_errno(-EINVAL, "--current-set must be 'a' or 'b'.");
                        a.current_set = optarg[0];
                        break;
                case ARG_ESP_FREE:
                        if (parse_u64(optarg, INT64_MAX, &v) < 0)
                                return log_error_errno(-EINVAL, "--test-esp-free '%s' is not a byte count.",
                                                       optarg);
                        a.esp_free = (int64_t) v;
                        break;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(-EINVAL, "Unexpected argument '%s'.", argv[optind]);
        *ret = a;
        return check_required(&a, need);
}

int update_seed_from_machine_id(unsigned *ret) {
        _cleanup_free_ char *id = NULL;
        uint8_t digest[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        int r;

        r = read_full_file("/etc/machine-id", 4096, &id, NULL);
        if (r < 0)
                return r;
        /* Hashed, so that the seed does not reveal the machine id and is evenly spread. */
        if (!EVP_Digest(id, strcspn(id, "\n"), digest, &n, EVP_sha256(), NULL) || n < 2)
                return -EIO;
        *ret = (((unsigned) digest[0] << 8) | digest[1]) % MANIFEST_SEEDS;
        return 0;
}
