/* SPDX-License-Identifier: MIT */
/* Metadata persisted between updates, as the update agent keeps it (section 5.2 of the specification):
 * the roots the client rotated through, and the trusted timestamp, snapshot and targets, handed back with
 * tuf_client_set_trusted() before the next refresh. The rollback and freeze protections then hold across
 * runs; a cache file that does not verify is ignored, never fatal; a rotated root is where the next run
 * starts. Played on tampered copies of the python-tuf fixture. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"
#include "tuf-test-util.h"
#include "tuf.h"

static const TufRoleType cached_roles[] = { TUF_ROLE_TIMESTAMP, TUF_ROLE_SNAPSHOT, TUF_ROLE_TARGETS };

typedef struct Run {
        char cache[PATH_MAX]; /* the cache directory, "" for none */
        unsigned ignored;     /* cache files refused by tuf_client_set_trusted() */
        uint64_t root_version;
} Run;

static const char *cache_path(const Run *run, const char *file) {
        static char path[PATH_MAX];

        assert_true(snprintf_ok(path, "%s/%s", run->cache, file));
        return path;
}

/* Hands the cached file to the client; returns whether it was taken. */
static bool load_cached(TufClient *c, Run *run, TufRoleType type, const char *file) {
        _cleanup_free_ char *data = NULL, *why = NULL;
        size_t size;

        if (read_full_file(cache_path(run, file), 1 << 20, &data, &size) < 0)
                return false;
        if (tuf_client_set_trusted(c, type, data, size, &why) < 0) {
                print_message("ignoring cached %s: %s\n", file, why ?: "(no message)");
                run->ignored++;
                return false;
        }
        return true;
}

static void save_cached(const Run *run, const char *file, const TufMetadata *m) {
        assert_int_equal(write_file_atomic(cache_path(run, file), m->raw, m->raw_size, 0644), 0);
}

/* One update from the fixture's shipped root, with the cache if run has one; the cache is rewritten
 * after a successful refresh. Returns 0 or the refusal. */
static int run_update(Fixture *f, Run *run, char **ret_error) {
        _cleanup_free_ char *root = NULL;
        TufClient *c = NULL;
        TufFetcher *fetcher = NULL;
        uint64_t shipped;
        TufTime now;
        size_t size;
        char name[64];
        int r;

        run->ignored = 0;
        assert_int_equal(tuf_time_parse("2025-01-01T00:00:00Z", &now), 0);
        assert_int_equal(read_full_file(f->root, 1 << 20, &root, &size), 0);
        assert_int_equal(tuf_fetcher_dir_new(f->repo.metadata, f->repo.targets, &fetcher, NULL), 0);
        assert_int_equal(tuf_client_new(root, size, fetcher, NULL, &c, NULL), 0);
        tuf_client_set_now(c, now);
        shipped = tuf_client_trusted_root(c, 1) ? 1 : 0;
        assert_int_equal(shipped, 1);
        if (*run->cache) {
                for (uint64_t v = shipped + 1;; v++) {
                        assert_true(snprintf_ok(name, "%" PRIu64 ".root.json", v));
                        if (!load_cached(c, run, TUF_ROLE_ROOT, name))
                                break;
                }
                for (size_t i = 0; i < ELEMENTSOF(cached_roles); i++) {
                        assert_true(snprintf_ok(name, "%s.json", tuf_role_type_name(cached_roles[i])));
                        (void) load_cached(c, run, cached_roles[i], name);
                }
        }
        r = tuf_client_refresh(c, ret_error);
        if (r >= 0) {
                const TufMetadata *m = tuf_client_trusted(c, TUF_ROLE_ROOT);

                run->root_version = m->version;
                for (uint64_t v = shipped + 1; *run->cache && v <= m->version; v++) {
                        assert_true(snprintf_ok(name, "%" PRIu64 ".root.json", v));
                        save_cached(run, name, tuf_client_trusted_root(c, v));
                }
                for (size_t i = 0; *run->cache && i < ELEMENTSOF(cached_roles); i++) {
                        assert_true(snprintf_ok(name, "%s.json", tuf_role_type_name(cached_roles[i])));
                        save_cached(run, name, tuf_client_trusted(c, cached_roles[i]));
                }
        }
        tuf_client_free(c);
        tuf_fetcher_free(fetcher);
        return r;
}

static void run_ok(Fixture *f, Run *run) {
        _cleanup_free_ char *why = NULL;
        int r = run_update(f, run, &why);

        if (r < 0)
                fail_msg("refused (%d): %s", r, why ?: "(no message)");
}

