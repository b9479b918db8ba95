/* SPDX-License-Identifier: MIT */
/* The update manifest of bulkhead-repo: waves over the fleet seed, migrations files, and the manifest
 * document built and checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "macro.h"
#include "manifest.h"
#include "repo-json.h"

static void waves_split_evenly(void **state) {
        _cleanup_free_ ManifestWave *w = NULL;
        size_t n;

        assert_int_equal(manifest_waves_parse("0,6,24,48", &w, &n, NULL), 0);
        assert_int_equal(n, 4);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(w[i].first_seed, i * 512);
                assert_int_equal(w[i].last_seed, i * 512 + 511);
        }
        assert_int_equal(w[0].start_hours, 0);
        assert_int_equal(w[3].start_hours, 48);
        assert_int_equal(manifest_waves_check(w, n, NULL), 0);
}

static void waves_remainder_goes_first(void **state) {
        _cleanup_free_ ManifestWave *w = NULL;
        size_t n;

        /* 2048 = 683 + 683 + 682 */
        assert_int_equal(manifest_waves_parse("1,2,3", &w, &n, NULL), 0);
        assert_int_equal(n, 3);
        assert_int_equal(w[0].last_seed, 682);
        assert_int_equal(w[1].first_seed, 683);
        assert_int_equal(w[1].last_seed, 1365);
        assert_int_equal(w[2].first_seed, 1366);
        assert_int_equal(w[2].last_seed, MANIFEST_SEEDS - 1);
        assert_int_equal(manifest_waves_check(w, n, NULL), 0);
}

static void waves_single(void **state) {
        _cleanup_free_ ManifestWave *w = NULL;
        size_t n;

        assert_int_equal(manifest_waves_parse("0", &w, &n, NULL), 0);
        assert_int_equal(n, 1);
        assert_int_equal(w[0].first_seed, 0);
        assert_int_equal(w[0].last_seed, MANIFEST_SEEDS - 1);
}

static void waves_refused(void **state) {
        static const char *const bad[] = {
                "",    ",",  "0,",   ",0",  "a",    "0,,1",
                "6,0", "-1", "0 ,1", "1e3", "9000", "0,99999999999999999999",
        };
        char many[4 * (MANIFEST_MAX_WAVES + 1) + 1] = "";

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *why = NULL;
                ManifestWave *w = NULL;
                size_t n = 0;

                assert_int_equal(manifest_waves_parse(bad[i], &w, &n, &why), -EINVAL);
                assert_null(w);
                assert_non_null(why);
                assert_non_null(strstr(why, "waves"));
        }
        for (int i = 0; i <= MANIFEST_MAX_WAVES; i++)
                strcat(many, i ? ",1" : "1");
        assert_int_equal(manifest_waves_parse(many, &(ManifestWave *){ NULL }, &(size_t){ 0 }, NULL),
                         -EINVAL);
}

static void waves_check_gaps(void **state) {
        ManifestWave gap[] = { { 0, 99, 0 }, { 101, MANIFEST_SEEDS - 1, 1 } };
        ManifestWave short_[] = { { 0, 99, 0 }, { 100, 2000, 1 } };
        ManifestWave back[] = { { 0, 99, 5 }, { 100, MANIFEST_SEEDS - 1, 1 } };
        ManifestWave over[] = { { 0, MANIFEST_SEEDS, 0 } };
        _cleanup_free_ char *why = NULL;

        assert_int_equal(manifest_waves_check(gap, 2, &why), -EINVAL);
        assert_non_null(strstr(why, "wave 1"));
        assert_int_equal(manifest_waves_check(short_, 2, NULL), -EINVAL);
        assert_int_equal(manifest_waves_check(back, 2, NULL), -EINVAL);
        assert_int_equal(manifest_waves_check(over, 1, NULL), -EINVAL);
        assert_int_equal(manifest_waves_check(gap, 0, NULL), -EINVAL);
}

