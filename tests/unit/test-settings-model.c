/* SPDX-License-Identifier: MIT */
/* libsettings' model: key paths, every type with good and bad values, defaults per variant, metadata, and
 * model files that must be refused. The repository's models/ comes in through $SETTINGS_MODELS_DIR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <json-c/json.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"
#include "settings-internal.h"

static SettingsModel *model;
static SettingsError error;

static const char *models_dir(void) {
        const char *d = getenv("SETTINGS_MODELS_DIR");

        return d ?: "models";
}

static struct json_object *parse(const char *text) {
        struct json_object *j = json_tokener_parse(text);

        if (!j && !streq(text, "null"))
                fail_msg("bad test JSON: %s", text);
        return j;
}

static void assert_valid_in(const SettingsModel *m, const char *tree) {
        _cleanup_(json_object_putp) struct json_object *j = parse(tree);

        if (settings_model_validate(m, j, &error) < 0)
                fail_msg("%s refused: %s: %s", tree, error.key, error.message);
}

static void assert_valid(const char *tree) {
        assert_valid_in(model, tree);
}

/* Refused, at key, with a message containing reason. */
static void assert_invalid_in(const SettingsModel *m, const char *tree, const char *key,
                              const char *reason) {
        _cleanup_(json_object_putp) struct json_object *j = parse(tree);

        memset(&error, 0, sizeof(error));
        if (settings_model_validate(m, j, &error) != -EINVAL)
                fail_msg("%s accepted", tree);
        if (!streq(error.key, key) || !strstr(error.message, reason))
                fail_msg("%s: got '%s: %s', expected '%s: …%s…'", tree, error.key, error.message, key,
                         reason);
}

static void assert_invalid(const char *tree, const char *key, const char *reason) {
        assert_invalid_in(model, tree, key, reason);
}

static int setup(void **state) {
        return settings_model_load(models_dir(), "qemu", &model, &error) < 0 ? -1 : 0;
}

static int teardown(void **state) {
        model = settings_model_free(model);
        return 0;
}

static void test_key_round_trip(void **state) {
        static const struct {
                const char *text;
                size_t n;
                const char *last;
        } good[] = {
                { "settings", 0, NULL },
                { "settings.motd", 1, "motd" },
                { "settings.kernel.sysctl.\"net.ipv4.ip_forward\"", 3, "net.ipv4.ip_forward" },
                { "settings.a.\"\"", 2, "" },
                { "settings.a.\"with space\"", 2, "with space" },
                { "settings.a.\"q\\\"b\\\\s\"", 2, "q\"b\\s" },
                { "settings.host-containers.my_admin:1", 2, "my_admin:1" },
                { "settings.x.\"caf\xc3\xa9\"", 2, "caf\xc3\xa9" },
        };
        static const char *const bad[] = {
                "",
                "setting",
                "settingsx",
                "settings.",
                "settings..a",
                "settings.a.",
                ".settings",
                "settings.\"a\"",
                "settings.\"a",
                "settings.\"a\"b",
                "settings.\"a\\x\"",
                "settings.a\"b\"",
                "settings.a b",
                "settings.\"a\tb\"",
                "Settings.a",
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                _cleanup_(settings_key_done) SettingsKey k = {};
                _cleanup_free_ char *back = NULL;

                if (settings_key_parse(good[i].text, &k, &error) < 0)
                        fail_msg("'%s' refused: %s", good[i].text, error.message);
                assert_int_equal(k.n, good[i].n);
                if (good[i].last)
                        assert_string_equal(k.names[k.n - 1], good[i].last);
                assert_int_equal(settings_key_format(k.names, k.n, &back), 0);
                assert_string_equal(back, good[i].text);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                SettingsKey k = {};

                if (settings_key_parse(bad[i], &k, &error) != -EINVAL)
                        fail_msg("'%s' accepted", bad[i]);
        }
}

static void test_key_limits(void **state) {
        char text[SETTINGS_KEY_MAX_LENGTH + 16] = "settings";
        SettingsKey k = {};
        char *names[] = { "a\nb" };
        char *out = NULL;

        for (int i = 0; i < SETTINGS_KEY_MAX_DEPTH + 1; i++)
                strcat(text, ".a");
        assert_int_equal(settings_key_parse(text, &k, &error), -EINVAL);
        assert_non_null(strstr(error.message, "deeper"));
        memset(text + 8, 'a', sizeof(text) - 9);
        text[8] = '.';
        text[sizeof(text) - 1] = 0;
        assert_int_equal(settings_key_parse(text, &k, &error), -EINVAL);
        assert_int_equal(settings_key_format(names, 1, &out), -EINVAL);
}

