/* SPDX-License-Identifier: MIT */
/* Settings migrations: files parsed strictly, steps run over trees, the way between versions found, and
 * the datastore migrated on a copy that replaces it only when complete. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "migration.h"
#include "settings-store.h"

static Migration *parse_ok(const char *text) {
        Migration *m = NULL;
        char *why = NULL;

        if (migration_parse(text, strlen(text), "test", NULL, &m, &why) < 0)
                fail_msg("refused: %s", why);
        assert_null(why);
        return m;
}

/* Runs text over tree_text and compares the result with want_text. */
static void check_apply(const char *text, const char *tree_text, const char *want_text,
                        unsigned want_changed) {
        _cleanup_(migration_freep) Migration *m = parse_ok(text);
        struct json_object *tree = json_tokener_parse(tree_text), *want = json_tokener_parse(want_text);
        unsigned changed = 0;
        char *why = NULL;

        assert_non_null(tree);
        assert_non_null(want);
        assert_int_equal(migration_apply(m, tree, &changed, &why), 0);
        if (!json_object_equal(tree, want))
                fail_msg("got %s, want %s", json_object_to_json_string(tree), want_text);
        assert_int_equal(changed, want_changed);
        json_object_put(tree);
        json_object_put(want);
}

static void add_sets_only_missing_keys(void **state) {
        const char *m = "{\"format\": 1, \"name\": \"a\", \"steps\": ["
                        "{\"op\": \"add\", \"key\": \"settings.test.greeting\", \"value\": \"hello\"},"
                        "{\"op\": \"add\", \"key\": \"settings.motd\", \"value\": \"not this\"}]}";

        check_apply(m, "{\"motd\": \"mine\"}", "{\"motd\": \"mine\", \"test\": {\"greeting\": \"hello\"}}",
                    1);
        check_apply(m, "{\"motd\": \"mine\", \"test\": {\"greeting\": \"hi\"}}",
                    "{\"motd\": \"mine\", \"test\": {\"greeting\": \"hi\"}}", 0);
}

static void remove_takes_the_subtree(void **state) {
        const char *m =
                "{\"format\": 1, \"name\": \"r\", \"steps\": ["
                "{\"op\": \"remove\", \"key\": \"settings.test\"},"
                "{\"op\": \"remove\", \"key\": \"settings.kernel.sysctl.\\\"net.ipv4.ip_forward\\\"\"},"
                "{\"op\": \"remove\", \"key\": \"settings.not.there\"}]}";

        check_apply(m,
                    "{\"motd\": \"x\", \"test\": {\"greeting\": \"hello\", \"n\": 1},"
                    " \"kernel\": {\"sysctl\": {\"net.ipv4.ip_forward\": \"1\", \"vm.swappiness\": \"0\"}}}",
                    "{\"motd\": \"x\", \"kernel\": {\"sysctl\": {\"vm.swappiness\": \"0\"}}}", 2);
}

static void rename_moves_and_replaces(void **state) {
        const char *m = "{\"format\": 1, \"name\": \"mv\", \"steps\": ["
                        "{\"op\": \"rename\", \"key\": \"settings.old.a\", \"to\": \"settings.new.b\"}]}";

        check_apply(m, "{\"old\": {\"a\": {\"x\": 1}}, \"new\": {\"b\": 5}}",
                    "{\"old\": {}, \"new\": {\"b\": {\"x\": 1}}}", 1);
        check_apply(m, "{\"motd\": \"x\"}", "{\"motd\": \"x\"}", 0);
}

static void change_default_keeps_chosen_values(void **state) {
        const char *m =
                "{\"format\": 1, \"name\": \"cd\", \"steps\": [{\"op\": \"change-default\","
                " \"key\": \"settings.ntp.time-servers\", \"from\": [\"a\"], \"to\": [\"b\", \"c\"]}]}";

        check_apply(m, "{\"ntp\": {\"time-servers\": [\"a\"]}}",
                    "{\"ntp\": {\"time-servers\": [\"b\", \"c\"]}}", 1);
        check_apply(m, "{\"ntp\": {\"time-servers\": [\"mine\"]}}",
                    "{\"ntp\": {\"time-servers\": [\"mine\"]}}", 0);
}

