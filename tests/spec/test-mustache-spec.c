/* SPDX-License-Identifier: MIT */
/* Runs the Mustache spec (github.com/mustache/spec, specs/NAME.json) against libtemplate: every test of
 * every required module, i.e. every file not starting with '~' (lambdas, dynamic names and inheritance are
 * optional modules we leave out). Usage: test-mustache-spec SPECS-DIRECTORY */
#include <dirent.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "fileio.h"
#include "macro.h"
#include "template.h"

typedef struct Counts {
        unsigned passed;
        unsigned total;
} Counts;

static const char *field(struct json_object *test, const char *key) {
        struct json_object *v;

        return json_object_object_get_ex(test, key, &v) ? json_object_get_string(v) : "";
}

static bool run_test(struct json_object *test) {
        _cleanup_(template_freep) Template *t = NULL;
        _cleanup_free_ char *out = NULL;
        struct json_object *data = NULL, *partials = NULL;
        TemplateError error;
        int r;

        (void) json_object_object_get_ex(test, "data", &data);
        (void) json_object_object_get_ex(test, "partials", &partials);
        r = template_parse(field(test, "template"), &t, &error);
        if (r >= 0)
                r = template_render(t, data, template_lookup_json, partials, &out, &error);
        if (r < 0) {
                printf("  %s: error %s:%u:%u: %s\n", field(test, "name"), error.source, error.line,
                       error.column, error.message);
                return false;
        }
        if (!streq(out, field(test, "expected"))) {
                struct json_object *got = json_object_new_string(out);

                printf("  %s:\n    template: %s\n    expected: %s\n    got:      %s\n", field(test, "name"),
                       json_object_to_json_string(json_object_object_get(test, "template")),
                       json_object_to_json_string(json_object_object_get(test, "expected")),
                       json_object_to_json_string(got));
                json_object_put(got);
                return false;
        }
        return true;
}

static int run_file(const char *dir, const char *file, Counts *counts) {
        _cleanup_free_ char *path = NULL;
        struct json_object *spec, *tests;
        unsigned passed = 0, n;

        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        spec = json_object_from_file(path);
        if (!spec || !json_object_object_get_ex(spec, "tests", &tests) ||
            !json_object_is_type(tests, json_type_array)) {
                fprintf(stderr, "mustache-spec: cannot load '%s': %s\n", path, json_util_get_last_err());
                json_object_put(spec);
                return -EINVAL;
        }
        n = (unsigned) json_object_array_length(tests);
        for (unsigned i = 0; i < n; i++)
                passed += run_test(json_object_array_get_idx(tests, i));
        printf("%s: %u/%u\n", file, passed, n);
        counts->passed += passed;
        counts->total += n;
        json_object_put(spec);
        return 0;
}

int main(int argc, char *argv[]) {
        struct dirent **names = NULL;
        Counts counts = {};
        int n, r = 0;

        if (argc != 2) {
                fprintf(stderr, "usage: %s SPECS-DIRECTORY\n", argv[0]);
                return 2;
        }
        n = scandir(argv[1], &names, NULL, alphasort);
        if (n < 0) {
                fprintf(stderr, "mustache-spec: cannot list '%s': %m\n", argv[1]);
                return 1;
        }
        for (int i = 0; i < n; i++) {
                const char *f = names[i]->d_name;
                size_t len = strlen(f);

                if (r >= 0 && f[0] != '~' && f[0] != '.' && len > 5 && streq(f + len - 5, ".json"))
                        r = run_file(argv[1], f, &counts);
                free(names[i]);
        }
        free(names);
        printf("mustache-spec: %u/%u passed\n", counts.passed, counts.total);
        return r >= 0 && counts.total > 0 && counts.passed == counts.total ? 0 : 1;
}