static void test_strings(void **state) {
        assert_valid("{\"motd\": \"hello\"}");
        assert_valid("{}");
        assert_invalid("{\"motd\": 5}", "settings.motd", "not a string");
        assert_invalid("{\"motd\": null}", "settings.motd", "not a string");
        assert_invalid("{\"motd\": [\"a\"]}", "settings.motd", "not a string");
        assert_invalid("{\"motd\": \"a\\u0000b\"}", "settings.motd", "not a string");
        assert_valid("{\"updates\": {\"version-lock\": \"v1.2.3\"}}");
        assert_invalid("{\"updates\": {\"version-lock\": \"1.2\"}}", "settings.updates.version-lock",
                       "does not match");
        /* The pattern is anchored by the loader: a match inside the string is not enough. */
        assert_invalid("{\"updates\": {\"version-lock\": \"xlatest\"}}", "settings.updates.version-lock",
                       "does not match");
        assert_invalid("{\"kernel\": {\"sysctl\": {\"vm.x\": \"1\\n2\"}}}",
                       "settings.kernel.sysctl.\"vm.x\"", "does not match");
}

static void test_string_length(void **state) {
        char tree[9000];
        size_t l = (size_t) snprintf(tree, sizeof(tree), "{\"motd\": \"");

        memset(tree + l, 'x', 8192);
        strcpy(tree + l + 8192, "\"}");
        assert_valid(tree);
        strcpy(tree + l + 8192, "y\"}");
        assert_invalid(tree, "settings.motd", "longer than 8192 bytes");
}

static void test_integers_and_bools(void **state) {
        assert_valid("{\"updates\": {\"seed\": 0}}");
        assert_valid("{\"updates\": {\"seed\": 2047}}");
        assert_invalid("{\"updates\": {\"seed\": 2048}}", "settings.updates.seed", "not between 0 and 2047");
        assert_invalid("{\"updates\": {\"seed\": -1}}", "settings.updates.seed", "not between");
        assert_invalid("{\"updates\": {\"seed\": \"5\"}}", "settings.updates.seed", "not an integer");
        assert_invalid("{\"updates\": {\"seed\": 1.5}}", "settings.updates.seed", "not an integer");
        assert_invalid("{\"updates\": {\"seed\": 99999999999999999999999}}", "settings.updates.seed", "");
        assert_valid("{\"updates\": {\"ignore-waves\": true}}");
        assert_invalid("{\"updates\": {\"ignore-waves\": \"true\"}}", "settings.updates.ignore-waves",
                       "not a boolean");
        assert_invalid("{\"updates\": {\"ignore-waves\": 1}}", "settings.updates.ignore-waves",
                       "not a boolean");
}

static void test_enums(void **state) {
        assert_valid("{\"kernel\": {\"lockdown\": \"confidentiality\"}}");
        assert_invalid("{\"kernel\": {\"lockdown\": \"off\"}}", "settings.kernel.lockdown",
                       "not one of: none, integrity, confidentiality");
        assert_invalid("{\"kernel\": {\"lockdown\": true}}", "settings.kernel.lockdown",
                       "not one of its values");
        assert_valid("{\"bootstrap-containers\": {\"b\": {\"mode\": \"once\"}}}");
        assert_invalid("{\"bootstrap-containers\": {\"b\": {\"mode\": \"Once\"}}}",
                       "settings.bootstrap-containers.b.mode", "not one of");
}

static void test_base64(void **state) {
        assert_valid("{\"pki\": {\"ca\": {\"data\": \"aGk=\", \"trusted\": true}}}");
        assert_valid("{\"pki\": {\"ca\": {\"data\": \"aGVsbG8h\"}}}");
        assert_valid("{\"host-containers\": {\"admin\": {\"user-data\": \"a+/b\"}}}");
        static const char *const bad[] = { "aGk", "a===", "****", "aG=k", "aGk=\\n", "aGk= " };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char tree[128];

                assert_true(snprintf_ok(tree, "{\"pki\": {\"ca\": {\"data\": \"%s\"}}}", bad[i]));
                assert_invalid(tree, "settings.pki.ca.data", "not base64 data");
        }
}