static void key_below_a_leaf_is_an_error(void **state) {
        _cleanup_(migration_freep) Migration *m =
                parse_ok("{\"format\": 1, \"name\": \"leaf\", \"steps\": ["
                         "{\"op\": \"add\", \"key\": \"settings.motd.text\", \"value\": \"x\"}]}");
        struct json_object *tree = json_tokener_parse("{\"motd\": \"plain\"}");
        _cleanup_free_ char *why = NULL;

        assert_int_equal(migration_apply(m, tree, NULL, &why), -EINVAL);
        assert_non_null(strstr(why, "migration leaf: step 0 (settings.motd.text)"));
        json_object_put(tree);
}

static void refused(const char *text, const char *expected) {
        Migration *m = NULL;
        _cleanup_free_ char *why = NULL;

        assert_true(migration_parse(text, strlen(text), "m.json", NULL, &m, &why) < 0);
        assert_null(m);
        assert_non_null(why);
        if (!strstr(why, expected))
                fail_msg("'%s' does not say '%s'", why, expected);
}

static void malformed_files_are_refused(void **state) {
        refused("{\"format\": 2, \"name\": \"x\", \"steps\": []}", "m.json: format is not 1");
        refused("{\"format\": 1, \"name\": \"../x\", \"steps\": []}", "\"name\" must be");
        refused("{\"format\": 1, \"name\": \"x\", \"steps\": []}", "1-1024 steps");
        refused("{\"format\": 1, \"name\": \"x\", \"stepz\": []}", "unknown member \"stepz\"");
        refused("{\"format\": 1, \"name\": \"x\", \"steps\": [{\"op\": \"drop\", \"key\": \"settings.a\"}]}",
                "unknown op 'drop'");
        refused("{\"format\": 1, \"name\": \"x\", \"steps\": [{\"op\": \"remove\", \"key\": \"settings.a\","
                " \"value\": 1}]}",
                "step 0: unknown member \"value\" for remove");
        refused("{\"format\": 1, \"name\": \"x\", \"steps\": [{\"op\": \"add\", \"key\": \"settings.a\"}]}",
                "step 0: \"value\" must be a value");
        refused("{\"format\": 1, \"name\": \"x\", \"steps\": [{\"op\": \"add\", \"key\": \"settings.a\", "
                "\"value\": null}]}",
                "not null");
        refused("{\"format\": 1, \"name\": \"x\", \"steps\": [{\"op\": \"add\", \"key\": \"motd\", "
                "\"value\": 1}]}",
                "step 0: \"key\":");
        refused("{\"format\": 1, \"name\": \"x\", \"steps\": [{\"op\": \"rename\", \"key\": \"settings.a\","
                " \"to\": \"settings.a.b\"}]}",
                "to itself or below itself");
        refused("{\"format\": 1, \"name\": \"x\", \"steps\": [{\"op\": \"remove\", \"key\": "
                "\"settings.a\"}]} x",
                "not JSON");
}

static void expected_name_is_checked(void **state) {
        const char *text = "{\"format\": 1, \"name\": \"a\", \"steps\": [{\"op\": \"remove\", \"key\": "
                           "\"settings.a\"}]}";
        Migration *m = NULL;
        _cleanup_free_ char *why = NULL;

        assert_int_equal(migration_parse(text, strlen(text), "b.json", "b", &m, &why), -EINVAL);
        assert_non_null(strstr(why, "names itself 'a', expected 'b'"));
}

