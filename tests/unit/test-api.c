/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <string.h>
#include <unistd.h>

#include "api-context.h"
#include "api.h"

static struct json_object *response_json(const ApiResponse *resp) {
        assert_non_null(resp->body);
        struct json_object *o = json_tokener_parse(resp->body);
        assert_non_null(o);
        return o;
}

static const char *field(struct json_object *o, const char *name) {
        struct json_object *v;
        return json_object_object_get_ex(o, name, &v) ? json_object_get_string(v) : NULL;
}

static void echo(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp) {
        struct json_object *body = api_body_json(req, resp);

        (void) ctx;
        if (body) {
                api_respond(resp, 200, body);
                json_object_put(body);
        }
}

static const ApiRoute test_routes[] = {
        { "POST", "/echo", echo },
};

static void request(const char *method, const char *path, const char *body, ApiResponse *resp) {
        ApiRequest req = { .method = method, .path = path, .body = body, .body_len = strlen(body) };

        api_response_done(resp);
        api_dispatch(NULL, test_routes, ELEMENTSOF(test_routes), &req, resp);
}

static void test_dispatch_status(void **state) {
        ApiResponse resp = {};
        struct json_object *o;

        request("POST", "/echo", "{\"a\": [1, 2]}", &resp);
        assert_int_equal(resp.status, 200);
        assert_string_equal(resp.body, "{\"a\":[1,2]}");

        request("GET", "/echo", "", &resp);
        assert_int_equal(resp.status, 405);
        o = response_json(&resp);
        assert_non_null(strstr(field(o, "error"), "GET"));
        assert_null(field(o, "key"));
        json_object_put(o);

        request("GET", "/nothing", "", &resp);
        assert_int_equal(resp.status, 404);
        o = response_json(&resp);
        assert_string_equal(field(o, "error"), "no such endpoint: /nothing");
        json_object_put(o);
        api_response_done(&resp);
}

static void test_body_limits(void **state) {
        ApiResponse resp = {};
        char *deep, *wide;
        size_t n = 0;

        request("POST", "/echo", "{\"a\": ", &resp);
        assert_int_equal(resp.status, 400);
        request("POST", "/echo", "{} x", &resp);
        assert_int_equal(resp.status, 400);
        request("POST", "/echo", "\"text\"", &resp);
        assert_int_equal(resp.status, 400);

        /* Nesting one past the limit. */
        deep = malloc(8 * (API_MAX_DEPTH + 2) + 8);
        for (int i = 0; i < API_MAX_DEPTH + 2; i++)
                n += (size_t) sprintf(deep + n, "{\"a\":");
        n += (size_t) sprintf(deep + n, "1");
        for (int i = 0; i < API_MAX_DEPTH + 2; i++)
                deep[n++] = '}';
        deep[n] = 0;
        request("POST", "/echo", deep, &resp);
        assert_true(resp.status == 400 || resp.status == 413);
        free(deep);

        /* More leaves than allowed. */
        wide = malloc(16 * (API_MAX_KEYS + 2) + 8);
        n = (size_t) sprintf(wide, "{");
        for (int i = 0; i <= API_MAX_KEYS; i++)
                n += (size_t) sprintf(wide + n, "%s\"k%d\":1", i ? "," : "", i);
        sprintf(wide + n, "}");
        request("POST", "/echo", wide, &resp);
        assert_int_equal(resp.status, 413);
        free(wide);
        api_response_done(&resp);
}

static void test_get_os(void **state) {
        char path[] = "/tmp/test-api-osrel-XXXXXX";
        int fd = mkstemp(path);
        ApiContext ctx = { .os_release = path };
        ApiRequest req = { .method = "GET", .path = "/os", .body = "" };
        ApiResponse resp = {};
        struct json_object *o;

        assert_true(fd >= 0);
        assert_int_equal(
                write(fd, "NAME=Bulkhead\nPRETTY_NAME=\"Bulkhead 1.2\"\nVERSION_ID=1.2\nVARIANT_ID=qemu\n",
                      71),
                71);
        close(fd);
        api_dispatch(&ctx, api_routes, api_n_routes, &req, &resp);
        assert_int_equal(resp.status, 200);
        o = response_json(&resp);
        assert_string_equal(field(o, "pretty_name"), "Bulkhead 1.2");
        assert_string_equal(field(o, "version_id"), "1.2");
        assert_string_equal(field(o, "variant_id"), "qemu");
        assert_null(field(o, "build_id"));
        assert_non_null(field(o, "arch"));
        json_object_put(o);
        api_response_done(&resp);

        unlink(path);
        api_dispatch(&ctx, api_routes, api_n_routes, &req, &resp);
        assert_int_equal(resp.status, 500);
        api_response_done(&resp);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dispatch_status),
                cmocka_unit_test(test_body_limits),
                cmocka_unit_test(test_get_os),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