static void test_urls(void **state) {
        static const char *const good[] = {
                "https://example.com",     "http://example.com/", "https://a.b:8443/x/y?z=1#f",
                "http://10.0.2.2:8080/m/", "http://[::1]:8080/",  "https://[2001:db8::1]/",
                "https://localhost",
        };
        static const char *const bad[] = {
                "ftp://example.com",   "https://",          "https:///x",          "https://a b",
                "https://u:p@host/",   "https://host:0/",   "https://host:70000/", "https://host:/",
                "example.com",         "https://-a.com/",   "https://[::g]/",      "https://host/\\u00e9",
                "HTTPS://example.com", "https://a.com:80x",
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                assert_true(settings_is_url(good[i]));
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char tree[256];

                assert_true(snprintf_ok(tree, "{\"updates\": {\"metadata-base-url\": \"%s\"}}", bad[i]));
                assert_invalid(tree, "settings.updates.metadata-base-url", "not a URL");
        }
}

static void test_ips_and_hostnames(void **state) {
        char label64[80], long_name[300];

        assert_valid("{\"dns\": {\"name-servers\": [\"1.1.1.1\", \"2001:db8::1\"]}}");
        assert_invalid("{\"dns\": {\"name-servers\": [\"1.1.1.1\", \"1.1.1\"]}}",
                       "settings.dns.name-servers[1]", "not an IP address");
        assert_invalid("{\"dns\": {\"name-servers\": [\"::g\"]}}", "settings.dns.name-servers[0]",
                       "not an IP");
        assert_invalid("{\"dns\": {\"name-servers\": [\"1.1.1.1/32\"]}}", "settings.dns.name-servers[0]",
                       "not an IP");
        assert_valid("{\"network\": {\"hostname\": \"node-1.example.com\"}}");
        assert_valid("{\"network\": {\"hostname\": \"1node\"}}");
        assert_valid("{\"dns\": {\"search-list\": [\"example.com.\"]}}");
        static const char *const bad[] = { "-a", "a-", "a..b", "a_b", "", ".", "a b", "ä" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char tree[128];

                assert_true(snprintf_ok(tree, "{\"network\": {\"hostname\": \"%s\"}}", bad[i]));
                assert_invalid(tree, "settings.network.hostname", "not a hostname");
        }
        memset(label64, 'a', 64);
        label64[64] = 0;
        assert_false(settings_is_hostname(label64));
        label64[63] = 0;
        assert_true(settings_is_hostname(label64));
        memset(long_name, 'a', sizeof(long_name));
        for (size_t i = 50; i < 254; i += 50)
                long_name[i] = '.';
        long_name[254] = 0;
        assert_false(settings_is_hostname(long_name));
        long_name[253] = 0;
        assert_true(settings_is_hostname(long_name));
}

static void test_cidrs(void **state) {
        static const char *const good[] = { "10.0.0.0/8",    "0.0.0.0/0", "1.2.3.4/32",
                                            "2001:db8::/32", "::/0",      "::1/128" };
        static const char *const bad[] = { "10.0.0.0",      "10.0.0.0/33", "10.0.0.0/", "/8",
                                           "10.0.0.0/-1",   "10.0.0.0/8x", "::1/129",   "10.0.0/8",
                                           "10.0.0.0/0008", "a/8" };

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                if (!settings_is_cidr(good[i]))
                        fail_msg("'%s' refused", good[i]);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (settings_is_cidr(bad[i]))
                        fail_msg("'%s' accepted", bad[i]);
}