static struct json_object *edges(void) {
        return json_tokener_parse(
                "[{\"variant\": \"qemu\", \"from\": \"1\", \"to\": \"2\", \"names\": [\"a\", \"b\"],"
                "  \"targets\": {\"a\": \"qemu-2/migrations/a.json\", \"b\": \"qemu-2/migrations/b.json\"}},"
                " {\"variant\": \"qemu\", \"from\": \"2\", \"to\": \"1\", \"names\": [\"c\"],"
                "  \"targets\": {\"c\": \"qemu-2/migrations/c.json\"}},"
                " {\"variant\": \"other\", \"from\": \"2\", \"to\": \"3\", \"names\": [\"x\"],"
                "  \"targets\": {\"x\": \"other-3/migrations/x.json\"}},"
                " {\"variant\": \"qemu\", \"from\": \"2\", \"to\": \"3\", \"names\": [\"d\"],"
                "  \"targets\": {\"d\": \"qemu-3/migrations/d.json\"}},"
                " {\"variant\": \"qemu\", \"from\": \"1\", \"to\": \"3\", \"names\": [\"e\"],"
                "  \"targets\": {\"e\": \"qemu-3/migrations/e.json\"}}]");
}

static const char *plan_names(struct json_object *plan, char *buf, size_t size) {
        size_t used = 0;

        buf[0] = 0;
        for (size_t i = 0; i < json_object_array_length(plan); i++)
                used += (size_t) snprintf(buf + used, size - used, "%s%s", i ? " " : "",
                                          json_object_get_string(json_object_object_get(
                                                  json_object_array_get_idx(plan, i), "name")));
        return buf;
}

static void plan_finds_the_shortest_way(void **state) {
        struct json_object *e = edges(), *plan = NULL;
        _cleanup_free_ char *why = NULL;
        char buf[256];

        assert_int_equal(migration_plan(e, "qemu", "1", "2", &plan, &why), 0);
        assert_string_equal(plan_names(plan, buf, sizeof(buf)), "a b");
        assert_string_equal(
                json_object_get_string(json_object_object_get(json_object_array_get_idx(plan, 1), "target")),
                "qemu-2/migrations/b.json");
        json_object_put(plan);
        /* 1 -> 3 directly, not through 2. */
        assert_int_equal(migration_plan(e, "qemu", "1", "3", &plan, &why), 0);
        assert_string_equal(plan_names(plan, buf, sizeof(buf)), "e");
        json_object_put(plan);
        /* 3 is reached only forward; 2 -> 1 is the backward edge. */
        assert_int_equal(migration_plan(e, "qemu", "2", "1", &plan, &why), 0);
        assert_string_equal(plan_names(plan, buf, sizeof(buf)), "c");
        json_object_put(plan);
        assert_int_equal(migration_plan(e, "qemu", "3", "1", &plan, &why), -ENOENT);
        assert_non_null(strstr(why, "no migrations from 3 to 1 for qemu"));
        assert_int_equal(migration_plan(e, "qemu", "2", "2", &plan, NULL), 0);
        assert_int_equal(json_object_array_length(plan), 0);
        json_object_put(plan);
        json_object_put(e);
}

static void plan_chains_versions(void **state) {
        struct json_object *e = json_tokener_parse("[{\"variant\": \"v\", \"from\": \"1\", \"to\": \"2\", "
                                                   "\"names\": [\"a\"], \"targets\": {\"a\": \"t/a\"}},"
                                                   " {\"variant\": \"v\", \"from\": \"2\", \"to\": \"3\", "
                                                   "\"names\": [\"b\"], \"targets\": {\"b\": \"t/b\"}}]");
        struct json_object *plan = NULL;
        char buf[64];

        assert_int_equal(migration_plan(e, "v", "1", "3", &plan, NULL), 0);
        assert_string_equal(plan_names(plan, buf, sizeof(buf)), "a b");
        json_object_put(plan);
        json_object_put(e);
}

