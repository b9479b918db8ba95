/* SPDX-License-Identifier: MIT */
/* libsettings' datastore: schema, named transactions and their isolation, atomic commit, discard, try
 * snapshots, defaults, metadata, persistence across reopen, and two writers (connections and processes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <json-c/json.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "settings-internal.h"
#include "settings-store.h"

static char tmpdir[] = "/tmp/test-settings-store.XXXXXX";
static char db_path[256];
static SettingsError error;

static struct json_object *parse(const char *text) {
        struct json_object *j = json_tokener_parse(text);

        if (!j)
                fail_msg("bad test JSON: %s", text);
        return j;
}

static const char *plain(struct json_object *j) {
        return json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* A fresh database per test. */
static int setup_db(void **state) {
        static unsigned counter;

        return snprintf_ok(db_path, "%s/db-%u.sqlite", tmpdir, counter++) ? 0 : -1;
}

static SettingsStore *open_store(void) {
        SettingsStore *s = NULL;

        if (settings_store_open(db_path, &s, &error) < 0)
                fail_msg("open: %s", error.message);
        return s;
}

static void set_pending(SettingsStore *s, const char *tx, const char *tree) {
        _cleanup_(json_object_putp) struct json_object *t = parse(tree);

        if (settings_store_set_pending(s, tx, t, &error) < 0)
                fail_msg("set pending %s: %s", tx, error.message);
}

/* Commits tx and checks the changed keys (as compact JSON). */
static void commit(SettingsStore *s, const char *tx, const char *snapshot, const char *changed) {
        _cleanup_(json_object_putp) struct json_object *c = NULL;

        if (settings_store_commit(s, tx, snapshot, &c, &error) < 0)
                fail_msg("commit %s: %s", tx, error.message);
        assert_string_equal(plain(c), changed);
}

static void assert_live(SettingsStore *s, const char *expected) {
        _cleanup_(json_object_putp) struct json_object *t = NULL;

        assert_int_equal(settings_store_get_live(s, NULL, 0, &t, &error), 0);
        assert_string_equal(plain(t), expected);
}

static void assert_pending(SettingsStore *s, const char *tx, const char *expected) {
        _cleanup_(json_object_putp) struct json_object *t = NULL;

        assert_int_equal(settings_store_get_pending(s, tx, &t, &error), 0);
        assert_string_equal(plain(t), expected);
}

static void assert_tx_list(SettingsStore *s, const char *expected) {
        _cleanup_(json_object_putp) struct json_object *l = NULL;

        assert_int_equal(settings_store_list_tx(s, &l, &error), 0);
        assert_string_equal(plain(l), expected);
}

static void test_open_schema(void **state) {
        _cleanup_(settings_store_closep) SettingsStore *s = open_store();
        sqlite3 *db;
        sqlite3_stmt *st;
        struct stat sb;

        assert_int_equal(stat(db_path, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0600);
        s = settings_store_close(s);
        s = open_store(); /* a second open finds the schema in place */
        s = settings_store_close(s);

        assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *) sqlite3_column_text(st, 0), "wal");
        sqlite3_finalize(st);
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), SETTINGS_STORE_SCHEMA_VERSION);
        sqlite3_finalize(st);
        /* A store from a later version is refused, not misread. */
        assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
        assert_int_equal(settings_store_open(db_path, &s, &error), -EPROTONOSUPPORT);
        assert_non_null(strstr(error.message, "99"));
}

static void test_transactions_isolated(void **state) {
        _cleanup_(settings_store_closep) SettingsStore *s = open_store();
        _cleanup_(json_object_putp) struct json_object *c = NULL;

        assert_live(s, "{}");
        assert_tx_list(s, "[]");
        set_pending(s, "a", "{\"motd\": \"from a\"}");
        set_pending(s, "b", "{\"motd\": \"from b\", \"ntp\": {\"time-servers\": [\"t.example\"]}}");
        assert_pending(s, "a", "{\"motd\":\"from a\"}");
        assert_pending(s, "b", "{\"motd\":\"from b\",\"ntp\":{\"time-servers\":[\"t.example\"]}}");
        assert_pending(s, "nosuch", "{}");
        assert_tx_list(s, "[\"a\",\"b\"]");
        assert_live(s, "{}");

        commit(s, "a", NULL, "[\"settings.motd\"]");
        assert_live(s, "{\"motd\":\"from a\"}");
        assert_tx_list(s, "[\"b\"]");
        assert_pending(s, "b", "{\"motd\":\"from b\",\"ntp\":{\"time-servers\":[\"t.example\"]}}");
        commit(s, "b", NULL, "[\"settings.motd\",\"settings.ntp.time-servers\"]");
        assert_live(s, "{\"motd\":\"from b\",\"ntp\":{\"time-servers\":[\"t.example\"]}}");
        assert_tx_list(s, "[]");

        /* Committing what is not there is an error that says so, and changes nothing. */
        assert_int_equal(settings_store_commit(s, "a", NULL, &c, &error), -ENOENT);
        assert_string_equal(error.message, "no pending transaction 'a'");
        assert_int_equal(settings_store_commit(s, "bad name", NULL, &c, &error), -EINVAL);
        assert_int_equal(settings_store_commit(s, "", NULL, &c, &error), -EINVAL);
        assert_null(c);
        assert_live(s, "{\"motd\":\"from b\",\"ntp\":{\"time-servers\":[\"t.example\"]}}");
}

