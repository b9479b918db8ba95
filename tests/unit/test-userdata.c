/* SPDX-License-Identifier: MIT */
/* userdata: which provider wins, every error collected and named, tables beside [settings] refused. The
 * repository's models/ comes in through $SETTINGS_MODELS_DIR; the test runs in the source root. */
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
#include "userdata.h"

static SettingsModel *model;

static int setup(void **state) {
        const char *dir = getenv("SETTINGS_MODELS_DIR");
        SettingsError e = {};

        return settings_model_load(dir ?: "models", "qemu", &model, &e) < 0 ? -1 : 0;
}

static int teardown(void **state) {
        model = settings_model_free(model);
        return 0;
}

static void parse(const char *text, UserData *ret) {
        assert_int_equal(userdata_parse(model, text, strlen(text), ret), 0);
}

/* Fails unless u holds exactly the errors given, in order. */
static void assert_errors(const UserData *u, size_t n, const char *const *expected) {
        if (u->n_errors != n)
                for (size_t i = 0; i < u->n_errors; i++)
                        print_message("error %zu: %s\n", i, u->errors[i]);
        assert_int_equal(u->n_errors, n);
        for (size_t i = 0; i < n; i++)
                assert_string_equal(u->errors[i], expected[i]);
        assert_null(u->settings);
}

static void test_bottlerocket_user_data(void **state) {
        _cleanup_free_ char *text = NULL;
        _cleanup_(userdata_done) UserData u = {};
        struct json_object *v;
        size_t len;

        assert_int_equal(read_full_file("tests/userdata/good.toml", USERDATA_MAX_SIZE, &text, &len), 0);
        assert_int_equal(userdata_parse(model, text, len, &u), 0);
        assert_int_equal(u.n_errors, 0);
        /* motd, hostname, time-servers (a list is one key), name-servers, one sysctl, admin.enabled */
        assert_int_equal(u.n_keys, 6);
        assert_non_null(u.settings);
        assert_true(json_object_object_get_ex(u.settings, "kernel", &v));
        assert_true(json_object_object_get_ex(v, "sysctl", &v));
        assert_true(json_object_object_get_ex(v, "net.ipv4.ip_forward", &v));
        assert_string_equal(json_object_get_string(v), "1");
        assert_false(json_object_object_get_ex(u.settings, "settings", NULL));
}

static void test_every_error_named(void **state) {
        static const char *const expected[] = {
                "settings.colour: unknown key",
                "settings.network.hostname: not a hostname",
                "settings.ntp.time-servers[1]: not a hostname or URL",
                "settings.kernel.lockdown: not one of: none, integrity, confidentiality",
                "settings.kernel.sysctl.\"bad name!\": name does not match the pattern "
                "'[A-Za-z0-9_][A-Za-z0-9_./*-]{0,254}'",
                "settings.host-containers.admin.enabled: not a boolean",
        };
        _cleanup_(userdata_done) UserData u = {};

        parse("[settings]\n"
              "motd = \"fine\"\n"
              "colour = \"blue\"\n"
              "network.hostname = \"-bad-\"\n"
              "ntp.time-servers = [\"ok.example.com\", \"no spaces\"]\n"
              "[settings.kernel]\n"
              "lockdown = \"total\"\n"
              "sysctl = { \"vm.swappiness\" = \"10\", \"bad name!\" = \"1\" }\n"
              "[settings.host-containers.admin]\n"
              "enabled = \"yes\"\n",
              &u);
        assert_errors(&u, ELEMENTSOF(expected), expected);
}

static void test_unknown_subtree_named_once(void **state) {
        static const char *const expected[] = { "settings.nope: unknown key" };
        _cleanup_(userdata_done) UserData u = {};

        /* Three keys below one unknown name are one mistake, not three. */
        parse("[settings.nope]\na = 1\nb = 2\nc = 3\n", &u);
        assert_errors(&u, ELEMENTSOF(expected), expected);
}

