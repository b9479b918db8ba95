/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <ftw.h>
#include <json-c/json.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "render-files.h"
#include "toml.h"

/* Unit tests run in the source tree: these are the templates the image ships. */
#define TEMPLATES "templates"

static struct json_object *settings(void) {
        struct json_object *s = json_tokener_parse(
                "{\"motd\": \"hello <world>\", \"network\": {\"hostname\": \"node-1\"},"
                " \"dns\": {\"name-servers\": [\"10.0.0.2\", \"10.0.0.3\"], \"search-list\": []},"
                " \"ntp\": {\"time-servers\": [\"time.example.com\"]},"
                " \"kernel\": {\"sysctl\": {\"vm.max_map_count\": \"262144\", \"net.ipv4.ip_forward\": "
                "\"1\"},"
                "            \"modules\": {\"sctp\": {\"allowed\": false}, \"nfs\": {\"allowed\": true}}},"
                " \"updates\": {\"metadata-base-url\": \"https://u.example/m/\", \"targets-base-url\": "
                "\"https://u.example/t/\", \"seed\": 7, \"version-lock\": \"latest\", \"ignore-waves\": "
                "false, \"automatic\": true, \"maintenance-window\": {\"days\": [\"sat\", \"sun\"], "
                "\"start-time\": \"22:30\", \"length-minutes\": 90}}}");
        assert_non_null(s);
        return s;
}

static char *render(const char *template_name) {
        struct json_object *s = settings(), *ctx;
        char *out, *error;

        assert_int_equal(render_context_new(s, &ctx), 0);
        assert_int_equal(render_to_string(TEMPLATES, template_name, ctx, &out, &error), 0);
        assert_null(error);
        json_object_put(ctx);
        json_object_put(s);
        return out;
}

static void assert_toml(const char *text) {
        struct json_object *doc = NULL;
        TomlError e;

        if (toml_parse(text, strlen(text), NULL, &doc, &e) < 0)
                fail_msg("not TOML: %s\n%s", e.message, text);
        json_object_put(doc);
}

static void test_context_entries(void **state) {
        struct json_object *s = settings(), *ctx, *e;

        assert_int_equal(render_context_new(s, &ctx), 0);
        assert_true(json_object_object_get_ex(
                json_object_object_get(json_object_object_get(ctx, "settings"), "kernel"), "@entries", &e));
        assert_int_equal(json_object_array_length(e), 2); /* modules, sysctl */
        assert_string_equal(
                json_object_get_string(json_object_object_get(json_object_array_get_idx(e, 0), "name")),
                "modules");
        /* The caller's tree is not changed. */
        assert_false(json_object_object_get_ex(s, "@entries", NULL));
        json_object_put(ctx);
        json_object_put(s);
}

static void test_templates(void **state) {
        char *out;

        out = render("motd");
        assert_string_equal(out, "hello <world>\n"); /* configuration files are never HTML-escaped */
        free(out);
        out = render("hostname");
        assert_string_equal(out, "node-1\n");
        free(out);
        out = render("sysctl.conf");
        assert_non_null(strstr(out, "\nnet.ipv4.ip_forward = 1\nvm.max_map_count = 262144\n"));
        free(out);
        out = render("resolved.conf");
        assert_non_null(strstr(out, "\nDNS=10.0.0.2 10.0.0.3 \nDomains=\n"));
        free(out);
        out = render("timesyncd.conf");
        assert_non_null(strstr(out, "\nNTP=time.example.com \n"));
        free(out);
        out = render("modprobe.conf");
        assert_non_null(strstr(out, "install sctp /bin/false\nblacklist sctp\n"));
        assert_null(strstr(out, "nfs"));
        free(out);
        out = render("updates.toml");
        assert_non_null(strstr(out, "seed = 7\n"));
        assert_non_null(strstr(out, "metadata-base-url = \"https://u.example/m/\"\n"));
        assert_non_null(strstr(out, "\nautomatic = true\n"));
        assert_non_null(strstr(out, "\n[maintenance-window]\ndays = [\"sat\", \"sun\", ]\n"
                                    "start-time = \"22:30\"\nlength-minutes = 90\n"));
        assert_toml(out);
        free(out);
}