static void test_lists(void **state) {
        assert_valid("{\"ntp\": {\"time-servers\": [\"pool.ntp.org\", \"https://time.example.com/\"]}}");
        assert_valid("{\"ntp\": {\"time-servers\": []}}");
        assert_invalid("{\"ntp\": {\"time-servers\": [\"ok.example\", \"not a host\"]}}",
                       "settings.ntp.time-servers[1]", "not a hostname or URL");
        assert_invalid("{\"ntp\": {\"time-servers\": \"pool.ntp.org\"}}", "settings.ntp.time-servers",
                       "not a list");
        assert_invalid(
                "{\"ntp\": {\"time-servers\": [\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\","
                "\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]}}",
                "settings.ntp.time-servers", "more than 16 items");
        assert_valid("{\"container-registry\": {\"mirrors\": [{\"registry\": \"docker.io\", "
                     "\"endpoint\": [\"https://mirror.example/\"]}]}}");
        assert_invalid("{\"container-registry\": {\"mirrors\": [{\"registry\": \"docker.io\"}]}}",
                       "settings.container-registry.mirrors[0]", "missing 'endpoint'");
        assert_invalid(
                "{\"container-registry\": {\"mirrors\": [{\"registry\": \"docker.io\", \"endpoint\": []}]}}",
                "settings.container-registry.mirrors[0].endpoint", "fewer than 1 items");
        assert_invalid("{\"container-registry\": {\"credentials\": [{\"registry\": \"r.io\", \"x\": 1}]}}",
                       "settings.container-registry.credentials[0].x", "unknown key");
        assert_valid("{\"oci-defaults\": {\"resource-limits\": {\"max-processes\": {\"hard-limit\": "
                     "\"unlimited\", "
                     "\"soft-limit\": -1}}}}");
        assert_invalid(
                "{\"oci-defaults\": {\"resource-limits\": {\"max-processes\": {\"hard-limit\": -2}}}}",
                "settings.oci-defaults.resource-limits.max-processes.hard-limit",
                "not an integer or one of its values");
}

/* settings.updates.maintenance-window (docs/decisions/0012-automatic-updates.md). */
static void test_maintenance_window(void **state) {
        assert_valid("{\"updates\": {\"automatic\": false, \"maintenance-window\": {\"days\": [\"sat\", "
                     "\"sun\"], \"start-time\": \"22:30\", \"length-minutes\": 180}}}");
        assert_valid("{\"updates\": {\"maintenance-window\": {\"start-time\": \"00:00\", "
                     "\"length-minutes\": 1440}}}");
        assert_valid("{\"updates\": {\"maintenance-window\": {\"start-time\": \"23:59\", "
                     "\"length-minutes\": 30}}}");
        assert_invalid("{\"updates\": {\"maintenance-window\": {\"days\": []}}}",
                       "settings.updates.maintenance-window.days", "fewer than 1 items");
        assert_invalid("{\"updates\": {\"maintenance-window\": {\"days\": [\"mon\", \"Tue\"]}}}",
                       "settings.updates.maintenance-window.days[1]", "not one of");
        assert_invalid("{\"updates\": {\"maintenance-window\": {\"days\": [\"mon\", \"tue\", \"wed\", "
                       "\"thu\", \"fri\", \"sat\", \"sun\", \"mon\"]}}}",
                       "settings.updates.maintenance-window.days", "more than 7 items");
        static const char *const bad_times[] = { "24:00", "3:00", "03:60", "0300", "03:00Z", "" };
        for (size_t i = 0; i < ELEMENTSOF(bad_times); i++) {
                char tree[128];
                assert_true(snprintf_ok(tree,
                                        "{\"updates\": {\"maintenance-window\": {\"start-time\": "
                                        "\"%s\"}}}",
                                        bad_times[i]));
                assert_invalid(tree, "settings.updates.maintenance-window.start-time", "does not match");
        }
        /* No empty window, and none so short that the timer (every 15 to 20 minutes) could miss it. */
        assert_invalid("{\"updates\": {\"maintenance-window\": {\"length-minutes\": 0}}}",
                       "settings.updates.maintenance-window.length-minutes", "not between 30 and 1440");
        assert_invalid("{\"updates\": {\"maintenance-window\": {\"length-minutes\": 29}}}",
                       "settings.updates.maintenance-window.length-minutes", "not between 30 and 1440");
        assert_invalid("{\"updates\": {\"maintenance-window\": {\"length-minutes\": 1441}}}",
                       "settings.updates.maintenance-window.length-minutes", "not between 30 and 1440");
        assert_invalid("{\"updates\": {\"maintenance-window\": {\"length\": 60}}}",
                       "settings.updates.maintenance-window.length", "unknown key");
        assert_invalid("{\"updates\": {\"automatic\": \"yes\"}}", "settings.updates.automatic",
                       "not a boolean");
}