static void test_other_tables_refused(void **state) {
        /* In document order, each by name; [settings] itself is still checked. */
        static const char *const expected[] = {
                "motd: unknown top-level key, only [settings] is read",
                "[kubernetes]: unknown table, only [settings] is read",
                "[settings2]: unknown table, only [settings] is read",
                "settings.colour: unknown key",
        };
        _cleanup_(userdata_done) UserData u = {};

        parse("motd = \"top\"\n[settings]\ncolour = \"hi\"\n[kubernetes]\ncluster-name = \"x\"\n"
              "[settings2.network]\nhostname = \"a\"\n",
              &u);
        assert_errors(&u, ELEMENTSOF(expected), expected);
}

static void test_settings_not_a_table(void **state) {
        static const char *const expected[] = { "settings: not a table" };
        _cleanup_(userdata_done) UserData u = {};

        parse("settings = 1\n", &u);
        assert_errors(&u, ELEMENTSOF(expected), expected);
}

static void test_toml_error_has_position(void **state) {
        _cleanup_(userdata_done) UserData u = {};

        parse("[settings]\nmotd = \"a\"\nmotd = \"b\"\n", &u);
        assert_int_equal(u.n_errors, 1);
        assert_true(strneq(u.errors[0], "line 3, column 1: ", strlen("line 3, column 1: ")));
        assert_null(u.settings);
}

static void test_empty_is_valid(void **state) {
        _cleanup_(userdata_done) UserData u = {};

        parse("# nothing yet\n", &u);
        assert_int_equal(u.n_errors, 0);
        assert_int_equal(u.n_keys, 0);
        assert_non_null(u.settings);
}

static void test_map_too_large(void **state) {
        _cleanup_free_ char *text = malloc(1100 * 32 + 64);
        _cleanup_(userdata_done) UserData u = {};
        size_t l;

        /* Each entry passes alone; only the whole breaks max-entries, and the map itself is named. */
        assert_non_null(text);
        l = (size_t) sprintf(text, "[settings.kernel.sysctl]\n");
        for (int i = 0; i < 1025; i++)
                l += (size_t) sprintf(text + l, "\"k.%d\" = \"1\"\n", i);
        parse(text, &u);
        assert_int_equal(u.n_errors, 1);
        assert_string_equal(u.errors[0], "settings.kernel.sysctl: more than 1024 entries");
}

static void test_error_list_bounded(void **state) {
        _cleanup_free_ char *text = malloc(200 * 32 + 64);
        _cleanup_(userdata_done) UserData u = {};
        size_t l;

        assert_non_null(text);
        l = (size_t) sprintf(text, "[settings]\n");
        for (int i = 0; i < 150; i++)
                l += (size_t) sprintf(text + l, "unknown-%d = 1\n", i);
        parse(text, &u);
        assert_int_equal(u.n_errors, USERDATA_MAX_ERRORS);
        assert_int_equal(u.n_dropped, 150 - USERDATA_MAX_ERRORS);
        assert_string_equal(u.errors[0], "settings.unknown-0: unknown key");
}

/* A scratch directory standing in for /sys/firmware/qemu_fw_cfg, the data partition and
 * /dev/disk/by-label, where a drive is a directory (the provider's test hook); no IMDS. */
typedef struct Scratch {
        char dir[64];
        char fw_cfg[128];
        char file[128];
        char by_label[128];
        char error[512]; /* what the last find() said went wrong, or "" */
        ProviderOptions options;
} Scratch;