static void test_merge_and_unchanged(void **state) {
        _cleanup_(settings_store_closep) SettingsStore *s = open_store();

        set_pending(s, "default", "{\"network\": {\"hostname\": \"one\"}, \"motd\": \"m\"}");
        set_pending(s, "default",
                    "{\"network\": {\"https-proxy\": \"http://p:3128\", \"hostname\": \"two\"}}");
        assert_pending(
                s, "default",
                "{\"motd\":\"m\",\"network\":{\"hostname\":\"two\",\"https-proxy\":\"http://p:3128\"}}");
        commit(s, "default", NULL,
               "[\"settings.motd\",\"settings.network.hostname\",\"settings.network.https-proxy\"]");
        /* Setting what is already live commits fine and reports nothing changed. */
        set_pending(s, "default", "{\"motd\": \"m\", \"network\": {\"hostname\": \"three\"}}");
        commit(s, "default", NULL, "[\"settings.network.hostname\"]");
        set_pending(s, "default", "{\"motd\": \"m\"}");
        commit(s, "default", NULL, "[]");
        assert_tx_list(s, "[]");
        /* An empty tree makes no transaction. */
        set_pending(s, "empty", "{}");
        assert_tx_list(s, "[]");
}

static void test_discard(void **state) {
        _cleanup_(settings_store_closep) SettingsStore *s = open_store();

        set_pending(s, "x", "{\"motd\": \"x\"}");
        set_pending(s, "y", "{\"motd\": \"y\"}");
        assert_int_equal(settings_store_discard(s, "x", &error), 1);
        assert_int_equal(settings_store_discard(s, "x", &error), 0);
        assert_int_equal(settings_store_discard(s, "../x", &error), -EINVAL);
        assert_tx_list(s, "[\"y\"]");
        assert_live(s, "{}");
}

static void test_quoted_keys_and_prefixes(void **state) {
        _cleanup_(settings_store_closep) SettingsStore *s = open_store();
        _cleanup_(json_object_putp) struct json_object *t = NULL;
        const char *p1[] = { "settings.network" };
        const char *p2[] = { "settings.net" };
        const char *p3[] = { "settings.kernel.sysctl.\"net.ipv4.ip_forward\"", "settings.motd" };
        const char *bad[] = { "settings.\"net" };

        set_pending(s, "default",
                    "{\"kernel\": {\"sysctl\": {\"net.ipv4.ip_forward\": \"1\", \"vm.x\": \"2\"}},"
                    " \"network\": {\"hostname\": \"h\"}, \"networkx\": 1, \"motd\": \"m\"}");
        commit(s, "default", NULL,
               "[\"settings.kernel.sysctl.\\\"net.ipv4.ip_forward\\\"\",\"settings.kernel.sysctl.\\\"vm."
               "x\\\"\","
               "\"settings.motd\",\"settings.network.hostname\",\"settings.networkx\"]");
        assert_int_equal(settings_store_get_live(s, p1, 1, &t, &error), 0);
        assert_string_equal(plain(t), "{\"network\":{\"hostname\":\"h\"}}");
        json_object_put(t);
        assert_int_equal(settings_store_get_live(s, p2, 1, &t, &error), 0);
        assert_string_equal(plain(t), "{}");
        json_object_put(t);
        assert_int_equal(settings_store_get_live(s, p3, 2, &t, &error), 0);
        assert_string_equal(plain(t),
                            "{\"kernel\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}},\"motd\":\"m\"}");
        json_object_put(t);
        t = NULL;
        assert_int_equal(settings_store_get_live(s, bad, 1, &t, &error), -EINVAL);
        assert_null(t);
}