static void wave_of_seed_and_start_time(void **state) {
        _cleanup_free_ ManifestWave *w = NULL;
        TufTime released, t;
        size_t n;

        assert_int_equal(manifest_waves_parse("0,6,24,48", &w, &n, NULL), 0);
        assert_int_equal(tuf_time_parse("2025-03-01T12:00:00Z", &released), 0);
        assert_ptr_equal(manifest_wave_of(w, n, 0), &w[0]);
        assert_ptr_equal(manifest_wave_of(w, n, 511), &w[0]);
        assert_ptr_equal(manifest_wave_of(w, n, 512), &w[1]);
        assert_ptr_equal(manifest_wave_of(w, n, 2047), &w[3]);
        assert_null(manifest_wave_of(w, n, 2048));
        assert_int_equal(manifest_start_time(released, w, n, 0, &t), 0);
        assert_int_equal(t.sec, released.sec);
        assert_int_equal(manifest_start_time(released, w, n, 1500, &t), 0);
        assert_int_equal(t.sec, released.sec + 24 * 3600);
        assert_int_equal(manifest_start_time(released, w, n, 4096, &t), -ERANGE);
}

static void names(void **state) {
        assert_true(manifest_name_valid("1.2.3"));
        assert_true(manifest_name_valid("qemu"));
        assert_true(manifest_name_valid("1.0.0-rc1+build_7"));
        assert_false(manifest_name_valid(""));
        assert_false(manifest_name_valid("."));
        assert_false(manifest_name_valid(".."));
        assert_false(manifest_name_valid("a/b"));
        assert_false(manifest_name_valid("a b"));
        assert_false(manifest_name_valid(
                "0123456789012345678901234567890123456789012345678901234567890123456789"));
}

static void migrations_parse(void **state) {
        ManifestMigration *m = NULL;
        size_t n = 0;

        assert_int_equal(manifest_migrations_parse("# forward and back\n"
                                                   "1.0 1.1 settings-v2 rename-hostname\n\n"
                                                   "  1.1\t1.0 settings-v1   # the way back\n",
                                                   "migrations.txt", "1.1", &m, &n, NULL),
                         0);
        assert_int_equal(n, 2);
        assert_string_equal(m[0].from, "1.0");
        assert_string_equal(m[0].to, "1.1");
        assert_int_equal(m[0].n_names, 2);
        assert_string_equal(m[0].names[1], "rename-hostname");
        assert_string_equal(m[1].from, "1.1");
        assert_int_equal(m[1].n_names, 1);
        assert_string_equal(m[1].names[0], "settings-v1");
        manifest_migrations_free(m, n);

        assert_int_equal(manifest_migrations_parse("", "m", "1.1", &m, &n, NULL), 0);
        assert_int_equal(n, 0);
        manifest_migrations_free(m, n);
}

static void migrations_refused(void **state) {
        static const struct {
                const char *text, *needle;
        } bad[] = {
                { "1.0 1.1\n", "m:1: expected" },
                { "1.0 1.2 x\n", "does not involve version 1.1" },
                { "1.1 1.1 x\n", "to itself" },
                { "\n1.0 1.1 a/b\n", "m:2: 'a/b'" },
                { "1.0 1.1 a\n1.0 1.1 b\n", "listed twice" },
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *why = NULL;
                ManifestMigration *m = NULL;
                size_t n = 0;

                assert_int_equal(manifest_migrations_parse(bad[i].text, "m", "1.1", &m, &n, &why), -EINVAL);
                assert_non_null(why);
                if (!strstr(why, bad[i].needle))
                        fail_msg("'%s' does not contain '%s'", why, bad[i].needle);
        }
}

/* A manifest with one version, built through the API. */
static json_object *manifest_one(const char *version, const char *waves) {
        _cleanup_free_ ManifestWave *w = NULL;
        json_object *m = manifest_new(), *targets = json_object_new_object();
        ManifestVersion v = { .variant = "qemu", .version = version, .targets = targets };
        size_t n;

        assert_non_null(m);
        assert_int_equal(json_add_string(targets, "root", "qemu-1.0/root.erofs.zst"), 0);
        assert_int_equal(tuf_time_parse("2025-01-01T00:00:00Z", &v.released), 0);
        assert_int_equal(manifest_waves_parse(waves, &w, &n, NULL), 0);
        v.waves = w;
        v.n_waves = n;
        assert_int_equal(manifest_add_version(m, &v, NULL), 0);
        assert_int_equal(manifest_add_version(m, &v, NULL), -EEXIST);
        json_object_put(targets);
        return m;
}