static void test_maps_and_unknown_keys(void **state) {
        assert_valid("{\"kernel\": {\"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}, "
                     "\"modules\": {\"sctp\": {\"allowed\": false}}}}");
        assert_invalid("{\"kernel\": {\"sysctl\": {\"net.ipv4.ip_forward\": 1}}}",
                       "settings.kernel.sysctl.\"net.ipv4.ip_forward\"", "not a string");
        assert_invalid("{\"host-containers\": {\"bad name\": {\"enabled\": true}}}",
                       "settings.host-containers.\"bad name\"", "name does not match");
        assert_invalid("{\"host-containers\": {\"admin\": {\"enabled\": true, \"colour\": \"red\"}}}",
                       "settings.host-containers.admin.colour", "unknown key");
        assert_invalid("{\"nosuch\": 1}", "settings.nosuch", "unknown key");
        assert_invalid("{\"network\": {\"hostname\": \"a\", \"x.y\": 1}}", "settings.network.\"x.y\"",
                       "unknown key");
        assert_invalid("{\"network\": 5}", "settings.network", "not an object");
        assert_invalid("[]", "settings", "not an object");
        assert_invalid(
                "{\"oci-defaults\": {\"capabilities\": {\"sys-admin\": true, \"cap-sys-admin\": true}}}",
                "settings.oci-defaults.capabilities.cap-sys-admin", "name does not match");
}

static void test_defaults(void **state) {
        _cleanup_(settings_model_freep) SettingsModel *base = NULL;
        _cleanup_(json_object_putp) struct json_object *d = NULL, *bd = NULL;
        struct json_object *v;
        int64_t seed;

        assert_int_equal(settings_model_defaults(model, &d), 0);
        assert_int_equal(settings_model_validate(model, d, &error), 0);
        assert_non_null(v = json_object_object_get(d, "motd"));
        assert_string_equal(json_object_get_string(v), "Welcome to Bulkhead (qemu)!");
        v = json_object_object_get(json_object_object_get(d, "updates"), "seed");
        assert_true(json_object_is_type(v, json_type_int));
        seed = json_object_get_int64(v);
        assert_true(seed >= 0 && seed <= 2047);
        v = json_object_object_get(json_object_object_get(d, "updates"), "metadata-base-url");
        assert_string_equal(json_object_get_string(v), "http://10.0.2.2:8080/metadata/");
        /* Automatic updates are on, every day from 03:00 UTC for two hours. */
        v = json_object_object_get(json_object_object_get(d, "updates"), "automatic");
        assert_true(json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v));
        v = json_object_object_get(json_object_object_get(d, "updates"), "maintenance-window");
        assert_string_equal(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
                            "{\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"],"
                            "\"start-time\":\"03:00\",\"length-minutes\":120}");
        v = json_object_object_get(json_object_object_get(d, "kernel"), "lockdown");
        assert_string_equal(json_object_get_string(v), "integrity");
        v = json_object_object_get(
                json_object_object_get(json_object_object_get(d, "host-containers"), "control"), "enabled");
        assert_true(json_object_get_boolean(v));
        v = json_object_object_get(
                json_object_object_get(json_object_object_get(d, "host-containers"), "admin"), "enabled");
        assert_false(json_object_get_boolean(v));

        /* Without the variant: the base's own defaults. */
        assert_int_equal(settings_model_load(models_dir(), NULL, &base, &error), 0);
        assert_int_equal(settings_model_defaults(base, &bd), 0);
        assert_string_equal(json_object_get_string(json_object_object_get(bd, "motd")),
                            "Welcome to Bulkhead!");
        v = json_object_object_get(json_object_object_get(bd, "ntp"), "time-servers");
        assert_int_equal(json_object_array_length(v), 4);
        assert_null(json_object_object_get(json_object_object_get(bd, "network"), "hostname"));
}