static void test_try_revert_confirm(void **state) {
        _cleanup_(settings_store_closep) SettingsStore *s = open_store();
        _cleanup_(json_object_putp) struct json_object *c = NULL;

        set_pending(s, "default", "{\"motd\": \"old\"}");
        commit(s, "default", NULL, "[\"settings.motd\"]");
        set_pending(s, "default", "{\"motd\": \"new\", \"network\": {\"hostname\": \"added\"}}");
        commit(s, "default", "try1", "[\"settings.motd\",\"settings.network.hostname\"]");
        assert_live(s, "{\"motd\":\"new\",\"network\":{\"hostname\":\"added\"}}");
        assert_int_equal(settings_store_revert(s, "try1", &c, &error), 0);
        assert_string_equal(plain(c), "[\"settings.motd\",\"settings.network.hostname\"]");
        assert_live(s, "{\"motd\":\"old\"}");
        assert_int_equal(settings_store_revert(s, "try1", NULL, &error), -ENOENT);

        set_pending(s, "default", "{\"motd\": \"kept\"}");
        commit(s, "default", "try2", "[\"settings.motd\"]");
        /* A snapshot name in use refuses the commit whole: the transaction stays pending. */
        set_pending(s, "other", "{\"motd\": \"other\"}");
        assert_int_equal(settings_store_commit(s, "other", "try2", NULL, &error), -EEXIST);
        assert_tx_list(s, "[\"other\"]");
        assert_int_equal(settings_store_confirm(s, "try2", &error), 0);
        assert_int_equal(settings_store_confirm(s, "try2", &error), -ENOENT);
        assert_int_equal(settings_store_revert(s, "try2", NULL, &error), -ENOENT);
        assert_live(s, "{\"motd\":\"kept\"}");
}

static void test_defaults(void **state) {
        _cleanup_(settings_store_closep) SettingsStore *s = open_store();
        _cleanup_(settings_model_freep) SettingsModel *m = NULL;
        _cleanup_(json_object_putp) struct json_object *d1 = NULL, *d2 = NULL, *c = NULL, *live = NULL;
        const char *dir = getenv("SETTINGS_MODELS_DIR") ?: "models";
        struct json_object *v;
        int64_t seed;

        assert_int_equal(settings_model_load(dir, "qemu", &m, &error), 0);
        set_pending(s, "default", "{\"motd\": \"mine\"}");
        commit(s, "default", NULL, "[\"settings.motd\"]");
        assert_int_equal(settings_model_defaults(m, &d1), 0);
        assert_int_equal(settings_store_set_defaults(s, d1, &c, &error), 0);
        assert_true(json_object_array_length(c) > 10);
        assert_null(strstr(plain(c), "\"settings.motd\""));
        assert_non_null(strstr(plain(c), "\"settings.updates.seed\""));
        json_object_put(c);
        assert_int_equal(settings_store_get_live(s, NULL, 0, &live, &error), 0);
        assert_string_equal(json_object_get_string(json_object_object_get(live, "motd")), "mine");
        assert_int_equal(settings_model_validate(m, live, &error), 0);
        seed = json_object_get_int64(
                json_object_object_get(json_object_object_get(live, "updates"), "seed"));
        json_object_put(live);

        /* Defaults again (a later boot): nothing changes, the seed drawn first stays. */
        for (int i = 0; i < 5; i++) {
                assert_int_equal(settings_model_defaults(m, &d2), 0);
                assert_int_equal(settings_store_set_defaults(s, d2, &c, &error), 0);
                assert_string_equal(plain(c), "[]");
                d2 = (json_object_put(d2), NULL);
                c = (json_object_put(c), NULL);
        }
        assert_int_equal(settings_store_get_live(s, NULL, 0, &live, &error), 0);
        v = json_object_object_get(json_object_object_get(live, "updates"), "seed");
        assert_int_equal(json_object_get_int64(v), seed);
}

static void test_metadata(void **state) {
        _cleanup_(settings_store_closep) SettingsStore *s = open_store();
        _cleanup_(json_object_putp) struct json_object *v = parse("{\"status\": \"ok\", \"errors\": []}");
        struct json_object *got = NULL;

        assert_int_equal(settings_store_metadata_get(s, "user-data", &got, &error), -ENOENT);
        assert_int_equal(settings_store_metadata_set(s, "user-data", v, &error), 0);
        assert_int_equal(settings_store_metadata_get(s, "user-data", &got, &error), 0);
        assert_string_equal(plain(got), "{\"status\":\"ok\",\"errors\":[]}");
        json_object_put(got);
        assert_int_equal(settings_store_metadata_set(s, "", v, &error), -EINVAL);
}

static void test_persistence(void **state) {
        SettingsStore *s = open_store();

        set_pending(s, "default", "{\"motd\": \"persisted\"}");
        commit(s, "default", NULL, "[\"settings.motd\"]");
        set_pending(s, "later", "{\"motd\": \"pending\"}");
        set_pending(s, "trying", "{\"network\": {\"hostname\": \"h\"}}");
        commit(s, "trying", "snap", "[\"settings.network.hostname\"]");
        s = settings_store_close(s);

        s = open_store();
        assert_live(s, "{\"motd\":\"persisted\",\"network\":{\"hostname\":\"h\"}}");
        assert_tx_list(s, "[\"later\"]");
        assert_int_equal(settings_store_revert(s, "snap", NULL, &error), 0);
        assert_live(s, "{\"motd\":\"persisted\"}");
        settings_store_close(s);
}

