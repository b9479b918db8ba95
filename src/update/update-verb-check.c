/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "update-args.h"
#include "update-cache.h"
#include "update-repo.h"
#include "update-select.h"
#include "update-state.h"
#include "update-verbs.h"

static void help(void) {
        printf("Usage: update check --root FILE --repo DIR|URL|--bundle FILE --variant V --current-version "
               "X "
               "[OPTIONS...]\n\n"
               "Runs the TUF workflow, reads the signed manifest and prints \"available <version>\" for "
               "the\n"
               "newest allowed version newer than the current one, or \"up-to-date\".\n\n"
               "     --root FILE             The trusted root.json\n"
               "     --repo DIR|URL          Repository with metadata/ and targets/\n"
               "     --bundle FILE|DEVICE    A repository as one ustar archive ('bulkhead-repo bundle')\n"
               "     --variant V             The image variant this node runs\n"
               "     --current-version X     The version this node runs\n"
               "     --seed N                Fleet seed 0-2047 (default: from /etc/machine-id)\n"
               "     --ignore-waves          Do not wait for the node's rollout wave\n"
               "     --version-lock latest|X Only this version (default: latest)\n"
               "     --skip-version V        Never offer V (one this node came back from)\n"
               "     --now RFC3339           The time, instead of the clock\n"
               "     --state FILE            State file (default " UPDATE_STATE_PATH ")\n"
               "     --metadata-cache DIR    The TUF metadata trusted last time, kept for the next\n"
               "                             check (default " UPDATE_METADATA_CACHE ")\n"
               "  -h --help                  Show this help\n");
}

int update_policy_from_args(const UpdateArgs *a, UpdatePolicy *ret, char **ret_error) {
        UpdatePolicy p = { .variant = a->variant,
                           .current = a->current_version,
                           .lock = a->version_lock,
                           .skip = a->skip_version,
                           .ignore_waves = a->ignore_waves,
                           .seed = a->seed,
                           .now = a->now };
        int r;

        if (!a->seed_set && !a->ignore_waves) {
                r = update_seed_from_machine_id(&p.seed);
                if (r < 0) {
                        free(*ret_error);
                        return asprintf(ret_error, "no --seed, and /etc/machine-id is unreadable: %s",
                                        strerror(-r)) < 0
                                       ? -ENOMEM
                                       : r;
                }
        }
        *ret = p;
        return 0;
}

int update_repo_open_args(const UpdateArgs *a, UpdateRepo **ret, char **ret_error) {
        if (a->bundle)
                return update_repo_open_bundle(a->root, a->metadata_cache, a->bundle, &a->now, ret,
                                               ret_error);
        return update_repo_open(a->root, a->metadata_cache, a->repo, &a->now, ret, ret_error);
}

/* Records the outcome; a state the agent cannot record is an error of its own. */
int update_record(const UpdateArgs *a, UpdateStateKind k, const char *version, char set,
                  const char *reason) {
        UpdateState s;
        int r;

        update_state_set(&s, k, version, set, reason, a->now);
        r = update_state_write(a->state, &s);
        if (r < 0)
                log_error_errno(r, "Failed to write the state file '%s': %m", a->state);
        return r;
}

int update_fail(const UpdateArgs *a, int r, const char *why) {
        char buf[256];

        if (!why) {
                (void) snprintf_ok(buf, "%s", strerror(-r));
                why = buf;
        }
        printf("error: %s\n", why);
        fflush(stdout);
        (void) update_record(a, UPDATE_STATE_ERROR, NULL, 0, why);
        return EXIT_FAILURE;
}

static int check(const UpdateArgs *a, json_object **ret_entry, char **ret_error) {
        _cleanup_(update_repo_freep) UpdateRepo *repo = NULL;
        json_object *manifest, *entry = NULL;
        UpdatePolicy p;
        int r;

        if ((r = update_policy_from_args(a, &p, ret_error)) < 0 ||
            (r = update_repo_open_args(a, &repo, ret_error)) < 0 ||
            (r = update_repo_manifest(repo, &manifest, ret_error)) < 0 ||
            (r = update_select(manifest, &p, &entry, ret_error)) < 0)
                return r;
        *ret_entry = r > 0 ? json_object_get(entry) : NULL;
        return r;
}

int verb_check(int argc, char *argv[]) {
        _cleanup_free_ char *why = NULL;
        json_object *entry = NULL;
        UpdateState old = {};
        const char *version;
        UpdateArgs a;
        int r;

        r = update_args_parse(argc, argv, NEED_REPO, help, &a);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        r = check(&a, &entry, &why);
        if (r < 0)
                return update_fail(&a, r, why);
        if (r == 0) {
                printf("up-to-date\n");
                return update_record(&a, UPDATE_STATE_IDLE, NULL, 0, NULL) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        }
        version = json_object_get_string(json_object_object_get(entry, "version"));
        printf("available %s\n", version);
        /* A version already staged or ready keeps that state: checking again must not hide an install. */
        (void) update_state_read(a.state, &old);
        if ((old.state == UPDATE_STATE_STAGED || old.state == UPDATE_STATE_READY) &&
            streq(old.version, version))
                r = 0;
        else
                r = update_record(&a, UPDATE_STATE_AVAILABLE, version, 0, NULL);
        json_object_put(entry);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