/* A store at dir/settings.sqlite with tree live and version recorded (NULL: none). */
static void make_store(const char *path, const char *tree_text, const char *version) {
        SettingsStore *s = NULL;
        struct json_object *tree = json_tokener_parse(tree_text), *added = NULL;

        assert_int_equal(settings_store_open(path, &s, NULL), 0);
        assert_int_equal(settings_store_set_defaults(s, tree, &added, NULL), 0);
        if (version) {
                struct json_object *v = json_object_new_string(version);
                assert_int_equal(settings_store_metadata_set(s, SETTINGS_STORE_DATA_VERSION, v, NULL), 0);
                json_object_put(v);
        }
        json_object_put(added);
        json_object_put(tree);
        settings_store_close(s);
}

static char *live_of(const char *path, char *version, size_t size) {
        SettingsStore *s = NULL;
        struct json_object *tree = NULL, *v = NULL;
        char *text;

        assert_int_equal(settings_store_open(path, &s, NULL), 0);
        assert_int_equal(settings_store_get_live(s, NULL, 0, &tree, NULL), 0);
        assert_int_equal(settings_store_metadata_get(s, SETTINGS_STORE_DATA_VERSION, &v, NULL), 0);
        snprintf(version, size, "%s", json_object_get_string(v));
        text = strdup(json_object_to_json_string_ext(tree, JSON_C_TO_STRING_PLAIN));
        json_object_put(tree);
        json_object_put(v);
        settings_store_close(s);
        return text;
}

static void write_text(const char *dir, const char *name, const char *text) {
        char path[4096];

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
}

static void datastore_migrates_forward_and_back(void **state) {
        char dir[] = "/tmp/test-migration-XXXXXX", db[4096], version[64], copy[4200];
        MigrateResult res;
        _cleanup_free_ char *why = NULL, *live = NULL;

        assert_non_null(mkdtemp(dir));
        snprintf(db, sizeof(db), "%s/settings.sqlite", dir);
        snprintf(copy, sizeof(copy), "%s.migrating", db);
        write_text(dir, "index.json",
                   "{\"variant\": \"qemu\", \"migrations\": ["
                   "{\"variant\": \"qemu\", \"from\": \"1.0.0\", \"to\": \"2.0.0\", \"names\": "
                   "[\"add-greeting\"],"
                   " \"targets\": {\"add-greeting\": \"qemu-2.0.0/migrations/add-greeting.json\"}},"
                   "{\"variant\": \"qemu\", \"from\": \"2.0.0\", \"to\": \"1.0.0\", \"names\": "
                   "[\"remove-greeting\"],"
                   " \"targets\": {\"remove-greeting\": \"qemu-2.0.0/migrations/remove-greeting.json\"}}]}");
        write_text(dir, "add-greeting.json",
                   "{\"format\": 1, \"name\": \"add-greeting\", \"steps\": [{\"op\": \"add\", \"key\": "
                   "\"settings.test.greeting\", \"value\": \"hello\"}]}");
        write_text(
                dir, "remove-greeting.json",
                "{\"format\": 1, \"name\": \"remove-greeting\", \"steps\": [{\"op\": \"remove\", \"key\": "
                "\"settings.test\"}]}");

        /* First boot: nothing recorded, the image's version is. */
        make_store(db, "{\"motd\": \"set on 1\"}", NULL);
        assert_int_equal(migrate_datastore(db, "qemu", "1.0.0", dir, &res, &why), 0);
        assert_int_equal(res.outcome, MIGRATE_RECORDED);
        /* A stale copy from a cut-off run is removed, not used. */
        write_text(dir, "settings.sqlite.migrating", "garbage");
        assert_int_equal(migrate_datastore(db, "qemu", "2.0.0", dir, &res, &why), 0);
        assert_int_equal(res.outcome, MIGRATE_DONE);
        assert_string_equal(res.from, "1.0.0");
        assert_string_equal(res.names, "add-greeting");
        assert_int_equal(res.changed, 1);
        assert_int_not_equal(access(copy, F_OK), 0);
        live = live_of(db, version, sizeof(version));
        assert_string_equal(live, "{\"motd\":\"set on 1\",\"test\":{\"greeting\":\"hello\"}}");
        assert_string_equal(version, "2.0.0");
        free(live);
        /* Again at the same version: nothing to do. */
        assert_int_equal(migrate_datastore(db, "qemu", "2.0.0", dir, &res, &why), 0);
        assert_int_equal(res.outcome, MIGRATE_CURRENT);
        /* The older image boots again. */
        assert_int_equal(migrate_datastore(db, "qemu", "1.0.0", dir, &res, &why), 0);
        assert_int_equal(res.outcome, MIGRATE_DONE);
        assert_string_equal(res.names, "remove-greeting");
        live = live_of(db, version, sizeof(version));
        assert_string_equal(live, "{\"motd\":\"set on 1\"}");
        assert_string_equal(version, "1.0.0");
        /* No way known to 3.0.0: data kept, version recorded. */
        assert_int_equal(migrate_datastore(db, "qemu", "3.0.0", dir, &res, &why), 0);
        assert_int_equal(res.outcome, MIGRATE_NO_WAY);
        free(live);
        live = live_of(db, version, sizeof(version));
        assert_string_equal(live, "{\"motd\":\"set on 1\"}");
        assert_string_equal(version, "3.0.0");
        (void) !system(((void) snprintf(copy, sizeof(copy), "rm -rf '%s'", dir), copy));
}