static void test_two_connections(void **state) {
        _cleanup_(settings_store_closep) SettingsStore *a = open_store(), *b = open_store();
        _cleanup_(json_object_putp) struct json_object *t = NULL;
        sqlite3 *raw;

        set_pending(a, "one", "{\"motd\": \"a\"}");
        assert_pending(b, "one", "{\"motd\":\"a\"}");
        commit(b, "one", NULL, "[\"settings.motd\"]");
        assert_live(a, "{\"motd\":\"a\"}");

        /* A writer holding the database: readers go on (WAL), writers wait and then give up with -EBUSY. */
        assert_int_equal(sqlite3_open(db_path, &raw), SQLITE_OK);
        assert_int_equal(sqlite3_exec(raw, "BEGIN IMMEDIATE; INSERT INTO live VALUES ('settings.x', '1')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        assert_int_equal(settings_store_set_busy_timeout(b, 50), 0);
        assert_live(b, "{\"motd\":\"a\"}");
        t = parse("{\"motd\": \"b\"}");
        assert_int_equal(settings_store_set_pending(b, "two", t, &error), -EBUSY);
        assert_int_equal(sqlite3_exec(raw, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(raw);
        assert_int_equal(settings_store_set_pending(b, "two", t, &error), 0);
        commit(a, "two", NULL, "[\"settings.motd\"]");
        assert_live(b, "{\"motd\":\"b\"}");
}

#define ROUNDS 40

/* Each process commits ROUNDS transactions, each writing its own counter twice and the shared motd. */
static int writer(unsigned id) {
        _cleanup_(settings_store_closep) SettingsStore *s = NULL;
        char tx[16], tree[256];

        if (settings_store_open(db_path, &s, &error) < 0)
                return 1;
        for (unsigned n = 1; n <= ROUNDS; n++) {
                _cleanup_(json_object_putp) struct json_object *t = NULL;

                if (!snprintf_ok(tx, "w%u", id) ||
                    !snprintf_ok(tree,
                                 "{\"motd\": \"w%u-%u\", \"kernel\": {\"sysctl\": {\"a.w%u\": \"%u\", "
                                 "\"b.w%u\": \"%u\"}}}",
                                 id, n, id, n, id, n))
                        return 1;
                t = json_tokener_parse(tree);
                if (settings_store_set_pending(s, tx, t, &error) < 0 ||
                    settings_store_commit(s, tx, NULL, NULL, &error) < 0) {
                        fprintf(stderr, "writer %u round %u: %s\n", id, n, error.message);
                        return 1;
                }
        }
        return 0;
}

static void test_two_processes(void **state) {
        _cleanup_(settings_store_closep) SettingsStore *s = open_store();
        _cleanup_(json_object_putp) struct json_object *live = NULL;
        pid_t pids[2];
        const char *motd;

        for (unsigned i = 0; i < 2; i++) {
                pids[i] = fork();
                assert_true(pids[i] >= 0);
                if (pids[i] == 0)
                        _exit(writer(i));
        }
        for (unsigned i = 0; i < 2; i++) {
                int status;

                assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
                assert_true(WIFEXITED(status));
                assert_int_equal(WEXITSTATUS(status), 0);
        }
        assert_int_equal(settings_store_get_live(s, NULL, 0, &live, &error), 0);
        assert_string_equal(plain(json_object_object_get(json_object_object_get(live, "kernel"), "sysctl")),
                            "{\"a.w0\":\"40\",\"a.w1\":\"40\",\"b.w0\":\"40\",\"b.w1\":\"40\"}");
        motd = json_object_get_string(json_object_object_get(live, "motd"));
        assert_true(streq(motd, "w0-40") || streq(motd, "w1-40"));
        assert_tx_list(s, "[]");
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_open_schema, setup_db),
                cmocka_unit_test_setup(test_transactions_isolated, setup_db),
                cmocka_unit_test_setup(test_merge_and_unchanged, setup_db),
                cmocka_unit_test_setup(test_discard, setup_db),
                cmocka_unit_test_setup(test_quoted_keys_and_prefixes, setup_db),
                cmocka_unit_test_setup(test_try_revert_confirm, setup_db),
                cmocka_unit_test_setup(test_defaults, setup_db),
                cmocka_unit_test_setup(test_metadata, setup_db),
                cmocka_unit_test_setup(test_persistence, setup_db),
                cmocka_unit_test_setup(test_two_connections, setup_db),
                cmocka_unit_test_setup(test_two_processes, setup_db),
        };
        int r;

        if (!mkdtemp(tmpdir))
                return 1;
        r = cmocka_run_group_tests(tests, NULL, NULL);
        (void) nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
        return r;
}