static void test_metadata(void **state) {
        _cleanup_(json_object_putp) struct json_object *s = NULL, *keys = NULL, *services = NULL,
                                                       *files = NULL;
        struct json_object *f, *p;

        assert_int_equal(settings_model_key_services(model, "settings.motd", &s, &error), 0);
        assert_string_equal(json_object_to_json_string(s), "[ \"motd\" ]");
        json_object_put(s);
        assert_int_equal(settings_model_key_services(model, "settings.kernel.sysctl.\"net.ipv4.ip_forward\"",
                                                     &s, &error),
                         0);
        assert_string_equal(json_object_to_json_string(s), "[ \"sysctl\" ]");
        json_object_put(s);
        assert_int_equal(settings_model_key_services(model, "settings.kernel", &s, &error), 0);
        assert_string_equal(json_object_to_json_string(s),
                            "[ \"kernel-modules\", \"lockdown\", \"sysctl\" ]");
        json_object_put(s);
        s = NULL;
        assert_int_equal(settings_model_key_services(model, "settings.nosuch", &s, &error), -ENOENT);
        assert_int_equal(
                settings_model_key_services(model, "settings.host-containers.\"a b\".x", &s, &error),
                -ENOENT);
        assert_int_equal(settings_model_key_services(model, "settings.motd.x", &s, &error), -ENOENT);
        assert_int_equal(settings_model_key_services(model, "nope", &s, &error), -EINVAL);

        keys = parse("[\"settings.ntp.time-servers\", \"settings.motd\", \"settings.pki.ca.data\"]");
        assert_int_equal(settings_model_affected(model, keys, &services, &files, &error), 0);
        assert_int_equal(json_object_object_length(services), 3);
        assert_true(json_object_object_get_ex(services, "pki", &f));
        assert_true(json_object_object_get_ex(f, "restart-units", &p));
        assert_string_equal(json_object_get_string(json_object_array_get_idx(p, 0)), "containerd.service");
        assert_int_equal(json_object_object_length(files), 3);
        assert_true(json_object_object_get_ex(files, "timesyncd", &f));
        assert_true(json_object_object_get_ex(f, "path", &p));
        assert_string_equal(json_object_get_string(p), "/etc/systemd/timesyncd.conf.d/10-bulkhead.conf");
        assert_non_null(settings_model_services(model));
        assert_non_null(settings_model_files(model));
}

/* A model directory of our own, for variants that add keys and for malformed models. */
static char tmpdir[] = "/tmp/test-settings-model.XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void write_model(const char *base, const char *variant) {
        char path[256];

        assert_true(snprintf_ok(path, "%s/variants", tmpdir));
        (void) mkdir(path, 0755);
        assert_true(snprintf_ok(path, "%s/base.json", tmpdir));
        assert_int_equal(write_file_atomic(path, base, strlen(base), 0644), 0);
        assert_true(snprintf_ok(path, "%s/variants/v.json", tmpdir));
        assert_int_equal(write_file_atomic(path, variant, strlen(variant), 0644), 0);
}

static const char small_base[] =
        "{\"format\": 1, \"configuration-files\": {\"f\": {\"path\": \"/etc/f\", \"template\": \"f\", "
        "\"mode\": \"0640\"}},"
        " \"services\": {\"s\": {\"configuration-files\": [\"f\"]}},"
        " \"settings\": {\"a\": {\"type\": \"object\", \"services\": [\"s\"], \"fields\": {"
        "   \"b\": {\"type\": \"string\", \"min-length\": 2, \"default\": \"bb\"},"
        "   \"net\": {\"type\": \"cidr\"}, \"n\": {\"type\": \"integer\", \"min\": 1, \"max\": 9}}}}}";

static void test_variant_adds_keys(void **state) {
        _cleanup_(settings_model_freep) SettingsModel *m = NULL;
        _cleanup_(json_object_putp) struct json_object *d = NULL;

        write_model(small_base, "{\"format\": 1, \"settings\": {\"a\": {\"type\": \"object\", \"fields\": {"
                                "   \"extra\": {\"type\": \"bool\", \"default\": true}}}},"
                                " \"defaults\": {\"a\": {\"b\": \"variant\"}}}");
        assert_int_equal(settings_model_load(tmpdir, "v", &m, &error), 0);
        assert_valid_in(m, "{\"a\": {\"extra\": false, \"b\": \"xy\", \"net\": \"10.0.0.0/8\"}}");
        assert_invalid_in(m, "{\"a\": {\"b\": \"x\"}}", "settings.a.b", "shorter than 2 bytes");
        assert_invalid_in(m, "{\"a\": {\"net\": \"10.0.0.0\"}}", "settings.a.net", "not a CIDR block");
        assert_invalid_in(m, "{\"a\": {\"n\": 10}}", "settings.a.n", "not between 1 and 9");
        assert_int_equal(settings_model_defaults(m, &d), 0);
        assert_string_equal(json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN),
                            "{\"a\":{\"b\":\"variant\",\"extra\":true}}");
        m = settings_model_free(m);
        /* The base alone does not have the variant's key. */
        assert_int_equal(settings_model_load(tmpdir, NULL, &m, &error), 0);
        assert_invalid_in(m, "{\"a\": {\"extra\": false}}", "settings.a.extra", "unknown key");
        m = settings_model_free(m);
        assert_int_equal(settings_model_load(tmpdir, "nosuch", &m, &error), -ENOENT);
        assert_int_equal(settings_model_load(tmpdir, "../v", &m, &error), -EINVAL);
}

