/* SPDX-License-Identifier: MIT */
/* The update agent's pure parts: version order, UKI file names under boot counting, the state file, and
 * version selection over a manifest with waves and a lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "tuf-json.h"
#include "update-esp.h"
#include "update-select.h"
#include "update-state.h"
#include "update-version.h"

static int cmp(const char *a, const char *b) {
        int order = 99;

        assert_int_equal(update_version_compare_str(a, b, &order), 0);
        return order;
}

static void version_order(void **state) {
        /* SemVer 2.0 §11's own example, in ascending order. */
        const char *chain[] = { "1.0.0-alpha",  "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                                "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",       "1.0.0",
                                "1.0.1",        "1.2.0",         "1.10.0",           "2.0.0" };

        for (size_t i = 0; i + 1 < ELEMENTSOF(chain); i++) {
                assert_true(cmp(chain[i], chain[i + 1]) < 0);
                assert_true(cmp(chain[i + 1], chain[i]) > 0);
        }
        assert_int_equal(cmp("1.0.0+build.1", "1.0.0+build.2"), 0);
        assert_int_equal(cmp("1.1", "1.1.0"), 0);
        assert_true(cmp("1.2", "1.10") < 0);
}

static void version_invalid(void **state) {
        UpdateVersion v;
        const char *bad[] = { "",
                              "v1.0.0",
                              "1.",
                              "1..0",
                              "01.0.0",
                              "1.0.0.0",
                              "1.0.0-",
                              "1.0.0+",
                              "1.0.0-a..b",
                              "1.0.0-ü",
                              "99999999999999999999.0.0",
                              "1.0.0 " };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(update_version_parse(bad[i], &v), -EINVAL);
        assert_int_equal(update_version_parse("1.2.3-rc.1+x", &v), 0);
        assert_int_equal(v.number[2], 3);
        assert_string_equal(v.prerelease, "rc.1");
}