/* The containerd configuration must stay valid TOML whatever registries and credentials hold. */
static void test_containerd_config_is_toml(void **state) {
        struct json_object *s = json_tokener_parse(
                "{\"container-registry\": {\"mirrors\": [{\"registry\": \"docker.io\", \"endpoint\": "
                "[\"https://m1.example\", \"https://m2.example\"]}], \"credentials\": [{\"registry\": "
                "\"r.example:5000\", \"username\": \"u\\\"x\", \"password\": \"p\\\\w\\nd\"}]}}");
        struct json_object *ctx, *doc = NULL;
        char *out, *error;
        TomlError e;

        assert_non_null(s);
        assert_int_equal(render_context_new(s, &ctx), 0);
        assert_int_equal(render_to_string(TEMPLATES, "containerd-config.toml", ctx, &out, &error), 0);
        if (toml_parse(out, strlen(out), NULL, &doc, &e) < 0)
                fail_msg("not TOML: %s\n%s", e.message, out);
        assert_non_null(strstr(out, "username = \"u\\\"x\""));
        json_object_put(doc);
        free(out);
        json_object_put(ctx);
        json_object_put(s);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void) st, (void) type, (void) ftw;
        return remove(path);
}

static void test_render_file(void **state) {
        char root[] = "/tmp/test-render-XXXXXX", path[512], sha[65];
        struct json_object *s = settings(), *ctx, *st, *spec;
        _cleanup_free_ char *text = NULL;
        struct stat stt;

        assert_non_null(mkdtemp(root));
        assert_int_equal(render_context_new(s, &ctx), 0);
        spec = json_tokener_parse(
                "{\"path\": \"/etc/sub/dir/motd\", \"template\": \"motd\", \"mode\": \"0600\"}");
        assert_int_equal(render_file(TEMPLATES, root, "motd", spec, ctx, &st), 0);
        snprintf(path, sizeof(path), "%s/etc/sub/dir/motd", root);
        assert_int_equal(stat(path, &stt), 0);
        assert_int_equal(stt.st_mode & 07777, 0600);
        assert_int_equal(read_full_file(path, 4096, &text, NULL), 0);
        render_sha256_hex(text, strlen(text), sha);
        assert_string_equal(json_object_get_string(json_object_object_get(st, "sha256")), sha);
        assert_null(json_object_object_get(st, "error"));
        json_object_put(st);
        json_object_put(spec);

        /* A missing template: an error in the status, nothing written. */
        spec = json_tokener_parse(
                "{\"path\": \"/etc/other\", \"template\": \"no-such\", \"mode\": \"0644\"}");
        assert_true(render_file(TEMPLATES, root, "other", spec, ctx, &st) < 0);
        assert_non_null(strstr(json_object_get_string(json_object_object_get(st, "error")), "no-such"));
        assert_null(json_object_object_get(st, "sha256"));
        snprintf(path, sizeof(path), "%s/etc/other", root);
        assert_int_equal(access(path, F_OK), -1);
        json_object_put(st);
        json_object_put(spec);

        spec = json_tokener_parse("{\"path\": \"/etc/x\", \"template\": \"../motd\", \"mode\": \"0644\"}");
        assert_true(render_file(TEMPLATES, root, "x", spec, ctx, &st) < 0);
        json_object_put(st);
        json_object_put(spec);

        json_object_put(ctx);
        json_object_put(s);
        assert_int_equal(nftw(root, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_context_entries),
                cmocka_unit_test(test_templates),
                cmocka_unit_test(test_render_file),
                cmocka_unit_test(test_containerd_config_is_toml),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