static void test_bad_models(void **state) {
        static const char *const bad_variants[] = {
                "not json",
                "{\"format\": 2}",
                "{\"format\": 1, \"unknown\": 1}",
                "{\"format\": 1, \"settings\": {\"x\": {\"type\": \"string\", \"max-lenght\": 3}}}",
                "{\"format\": 1, \"settings\": {\"x\": {\"type\": \"strung\"}}}",
                "{\"format\": 1, \"settings\": {\"x\": {\"type\": \"string\", \"pattern\": \"(\"}}}",
                "{\"format\": 1, \"settings\": {\"x\": {\"type\": \"string\", \"services\": [\"nosuch\"]}}}",
                "{\"format\": 1, \"settings\": {\"x\": {\"type\": \"integer\", \"min\": 5, \"max\": 1}}}",
                "{\"format\": 1, \"settings\": {\"x\": {\"type\": \"list\", \"items\": {\"type\": \"bool\", "
                "\"default\": true}}}}",
                "{\"format\": 1, \"settings\": {\"x\": {\"type\": \"map\", \"values\": {\"type\": "
                "\"bool\"}}}}",
                "{\"format\": 1, \"settings\": {\"x\": {\"type\": \"one-of\", \"types\": [{\"type\": "
                "\"bool\"}]}}}",
                "{\"format\": 1, \"settings\": {\"x\": {\"type\": \"integer\", \"generate\": \"random\"}}}",
                "{\"format\": 1, \"defaults\": {\"a\": {\"b\": \"x\"}}}",
                "{\"format\": 1, \"defaults\": {\"nosuch\": 1}}",
                "{\"format\": 1, \"services\": {\"t\": {\"configuration-files\": [\"nofile\"]}}}",
                "{\"format\": 1, \"configuration-files\": {\"g\": {\"path\": \"etc/g\", \"template\": "
                "\"g\", "
                "\"mode\": \"0644\"}}}",
                "{\"format\": 1, \"configuration-files\": {\"g\": {\"path\": \"/etc/g\", \"template\": "
                "\"../g\", "
                "\"mode\": \"0644\"}}}",
                "{\"format\": 1, \"configuration-files\": {\"g\": {\"path\": \"/etc/g\", \"template\": "
                "\"g\", "
                "\"mode\": \"0999\"}}}",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad_variants); i++) {
                SettingsModel *m = NULL;

                write_model(small_base, bad_variants[i]);
                memset(&error, 0, sizeof(error));
                if (settings_model_load(tmpdir, "v", &m, &error) != -EINVAL)
                        fail_msg("model accepted: %s", bad_variants[i]);
                assert_true(error.message[0] != 0);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_key_round_trip),
                cmocka_unit_test(test_key_limits),
                cmocka_unit_test(test_strings),
                cmocka_unit_test(test_string_length),
                cmocka_unit_test(test_integers_and_bools),
                cmocka_unit_test(test_enums),
                cmocka_unit_test(test_base64),
                cmocka_unit_test(test_urls),
                cmocka_unit_test(test_ips_and_hostnames),
                cmocka_unit_test(test_cidrs),
                cmocka_unit_test(test_lists),
                cmocka_unit_test(test_maintenance_window),
                cmocka_unit_test(test_maps_and_unknown_keys),
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_metadata),
                cmocka_unit_test(test_variant_adds_keys),
                cmocka_unit_test(test_bad_models),
        };
        int r;

        if (!mkdtemp(tmpdir))
                return 1;
        r = cmocka_run_group_tests(tests, setup, teardown);
        (void) nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
        return r;
}