static void run_refused(Fixture *f, Run *run, const char *needle) {
        _cleanup_free_ char *why = NULL;
        int r = run_update(f, run, &why);

        print_message("refused (%d): %s\n", r, why ?: "(no message)");
        assert_true(r < 0);
        assert_non_null(why);
        if (!strstr(why, needle))
                fail_msg("expected a refusal mentioning '%s', got '%s'", needle, why);
}

static void setup_run(Fixture *f, Run *run) {
        fixture_setup(f);
        *run = (Run){};
        assert_true(snprintf_ok(run->cache, "%s/cache", f->repo.dir));
        assert_int_equal(mkdir(run->cache, 0755), 0);
}

/* Publishes timestamp version ts pointing at snapshot version snap (both re-signed). */
static void publish(Fixture *f, int64_t ts, int64_t snap) {
        json_object *doc = repo_load(&f->repo, "snapshot.json");

        doc_set_int(doc, "version", snap);
        resign(f, "snapshot.json", doc, KEY_SNAPSHOT);
        json_object_put(doc);
        doc = repo_load(&f->repo, "timestamp.json");
        doc_set_int(doc, "version", ts);
        resign(f, "timestamp.json", doc, KEY_TIMESTAMP);
        json_object_put(doc);
}

/* A repository rolled back to older, validly signed metadata after the node has seen newer: refused because
 * of what the first run persisted, while a client without the cache would take it. */
static void test_rollback_across_runs(void **state) {
        char saved_ts[PATH_MAX], saved_snap[PATH_MAX];
        Run run, fresh = {};
        Fixture f;

        (void) state;
        setup_run(&f, &run);
        assert_true(snprintf_ok(saved_ts, "%s/timestamp-1.json", f.repo.dir));
        assert_true(snprintf_ok(saved_snap, "%s/snapshot-1.json", f.repo.dir));
        copy_file(repo_path(&f.repo, "timestamp.json"), saved_ts);
        copy_file(repo_path(&f.repo, "snapshot.json"), saved_snap);
        publish(&f, 2, 2);
        run_ok(&f, &run);

        /* Back to timestamp 1 and snapshot 1. */
        copy_file(saved_ts, repo_path(&f.repo, "timestamp.json"));
        copy_file(saved_snap, repo_path(&f.repo, "snapshot.json"));
        run_ok(&f, &fresh);
        run_refused(&f, &run, "timestamp.json: version 1 is older than trusted version 2 (rollback)");
        /* A newer timestamp that leads back to the older snapshot. */
        publish(&f, 3, 1);
        run_refused(&f, &run,
                    "timestamp.json: snapshot.json version 1 is older than trusted version 2 (rollback)");
        /* The refusals left the cache as it was; the repository moving on is accepted. */
        publish(&f, 3, 3);
        run_ok(&f, &run);
        assert_int_equal(run.ignored, 0);
        fixture_teardown(&f);
}

/* The targets version is a floor of its own. */
static void test_targets_rollback_across_runs(void **state) {
        char saved[PATH_MAX];
        json_object *doc;
        Run run;
        Fixture f;

        (void) state;
        setup_run(&f, &run);
        assert_true(snprintf_ok(saved, "%s/targets-1.json", f.repo.dir));
        copy_file(repo_path(&f.repo, "targets.json"), saved);
        doc = repo_load(&f.repo, "targets.json");
        doc_set_int(doc, "version", 2);
        resign(&f, "targets.json", doc, KEY_TARGETS);
        json_object_put(doc);
        doc = repo_load(&f.repo, "snapshot.json");
        doc_set_meta(doc, "targets.json", 2, &f.repo, "targets.json");
        json_object_put(doc);
        doc = repo_load(&f.repo, "snapshot.json");
        doc_set_meta(doc, "targets.json", 2, &f.repo, "targets.json");
        doc_set_int(doc, "version", 2);
        resign(&f, "snapshot.json", doc, KEY_SNAPSHOT);
        json_object_put(doc);
        run_ok(&f, &run);

        /* Targets 1 again, under a newer snapshot that lists it. */
        copy_file(saved, repo_path(&f.repo, "targets.json"));
        doc = repo_load(&f.repo, "snapshot.json");
        doc_set_meta(doc, "targets.json", 1, &f.repo, "targets.json");
        doc_set_int(doc, "version", 3);
        resign(&f, "snapshot.json", doc, KEY_SNAPSHOT);
        json_object_put(doc);
        run_refused(&f, &run, "targets.json version 1 is older than trusted version 2 (rollback)");
        fixture_teardown(&f);
}