static void failed_migration_leaves_the_data(void **state) {
        char dir[] = "/tmp/test-migration-XXXXXX", db[4096], version[64];
        MigrateResult res;
        _cleanup_free_ char *why = NULL, *live = NULL;
        char cmd[4200];

        assert_non_null(mkdtemp(dir));
        snprintf(db, sizeof(db), "%s/settings.sqlite", dir);
        write_text(dir, "index.json",
                   "{\"variant\": \"qemu\", \"migrations\": [{\"variant\": \"qemu\", \"from\": \"1\", "
                   "\"to\": \"2\","
                   " \"names\": [\"ok\", \"bad\"], \"targets\": {\"ok\": \"t/ok\", \"bad\": \"t/bad\"}}]}");
        write_text(dir, "ok.json",
                   "{\"format\": 1, \"name\": \"ok\", \"steps\": [{\"op\": \"remove\", \"key\": "
                   "\"settings.motd\"}]}");
        write_text(dir, "bad.json",
                   "{\"format\": 1, \"name\": \"bad\", \"steps\": [{\"op\": \"add\", \"key\": "
                   "\"settings.n.x\", \"value\": 1}]}");
        make_store(db, "{\"motd\": \"keep me\", \"n\": 5}", "1");
        assert_int_equal(migrate_datastore(db, "qemu", "2", dir, &res, &why), -EINVAL);
        assert_non_null(strstr(why, "migration bad: step 0 (settings.n.x)"));
        live = live_of(db, version, sizeof(version));
        assert_string_equal(live, "{\"motd\":\"keep me\",\"n\":5}");
        assert_string_equal(version, "1");
        /* A migration file missing from the directory is named. */
        free(why);
        why = NULL;
        snprintf(cmd, sizeof(cmd), "%s/bad.json", dir);
        assert_int_equal(unlink(cmd), 0);
        assert_true(migrate_datastore(db, "qemu", "2", dir, &res, &why) < 0);
        assert_non_null(strstr(why, "bad.json: cannot read"));
        (void) !system(((void) snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir), cmd));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(add_sets_only_missing_keys),
                cmocka_unit_test(remove_takes_the_subtree),
                cmocka_unit_test(rename_moves_and_replaces),
                cmocka_unit_test(change_default_keeps_chosen_values),
                cmocka_unit_test(key_below_a_leaf_is_an_error),
                cmocka_unit_test(malformed_files_are_refused),
                cmocka_unit_test(expected_name_is_checked),
                cmocka_unit_test(plan_finds_the_shortest_way),
                cmocka_unit_test(plan_chains_versions),
                cmocka_unit_test(datastore_migrates_forward_and_back),
                cmocka_unit_test(failed_migration_leaves_the_data),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