static void manifest_build_and_check(void **state) {
        json_object *m = manifest_one("1.0", "0,12");
        ManifestMigration mig = { .from = (char *) "0.9",
                                  .to = (char *) "1.0",
                                  .names = (char *[]){ (char *) "x" },
                                  .n_names = 1 };
        _cleanup_free_ ManifestWave *w = NULL;
        json_object *versions, *v;
        size_t n;

        json_object *migrations, *targets;

        assert_int_equal(manifest_add_migrations(m, "qemu", "qemu-1.0", &mig, 1, NULL), 0);
        assert_int_equal(manifest_add_migrations(m, "qemu", "qemu-1.0", &mig, 1, NULL), -EEXIST);
        assert_int_equal(manifest_check(m, NULL), 0);
        assert_true(json_object_object_get_ex(m, "migrations", &migrations));
        assert_true(
                json_object_object_get_ex(json_object_array_get_idx(migrations, 0), "targets", &targets));
        assert_string_equal(json_get_string(targets, "x"), "qemu-1.0/migrations/x.json");
        /* A name without its file cannot be run by a node. */
        json_object_object_del(targets, "x");
        assert_int_equal(manifest_check(m, NULL), -EINVAL);
        assert_true(json_object_object_get_ex(m, "versions", &versions));
        v = json_object_array_get_idx(versions, 0);
        assert_string_equal(json_get_string(v, "released"), "2025-01-01T00:00:00Z");
        assert_int_equal(manifest_version_waves(v, &w, &n, NULL), 0);
        assert_int_equal(n, 2);
        assert_int_equal(w[1].first_seed, 1024);
        assert_int_equal(w[1].start_hours, 12);
        json_object_put(m);
}

/* Every way a manifest read back from a repository can be wrong is refused with a message. */
static void manifest_check_refuses(void **state) {
        static const char *const edits[] = {
                "{\"schema\": 2}",
                "{\"seeds\": 1000}",
                "{\"versions\": {}}",
                "{\"versions\": [{\"variant\": \"qemu\", \"version\": \"../x\"}]}",
                "{\"versions\": [{\"variant\": \"qemu\", \"version\": \"1\", \"released\": \"yesterday\"}]}",
                "{\"versions\": [{\"variant\": \"qemu\", \"version\": \"1\", \"released\": "
                "\"2025-01-01T00:00:00Z\", "
                "\"targets\": {}}]}",
                "{\"versions\": [{\"variant\": \"qemu\", \"version\": \"1\", \"released\": "
                "\"2025-01-01T00:00:00Z\", "
                "\"targets\": {\"root\": \"r\"}, \"waves\": [{\"first_seed\": 0, \"last_seed\": 10, "
                "\"start_hours\": 0}]}]}",
                "{\"migrations\": [{\"variant\": \"qemu\", \"from\": \"1\", \"to\": \"2\", \"names\": []}]}",
                "{\"migrations\": [{\"variant\": \"qemu\", \"from\": \"1\", \"to\": \"2\", \"names\": "
                "[3]}]}",
        };

        for (size_t i = 0; i < ELEMENTSOF(edits); i++) {
                json_object *m = manifest_one("1.0", "0"), *edit = json_tokener_parse(edits[i]);
                _cleanup_free_ char *why = NULL;

                assert_non_null(edit);
                json_object_object_foreach(edit, key, value) {
                        assert_int_equal(json_add(m, key, json_object_get(value)), 0);
                }
                assert_int_equal(manifest_check(m, &why), -EINVAL);
                assert_non_null(why);
                assert_non_null(strstr(why, "manifest"));
                json_object_put(edit);
                json_object_put(m);
        }
}

static void manifest_check_duplicate(void **state) {
        json_object *m = manifest_one("1.0", "0"), *versions;
        _cleanup_free_ char *why = NULL;

        assert_true(json_object_object_get_ex(m, "versions", &versions));
        assert_int_equal(json_append(versions, json_object_get(json_object_array_get_idx(versions, 0))), 0);
        assert_int_equal(manifest_check(m, &why), -EINVAL);
        assert_non_null(strstr(why, "repeats"));
        json_object_put(m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(waves_split_evenly),
                cmocka_unit_test(waves_remainder_goes_first),
                cmocka_unit_test(waves_single),
                cmocka_unit_test(waves_refused),
                cmocka_unit_test(waves_check_gaps),
                cmocka_unit_test(wave_of_seed_and_start_time),
                cmocka_unit_test(names),
                cmocka_unit_test(migrations_parse),
                cmocka_unit_test(migrations_refused),
                cmocka_unit_test(manifest_build_and_check),
                cmocka_unit_test(manifest_check_refuses),
                cmocka_unit_test(manifest_check_duplicate),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