/* A cache file that does not parse or verify is ignored: the update goes on from the shipped root. */
static void test_corrupt_cache_ignored(void **state) {
        json_object *doc;
        Run run;
        Fixture f;

        (void) state;
        setup_run(&f, &run);
        run_ok(&f, &run);
        assert_int_equal(write_file_atomic(cache_path(&run, "timestamp.json"), "{\"signed\": ", 11, 0644),
                         0);
        /* Valid JSON, but signed by the wrong key. */
        doc = repo_load(&f.repo, "snapshot.json");
        doc_set_int(doc, "version", 7);
        doc_sign(doc, key_path(KEY_TARGETS), key_id(KEY_TARGETS), false);
        assert_int_equal(json_object_to_file(cache_path(&run, "snapshot.json"), doc), 0);
        json_object_put(doc);
        /* A root 2 that is not signed by root 1's key. */
        doc = repo_load(&f.repo, "root.json");
        doc_set_int(doc, "version", 2);
        doc_sign(doc, key_path(KEY_TARGETS), key_id(KEY_TARGETS), false);
        assert_int_equal(json_object_to_file(cache_path(&run, "2.root.json"), doc), 0);
        json_object_put(doc);
        run_ok(&f, &run);
        assert_int_equal(run.ignored, 3);
        assert_int_equal(run.root_version, 1);
        /* That run rewrote the cache with what it trusted; the bad root stays until the repository's own
         * root 2 replaces it, and is refused each time. */
        run_ok(&f, &run);
        assert_int_equal(run.ignored, 1);
        fixture_teardown(&f);
}

/* A root rotation persists: the next run starts from root 2, which the repository no longer serves and
 * without which its timestamp (signed by the key root 2 rotated to) does not verify. */
static void test_rotated_root_persists(void **state) {
        const char *const new_key[] = { key_id(KEY_DELEGATION), NULL };
        json_object *doc;
        Run run, fresh = {};
        Fixture f;

        (void) state;
        setup_run(&f, &run);
        doc = repo_load(&f.repo, "root.json");
        doc_set_int(doc, "version", 2);
        add_delegation_key(doc);
        root_set_role(doc, "timestamp", new_key, 1);
        resign(&f, "2.root.json", doc, KEY_ROOT);
        json_object_put(doc);
        doc = repo_load(&f.repo, "timestamp.json");
        resign(&f, "timestamp.json", doc, KEY_DELEGATION);
        json_object_put(doc);
        run_ok(&f, &run);
        assert_int_equal(run.root_version, 2);

        assert_int_equal(unlink(repo_path(&f.repo, "2.root.json")), 0);
        run_refused(&f, &fresh, "timestamp.json: signed by 0 of the 1 keys required for role timestamp");
        run_ok(&f, &run);
        assert_int_equal(run.root_version, 2);
        assert_int_equal(run.ignored, 0);
        fixture_teardown(&f);
}

/* The cache takes roots only in order, and the other roles only after them. */
static void test_set_trusted_order(void **state) {
        _cleanup_free_ char *shipped = NULL, *ts = NULL;
        size_t shipped_size, ts_size;
        TufClient *c = NULL;
        Fixture f;

        (void) state;
        fixture_setup(&f);
        assert_int_equal(read_full_file(f.root, 1 << 20, &shipped, &shipped_size), 0);
        assert_int_equal(read_full_file(repo_path(&f.repo, "timestamp.json"), 1 << 20, &ts, &ts_size), 0);
        assert_int_equal(tuf_client_new(shipped, shipped_size, NULL, NULL, &c, NULL), 0);
        /* Root 1 again is no successor of root 1. */
        assert_int_equal(tuf_client_set_trusted(c, TUF_ROLE_ROOT, shipped, shipped_size, NULL), -EBADMSG);
        assert_int_equal(tuf_client_set_trusted(c, TUF_ROLE_TIMESTAMP, ts, ts_size, NULL), 0);
        assert_int_equal(tuf_client_set_trusted(c, TUF_ROLE_ROOT, shipped, shipped_size, NULL), -EINVAL);
        tuf_client_free(c);
        fixture_teardown(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rollback_across_runs),
                cmocka_unit_test(test_targets_rollback_across_runs),
                cmocka_unit_test(test_corrupt_cache_ignored),
                cmocka_unit_test(test_rotated_root_persists),
                cmocka_unit_test(test_set_trusted_order),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