static void scratch_init(Scratch *s) {
        snprintf(s->dir, sizeof(s->dir), "/tmp/test-userdata-XXXXXX");
        assert_non_null(mkdtemp(s->dir));
        snprintf(s->fw_cfg, sizeof(s->fw_cfg), "%s/fw_cfg", s->dir);
        snprintf(s->file, sizeof(s->file), "%s/user-data.toml", s->dir);
        snprintf(s->by_label, sizeof(s->by_label), "%s/by-label", s->dir);
        assert_int_equal(mkdir(s->by_label, 0755), 0);
        s->options = (ProviderOptions){
                .fw_cfg_root = s->fw_cfg,
                .file = s->file,
                .by_label_dir = s->by_label,
                .run_dir = s->dir,
                /* Port 1 refuses at once: the machine "is not on EC2"; tests/api/test-userdata.sh serves
                 * a fake IMDS. */
                .imds_url = "http://127.0.0.1:1",
        };
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        return remove(path);
}

static void scratch_done(Scratch *s) {
        nftw(s->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_fw_cfg(Scratch *s, const char *text, size_t len) {
        char path[256];

        snprintf(path, sizeof(path), "%s/by_name/opt/org.bulkhead/user-data", s->fw_cfg);
        for (char *p = strchr(path + strlen(s->dir) + 1, '/'); p; p = strchr(p + 1, '/')) {
                *p = 0;
                (void) mkdir(path, 0755);
                *p = '/';
        }
        assert_int_equal(mkdir(path, 0755), 0);
        strcat(path, "/raw");
        assert_int_equal(write_file_atomic(path, text, len, 0644), 0);
}

/* A file below the scratch directory, with the directories on the way. */
static void write_below(Scratch *s, const char *rel, const char *text) {
        char path[256];

        snprintf(path, sizeof(path), "%s/%s", s->dir, rel);
        for (char *p = strchr(path + strlen(s->dir) + 1, '/'); p; p = strchr(p + 1, '/')) {
                *p = 0;
                (void) mkdir(path, 0755);
                *p = '/';
        }
        assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
}

/* Which provider userdata_find() picks, and that its data came along. */
static const char *find(Scratch *s, int expected_r, const char *expected_text) {
        _cleanup_free_ char *data = NULL, *error = NULL;
        const Provider *p = NULL;
        size_t len = 0;

        assert_int_equal(userdata_find(&s->options, &p, &data, &len, &error), expected_r);
        snprintf(s->error, sizeof(s->error), "%s", error ?: "");
        if (expected_r > 0) {
                assert_int_equal(len, strlen(expected_text));
                assert_string_equal(data, expected_text);
        }
        return p ? p->name : NULL;
}

static void test_provider_order(void **state) {
        Scratch s;

        scratch_init(&s);
        assert_null(find(&s, 0, NULL));
        /* fw_cfg present but without our blob (another -fw_cfg name): not user data. */
        assert_int_equal(mkdir(s.fw_cfg, 0755), 0);
        assert_null(find(&s, 0, NULL));
        write_below(&s, "by-label/config-2/openstack/latest/user_data", "from-config-drive");
        assert_string_equal(find(&s, 1, "from-config-drive"), "config-drive");
        assert_int_equal(write_file_atomic(s.file, "from-file", 9, 0644), 0);
        assert_string_equal(find(&s, 1, "from-file"), "file");
        write_fw_cfg(&s, "from-fw-cfg", 11);
        assert_string_equal(find(&s, 1, "from-fw-cfg"), "fw_cfg");
        scratch_done(&s);
}

static void test_provider_too_large(void **state) {
        _cleanup_free_ char *big = calloc(1, USERDATA_MAX_SIZE + 2);
        Scratch s;

        assert_non_null(big);
        memset(big, '#', USERDATA_MAX_SIZE + 1);
        scratch_init(&s);
        assert_int_equal(write_file_atomic(s.file, "ignored", 7, 0644), 0);
        write_fw_cfg(&s, big, USERDATA_MAX_SIZE + 1);
        /* Too large is a present provider that failed: the file behind it is not what the user meant. */
        assert_string_equal(find(&s, -EFBIG, NULL), "fw_cfg");
        scratch_done(&s);
}

static void test_config_drive(void **state) {
        Scratch s;

        scratch_init(&s);
        /* A drive without user data is no source: OpenStack writes user_data only when given some. */
        write_below(&s, "by-label/config-2/openstack/latest/meta_data.json", "{}");
        assert_null(find(&s, 0, NULL));
        /* NoCloud's user-data, under either spelling of the label; it beats config-2. */
        write_below(&s, "by-label/cidata/user-data", "lower");
        write_below(&s, "by-label/config-2/openstack/latest/user_data", "config-2");
        assert_string_equal(find(&s, 1, "lower"), "config-drive");
        write_below(&s, "by-label/CIDATA/user-data", "upper");
        assert_string_equal(find(&s, 1, "upper"), "config-drive");
        scratch_done(&s);
}

static void test_config_drive_errors(void **state) {
        char path[256], target[256];
        Scratch s;

        scratch_init(&s);
        /* What udev never makes: named, with the label, and nothing behind it tried. */
        write_below(&s, "by-label/CIDATA", "not a device");
        write_below(&s, "by-label/config-2/openstack/latest/user_data", "config-2");
        assert_string_equal(find(&s, -ENOTBLK, NULL), "config-drive");
        snprintf(path, sizeof(path), "CIDATA drive %s/CIDATA: neither a block device nor a directory",
                 s.by_label);
        assert_string_equal(s.error, path);
        /* A link on the drive could lead the read anywhere: not followed. */
        snprintf(path, sizeof(path), "%s/CIDATA", s.by_label);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(mkdir(path, 0755), 0);
        snprintf(target, sizeof(target), "%s/elsewhere", s.dir);
        write_below(&s, "elsewhere", "not for the drive");
        strcat(path, "/user-data");
        assert_int_equal(symlink(target, path), 0);
        assert_string_equal(find(&s, -ELOOP, NULL), "config-drive");
        assert_non_null(strstr(s.error, "CIDATA drive "));
        assert_non_null(strstr(s.error, "/CIDATA: user-data: a symbolic link, not followed"));
        /* Neither is anything but a regular file read. */
        assert_int_equal(unlink(path), 0);
        assert_int_equal(mkdir(path, 0755), 0);
        assert_string_equal(find(&s, -EINVAL, NULL), "config-drive");
        assert_non_null(strstr(s.error, "/CIDATA: user-data: not a regular file"));
        scratch_done(&s);
}

static void test_config_drive_too_large(void **state) {
        _cleanup_free_ char *big = calloc(1, USERDATA_MAX_SIZE + 2);
        Scratch s;

        assert_non_null(big);
        memset(big, '#', USERDATA_MAX_SIZE + 1);
        scratch_init(&s);
        write_below(&s, "by-label/cidata/user-data", big);
        assert_string_equal(find(&s, -EFBIG, NULL), "config-drive");
        scratch_done(&s);
}

static void test_cloud_config_refused(void **state) {
        static const char *const expected[] = {
                "a #cloud-config (cloud-init YAML) document: Bulkhead reads TOML user data, with the "
                "settings "
                "under [settings]",
        };
        _cleanup_(userdata_done) UserData u = {};

        parse("#cloud-config\nhostname: node-7\n", &u);
        assert_errors(&u, ELEMENTSOF(expected), expected);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bottlerocket_user_data),
                cmocka_unit_test(test_every_error_named),
                cmocka_unit_test(test_unknown_subtree_named_once),
                cmocka_unit_test(test_other_tables_refused),
                cmocka_unit_test(test_settings_not_a_table),
                cmocka_unit_test(test_toml_error_has_position),
                cmocka_unit_test(test_empty_is_valid),
                cmocka_unit_test(test_map_too_large),
                cmocka_unit_test(test_error_list_bounded),
                cmocka_unit_test(test_provider_order),
                cmocka_unit_test(test_provider_too_large),
                cmocka_unit_test(test_config_drive),
                cmocka_unit_test(test_config_drive_errors),
                cmocka_unit_test(test_config_drive_too_large),
                cmocka_unit_test(test_cloud_config_refused),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