static void uki_names(void **state) {
        UkiName u;

        assert_int_equal(update_uki_name_parse("bulkhead-2.0.0-b+3.efi", &u), 0);
        assert_string_equal(u.version, "2.0.0");
        assert_int_equal(u.set, 'b');
        assert_true(u.counted);
        assert_int_equal(u.left, 3);
        assert_int_equal(u.done, 0);
        assert_int_equal(update_uki_name_parse("bulkhead-1.0.0-a+1-2.efi", &u), 0);
        assert_int_equal(u.left, 1);
        assert_int_equal(u.done, 2);
        /* Blessed: no counter. A '+' in the version is build metadata, not a counter. */
        assert_int_equal(update_uki_name_parse("bulkhead-1.0.0+git.1-a.efi", &u), 0);
        assert_false(u.counted);
        assert_string_equal(u.version, "1.0.0+git.1");
        assert_int_equal(update_uki_name_parse("bulkhead-1.0.0+git.1-a+0-3.efi", &u), 0);
        assert_true(u.counted);
        assert_string_equal(u.version, "1.0.0+git.1");
        const char *bad[] = { "bulkhead-1.0.0-c+3.efi",      "bulkhead--a.efi",
                              "other-1.0.0-a.efi",           "bulkhead-1.0.0-a+3.efi.tmp",
                              ".bulkhead-1.0.0-a+3.efi.tmp", "bulkhead-.efi" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(update_uki_name_parse(bad[i], &u), -EINVAL);
}

static void state_round_trip(void **state) {
        char dir[] = "/tmp/test-update-XXXXXX", path[64];
        UpdateState s, back;
        TufTime now;

        assert_non_null(mkdtemp(dir));
        assert_true(snprintf_ok(path, "%s/sub/state.json", dir));
        assert_int_equal(update_state_read(path, &back), 0);
        assert_int_equal(back.state, UPDATE_STATE_IDLE);
        assert_int_equal(tuf_time_parse("2025-03-01T12:00:00Z", &now), 0);
        update_state_set(&s, UPDATE_STATE_READY, "2.0.0", 'b', "a \"quoted\" reason", now);
        assert_int_equal(update_state_write(path, &s), 0);
        assert_int_equal(update_state_read(path, &back), 0);
        assert_int_equal(back.state, UPDATE_STATE_READY);
        assert_string_equal(back.version, "2.0.0");
        assert_string_equal(back.reason, "a \"quoted\" reason");
        assert_int_equal(back.set, 'b');
        assert_int_equal(back.updated_at.sec, now.sec);
        unlink(path);
        assert_true(snprintf_ok(path, "%s/sub", dir));
        rmdir(path);
        rmdir(dir);
}

static const char manifest_text[] =
        "{\"schema\":1,\"seeds\":2048,\"migrations\":[],\"versions\":["
        "{\"variant\":\"qemu\",\"version\":\"1.0.0\",\"released\":\"2025-01-01T00:00:00Z\","
        " \"targets\":{\"root\":\"r\"},\"waves\":[{\"first_seed\":0,\"last_seed\":2047,\"start_hours\":0}]},"
        "{\"variant\":\"qemu\",\"version\":\"2.0.0\",\"released\":\"2025-03-01T00:00:00Z\","
        " \"targets\":{\"root\":\"r\"},\"waves\":[{\"first_seed\":0,\"last_seed\":1023,\"start_hours\":0},"
        "                             {\"first_seed\":1024,\"last_seed\":2047,\"start_hours\":24}]},"
        "{\"variant\":\"other\",\"version\":\"9.0.0\",\"released\":\"2025-01-01T00:00:00Z\","
        " \"targets\":{\"root\":\"r\"},\"waves\":[{\"first_seed\":0,\"last_seed\":2047,\"start_hours\":0}]}]"
        "}";

static const char *select_skipping(json_object *m, const char *current, const char *lock, const char *skip,
                                   unsigned seed, bool ignore_waves, const char *now) {
        UpdatePolicy p = { .variant = "qemu",
                           .current = current,
                           .lock = lock,
                           .skip = skip,
                           .seed = seed,
                           .ignore_waves = ignore_waves };
        json_object *e = NULL;
        int r;

        assert_int_equal(tuf_time_parse(now, &p.now), 0);
        r = update_select(m, &p, &e, NULL);
        assert_true(r >= 0);
        return r == 0 ? NULL : json_object_get_string(json_object_object_get(e, "version"));
}

static const char *select_version(json_object *m, const char *current, const char *lock, unsigned seed,
                                  bool ignore_waves, const char *now) {
        return select_skipping(m, current, lock, NULL, seed, ignore_waves, now);
}

static void selection(void **state) {
        _cleanup_(json_object_putp) json_object *m = NULL;
        const char *day1 = "2025-03-01T01:00:00Z", *day3 = "2025-03-03T00:00:00Z";
        UpdatePolicy bad = { .variant = "qemu", .current = "x" };
        json_object *e;

        assert_int_equal(tuf_json_parse(manifest_text, strlen(manifest_text), &m, NULL), 0);
        assert_string_equal(select_version(m, "1.0.0", NULL, 0, false, day1), "2.0.0");
        assert_string_equal(select_version(m, "0.9.0", NULL, 0, false, day1), "2.0.0");
        /* The second wave has not started: the older version its seed may have is offered instead. */
        assert_string_equal(select_version(m, "0.9.0", NULL, 2000, false, day1), "1.0.0");
        assert_null(select_version(m, "1.0.0", NULL, 2000, false, day1));
        assert_string_equal(select_version(m, "1.0.0", NULL, 2000, true, day1), "2.0.0");
        assert_string_equal(select_version(m, "1.0.0", NULL, 2000, false, day3), "2.0.0");
        assert_string_equal(select_version(m, "1.0.0", "latest", 0, false, day1), "2.0.0");
        assert_null(select_version(m, "1.0.0", "1.0.0", 0, false, day1));
        assert_string_equal(select_version(m, "0.1.0", "1.0.0", 0, false, day1), "1.0.0");
        assert_null(select_version(m, "2.0.0", NULL, 0, false, day1));
        assert_int_equal(update_select(m, &bad, &e, NULL), -EINVAL);
        /* A version the node came back from is passed over for an older newer one, or for none. */
        assert_string_equal(select_skipping(m, "0.9.0", NULL, "2.0.0", 0, false, day1), "1.0.0");
        assert_string_equal(select_skipping(m, "0.9.0", NULL, "2.0", 0, false, day1), "1.0.0");
        assert_null(select_skipping(m, "1.0.0", NULL, "2.0.0", 0, false, day1));
        assert_string_equal(select_skipping(m, "0.9.0", NULL, "1.0.0", 0, false, day1), "2.0.0");
        bad = (UpdatePolicy){ .variant = "qemu", .current = "1.0.0", .skip = "two" };
        assert_int_equal(update_select(m, &bad, &e, NULL), -EINVAL);
        assert_non_null(update_manifest_find(m, "other", "9.0.0"));
        assert_null(update_manifest_find(m, "qemu", "9.0.0"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(version_order), cmocka_unit_test(version_invalid),
                cmocka_unit_test(uki_names),     cmocka_unit_test(state_round_trip),
                cmocka_unit_test(selection),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
