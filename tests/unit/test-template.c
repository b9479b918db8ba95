/* SPDX-License-Identifier: MIT */
/* libtemplate beyond the Mustache spec (tests/spec runs that): errors and their places, helpers, limits,
 * escaping, truthiness, partials from a directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <sys/stat.h>

#include "macro.h"
#include "template.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

static TemplateError error;

/* Deeper than json_tokener_parse() allows (32), for the partial recursion test. */
static struct json_object *parse_json(const char *text) {
        struct json_tokener *tok = json_tokener_new_ex(64);
        struct json_object *v;

        assert_non_null(tok);
        /* Through the NUL, so that a bare "null" or number is known to be complete. */
        v = json_tokener_parse_ex(tok, text, (int) strlen(text) + 1);
        assert_int_equal(json_tokener_get_error(tok), json_tokener_success);
        json_tokener_free(tok);
        return v;
}

/* Renders text against the JSON data with partials from the JSON object partials (may be NULL). Returns
 * the output, or NULL with the error in `error` and its code in *ret_r. */
static char *render_partials(const char *text, const char *data, const char *partials, int *ret_r) {
        _cleanup_(json_object_putp) struct json_object *ctx = parse_json(data);
        _cleanup_(json_object_putp) struct json_object *p = partials ? parse_json(partials) : NULL;
        _cleanup_(template_freep) Template *t = NULL;
        char *out = NULL;
        int r;

        r = template_parse(text, &t, &error);
        if (r >= 0)
                r = template_render(t, ctx, p ? template_lookup_json : NULL, p, &out, &error);
        if (ret_r)
                *ret_r = r;
        return r < 0 ? NULL : out;
}

static char *render(const char *text, const char *data) {
        return render_partials(text, data, NULL, NULL);
}

static void assert_renders(const char *text, const char *data, const char *expected) {
        _cleanup_free_ char *out = render(text, data);

        if (!out)
                fail_msg("'%s' failed: %u:%u: %s", text, error.line, error.column, error.message);
        assert_string_equal(out, expected);
}

/* Asserts that text fails with r at line:column, with a message containing what. */
static void assert_fails(const char *text, const char *data, int expected_r, unsigned line, unsigned column,
                         const char *what) {
        int r = 0;
        _cleanup_free_ char *out = render_partials(text, data, NULL, &r);

        if (out)
                fail_msg("'%s' rendered as '%s', expected an error", text, out);
        assert_int_equal(r, expected_r);
        if (!strstr(error.message, what))
                fail_msg("'%s': message '%s' lacks '%s'", text, error.message, what);
        assert_int_equal(error.line, line);
        assert_int_equal(error.column, column);
        assert_string_equal(error.source, "");
}

static void test_escaping(void **state) {
        assert_renders("{{x}}|{{{x}}}|{{&x}}", "{\"x\": \"<a href=\\\"q\\\">&amp;'\"}",
                       "&lt;a href=&quot;q&quot;&gt;&amp;amp;'|<a href=\"q\">&amp;'|<a href=\"q\">&amp;'");
        /* Escaped once: a value's text is not read as template either. */
        assert_renders("{{x}}", "{\"x\": \"{{y}}\", \"y\": \"no\"}", "{{y}}");
        assert_renders("{{n}} {{d}} {{b}} {{z}} {{o}} {{l}}",
                       "{\"n\": -3, \"d\": 0.5, \"b\": false, \"z\": null, \"o\": {\"k\": \"<\"}, \"l\": "
                       "[1, \"a\"]}",
                       "-3 0.5 false  {&quot;k&quot;:&quot;&lt;&quot;} [1,&quot;a&quot;]");
        assert_renders("{{{o}}}", "{\"o\": {\"p\": \"a/b\"}}", "{\"p\":\"a/b\"}");
        /* Output is a C string: a NUL from the data would cut it short unnoticed. */
        assert_fails("ab\n {{x}}", "{\"x\": \"a\\u0000b\"}", -EINVAL, 2, 2, "NUL");
}

static void test_truthiness(void **state) {
        const char *t = "{{#v}}T{{/v}}{{^v}}F{{/v}}";
        static const struct {
                const char *data;
                const char *expected;
        } cases[] = {
                { "{}", "F" },
                { "{\"v\": null}", "F" },
                { "{\"v\": false}", "F" },
                { "{\"v\": \"\"}", "F" },
                { "{\"v\": []}", "F" },
                { "{\"v\": true}", "T" },
                { "{\"v\": 0}", "T" },
                { "{\"v\": 0.0}", "T" },
                { "{\"v\": \"0\"}", "T" },
                { "{\"v\": {}}", "T" },
                { "{\"v\": [false]}", "T" },
                { "{\"v\": [1, 2, 3]}", "TTT" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                assert_renders(t, cases[i].data, cases[i].expected);
        assert_renders("{{#l}}{{.}},{{/l}}", "{\"l\": [null, \"\", 0]}", ",,0,");
        assert_renders("{{x}}", "null", "");
        assert_renders("{{.}}", "\"top\"", "top");
}

static void test_parse_errors(void **state) {
        assert_fails("a\n  {{#s}}\nb", "{}", -EINVAL, 2, 3, "unclosed section 's'");
        assert_fails("{{#a}}{{#b}}\n{{/a}}{{/b}}", "{}", -EINVAL, 2, 1,
                     "mismatched closing tag 'a' (section 'b' opened at line 1, column 7)");
        assert_fails("x\n\n {{/a}}", "{}", -EINVAL, 3, 2, "closing tag 'a' without an open section");
        assert_fails("x\n{{=<% %>\n", "{}", -EINVAL, 2, 1, "bad delimiter tag: no '=}}' after it");
        assert_fails("{{= a =}}", "{}", -EINVAL, 1, 1, "bad delimiter");
        assert_fails("{{= a b c =}}", "{}", -EINVAL, 1, 1, "bad delimiter");
        assert_fails("{{=a= b=}}", "{}", -EINVAL, 1, 1, "contains '='");
        assert_fails("{{=aaaaaaaaaaaaaaaaa b=}}", "{}", -EINVAL, 1, 1, "longer than 16 bytes");
        /* Columns count characters, not bytes. */
        assert_fails("ééé {{x", "{}", -EINVAL, 1, 5, "unclosed tag: no '}}' after it");
        assert_fails("{{=[ ]=}}\n[x", "{}", -EINVAL, 2, 1, "no ']' after it");
        assert_fails("{{{x}}", "{}", -EINVAL, 1, 1, "no '}}}' after it");
        assert_fails("{{}}", "{}", -EINVAL, 1, 1, "empty tag name");
        assert_fails("{{a..b}}", "{}", -EINVAL, 1, 1, "'a..b' is not a valid name");
        assert_fails("{{#.a}}{{/.a}}", "{}", -EINVAL, 1, 1, "not a valid name");
        assert_fails("{{#a b}}{{/a b}}", "{}", -EINVAL, 1, 1, "whitespace");
        assert_fails("{{>*name}}", "{}", -EINVAL, 1, 1, "dynamic partial names are not supported");
        assert_fails("{{<parent}}{{/parent}}", "{}", -EINVAL, 1, 1, "inheritance is not supported");
        assert_fails("{{$block}}{{/block}}", "{}", -EINVAL, 1, 1, "inheritance is not supported");
}

static void test_nesting_limit(void **state) {
        char ok[TEMPLATE_MAX_NESTING * 12 + 1] = "", deep[(TEMPLATE_MAX_NESTING + 1) * 6 + 1] = "";

        for (int i = 0; i < TEMPLATE_MAX_NESTING; i++)
                strcat(ok, "{{#a}}");
        for (int i = 0; i < TEMPLATE_MAX_NESTING; i++)
                strcat(ok, "{{/a}}");
        assert_renders(ok, "{\"a\": true}", "");
        for (int i = 0; i <= TEMPLATE_MAX_NESTING; i++)
                strcat(deep, "{{#a}}");
        assert_fails(deep, "{}", -EINVAL, 1, TEMPLATE_MAX_NESTING * 6 + 1,
                     "sections nested more than 100 deep");
}

static void test_helper_errors(void **state) {
        assert_fails("\n{{frob x}}", "{}", -EINVAL, 2, 1, "unknown helper 'frob'");
        assert_fails("{{join a \",\" b}}", "{}", -EINVAL, 1, 1, "too many arguments for helper 'join'");
        assert_fails("{{default a}}", "{}", -EINVAL, 1, 1, "too few arguments for helper 'default'");
        assert_fails("{{join a \",}}", "{}", -EINVAL, 1, 1, "unterminated string");
        assert_fails("{{join a \"\\q\"}}", "{}", -EINVAL, 1, 1, "unknown escape '\\q'");
        assert_fails("{{join a \",\"b}}", "{}", -EINVAL, 1, 1, "no space after a string");
        assert_fails("{{join a..b}}", "{}", -EINVAL, 1, 1, "'a..b' is not a valid name");
        /* Render errors name the tag too. */
        assert_fails("x\n  {{base64_decode v}}", "{\"v\": \"a*==\"}", -EINVAL, 2, 3, "not valid base64");
        assert_fails("{{toml_string v}}", "{\"v\": {}}", -EINVAL, 1, 1, "toml_string takes a string");
        assert_fails("{{ini_quote v}}", "{\"v\": []}", -EINVAL, 1, 1, "ini_quote takes a string");
        assert_fails("{{base64_decode v}}", "{\"v\": 3}", -EINVAL, 1, 1, "base64_decode takes a string");
}

static void test_helper_join(void **state) {
        assert_renders("{{{join l \", \"}}}", "{\"l\": [\"a\", 2, true, null, [3]]}", "a, 2, true, , [3]");
        assert_renders("{{{join l}}}", "{\"l\": [\"a\", \"b\"]}", "a,b");
        assert_renders("{{{join l}}}|{{{join l \"-\"}}}", "{\"l\": []}", "|");
        assert_renders("[{{{join missing}}}]", "{}", "[]");
        assert_renders("{{{join s}}}", "{\"s\": \"alone\"}", "alone");
        /* The separator may come from the data, and the result is escaped like any {{…}}. */
        assert_renders("{{join l sep}}", "{\"l\": [\"<\", \">\"], \"sep\": \"&\"}", "&lt;&amp;&gt;");
        assert_renders("{{#o}}{{{join .}}}{{/o}}", "{\"o\": [[1, 2], [3]]}", "1,23");
        assert_renders("{{{join l \"\\n\\t\\\"\\\\\"}}}", "{\"l\": [1, 2]}", "1\n\t\"\\2");
}

static void test_helper_base64_decode(void **state) {
        assert_renders("{{{base64_decode v}}}", "{\"v\": \"aGVsbG8=\"}", "hello");
        assert_renders("{{{base64_decode v}}}", "{\"v\": \"aGVsbG8\"}", "hello");
        assert_renders("{{{base64_decode v}}}", "{\"v\": \"aGk=\"}", "hi");
        assert_renders("{{{base64_decode v}}}", "{\"v\": \"aGk\"}", "hi");
        assert_renders("{{{base64_decode v}}}", "{\"v\": \"Pj8+Pz4/\"}", ">?>?>?");
        assert_renders("{{base64_decode v}}", "{\"v\": \"PD4/Pn4=\"}", "&lt;&gt;?&gt;~");
        assert_renders("[{{{base64_decode v}}}{{{base64_decode missing}}}]", "{\"v\": \"\"}", "[]");
        static const char *const bad[] = { "a",    "aGk=a", "aG=k", "aGk==", "aGk===",
                                           "a===", "aGl=",  "aG-_", "aGk =" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *data = NULL;

                assert_true(asprintf(&data, "{\"v\": \"%s\"}", bad[i]) > 0);
                assert_fails("{{base64_decode v}}", data, -EINVAL, 1, 1, "not valid base64");
        }
        assert_fails("{{base64_decode v}}", "{\"v\": \"YQBi\"}", -EINVAL, 1, 1, "NUL");
}

static void test_helper_quoting(void **state) {
        assert_renders("{{{toml_string v}}}",
                       "{\"v\": \"a \\\"b\\\" \\\\ \\b\\t\\n\\f\\r \\u0001\\u007f é\"}",
                       "\"a \\\"b\\\" \\\\ \\b\\t\\n\\f\\r \\u0001\\u007F é\"");
        assert_renders(
                "{{{toml_string n}}} {{{toml_string b}}} {{{toml_string z}}} {{{toml_string missing}}}",
                "{\"n\": 42, \"b\": true, \"z\": null}", "\"42\" \"true\" \"\" \"\"");
        assert_renders("{{{ini_quote v}}}", "{\"v\": \"x=\\\"1\\\"; \\\\ \\n\\t\\r\\u0002\\u007f\"}",
                       "\"x=\\\"1\\\"; \\\\ \\n\\t\\r\\x02\\x7f\"");
        assert_renders("{{{ini_quote v}}}", "{\"v\": 1.5}", "\"1.5\"");
        assert_renders("{{toml_string v}}", "{\"v\": \"<\"}", "&quot;&lt;&quot;");

        /* Invalid UTF-8 cannot be in a TOML file. json-c's parser lets it through, so build it directly. */
        _cleanup_(json_object_putp) struct json_object *ctx = json_object_new_object();
        _cleanup_(template_freep) Template *t = NULL;
        static const char *const invalid[] = { "\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80",
                                               "\xf4\x90\x80\x80" };
        char *out = NULL;

        assert_int_equal(template_parse("{{{toml_string v}}}", &t, &error), 0);
        for (size_t i = 0; i < ELEMENTSOF(invalid); i++) {
                json_object_object_add(ctx, "v", json_object_new_string(invalid[i]));
                assert_int_equal(template_render(t, ctx, NULL, NULL, &out, &error), -EINVAL);
                assert_non_null(strstr(error.message, "not valid UTF-8"));
        }
        json_object_object_add(ctx, "v", json_object_new_string("\xf0\x9f\x90\xb3 \xe2\x82\xac"));
        assert_int_equal(template_render(t, ctx, NULL, NULL, &out, &error), 0);
        assert_string_equal(out, "\"\xf0\x9f\x90\xb3 \xe2\x82\xac\"");
        free(out);
}

static void test_helper_default_json(void **state) {
        assert_renders("{{default v \"fb\"}}|{{default missing \"fb\"}}|{{default z \"<\"}}",
                       "{\"v\": false, \"z\": null}", "false|fb|&lt;");
        assert_renders("{{default v w}}|{{default v.x w}}", "{\"v\": \"\", \"w\": 7}", "|7");
        assert_renders("{{{json o}}} {{{json s}}} {{{json missing}}} {{{json n}}}",
                       "{\"o\": {\"a\": [1, \"x/y\"]}, \"s\": \"q\\\"\", \"n\": 2}",
                       "{\"a\":[1,\"x/y\"]} \"q\\\"\" null 2");
        assert_renders("{{json s}}", "{\"s\": \"<\"}", "&quot;&lt;&quot;");
        /* Helpers see the context stack like variables do. */
        assert_renders("{{#l}}{{{json .}}}{{{default x \"-\"}}};{{/l}}",
                       "{\"x\": 0, \"l\": [{\"x\": 1}, {}]}", "{\"x\":1}1;{}0;");
}

static void test_partials(void **state) {
        _cleanup_free_ char *out = NULL;
        int r;

        /* Indentation adds up through standalone partials; interpolated lines are not indented. */
        out = render_partials("a\n  {{>outer}}\nz\n", "{\"v\": \"1\\n2\"}",
                              "{\"outer\": \"o\\n  {{>inner}}\\n{{v}}\\n\", \"inner\": \"i\\nj\\n\"}", &r);
        assert_non_null(out);
        assert_string_equal(out, "a\n  o\n    i\n    j\n  1\n2\nz\n");
        free(out);
        out = NULL;

        /* Every line a section over a list starts is indented, not only the first (see template.h). */
        out = render_partials("  {{>p}}\n", "{\"l\": [1, 2]}", "{\"p\": \"{{#l}}<{{.}}>\\n{{/l}}\"}", &r);
        assert_non_null(out);
        assert_string_equal(out, "  <1>\n  <2>\n");
        free(out);
        out = NULL;

        /* A malformed partial names itself and its own line and column. */
        out = render_partials("x {{>p}}", "{}", "{\"p\": \"ok\\n {{#s}}\"}", &r);
        assert_null(out);
        assert_int_equal(r, -EINVAL);
        assert_string_equal(error.source, "p");
        assert_int_equal(error.line, 2);
        assert_int_equal(error.column, 2);
        assert_non_null(strstr(error.message, "unclosed section 's'"));

        /* A partial that is not a string is an error, one that is missing renders as nothing. */
        out = render_partials("x{{>p}}", "{}", "{\"p\": 1}", &r);
        assert_null(out);
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(error.message, "cannot load partial 'p'"));
        out = render_partials("x{{>q}}y", "{}", "{\"p\": 1}", &r);
        assert_string_equal(out, "xy");
        free(out);
        out = NULL;
}

static void test_recursion_limit(void **state) {
        _cleanup_free_ char *out = NULL, *partials = NULL, *deep = NULL;
        int r;

        out = render_partials("{{>self}}", "{}", "{\"self\": \"a\\n{{>self}}\"}", &r);
        assert_null(out);
        assert_int_equal(r, -ELOOP);
        assert_string_equal(error.source, "self");
        assert_int_equal(error.line, 2);
        assert_int_equal(error.column, 1);
        assert_non_null(strstr(error.message, "partials nested more than 32 deep"));

        /* Recursion that the data ends is fine up to the limit. */
        assert_true(asprintf(&partials, "{\"n\": \"({{#c}}{{>n}}{{/c}})\"}") > 0);
        /* The innermost c is false: a missing one would be found further out on the context stack. */
        deep = strdup("{\"c\": false}");
        for (int i = 0; i < TEMPLATE_MAX_PARTIAL_DEPTH - 1; i++) {
                char *d = NULL;

                assert_true(asprintf(&d, "{\"c\": %s}", deep) > 0);
                free(deep);
                deep = d;
        }
        out = render_partials("{{>n}}", deep, partials, &r);
        assert_non_null(out);
        assert_int_equal(strlen(out), 2 * TEMPLATE_MAX_PARTIAL_DEPTH);
        free(out);
        out = NULL;
}

static void test_work_limits(void **state) {
        _cleanup_free_ char *partials = strdup("{\"p20\": \"\"");
        char *out;
        int r;

        /* 20 partials, each including the next twice: 2^20 renders of the last, with no output at all. */
        for (int i = 0; i < 20; i++) {
                char *p = NULL;

                assert_true(asprintf(&p, "%s, \"p%d\": \"{{>p%d}}{{>p%d}}\"", partials, i, i + 1, i + 1) >
                            0);
                free(partials);
                partials = p;
        }
        assert_non_null(partials = realloc(partials, strlen(partials) + 2));
        strcat(partials, "}");
        out = render_partials("{{>p0}}", "{}", partials, &r);
        assert_null(out);
        assert_int_equal(r, -E2BIG);
        assert_non_null(strstr(error.message, "steps"));

        /* Nested lists multiply output. */
        out = render_partials("{{#l}}{{#l}}{{#l}}{{#l}}{{{s}}}{{/l}}{{/l}}{{/l}}{{/l}}", "{}", NULL, &r);
        assert_string_equal(out, "");
        free(out);
        _cleanup_free_ char *data = NULL;
        assert_true(asprintf(&data, "{\"l\": [1,2,3,4,5,6,7,8,9,10], \"s\": \"%01000d\"}", 0) > 0);
        out = render_partials("{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{{s}}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}", data,
                              NULL, &r);
        assert_null(out);
        assert_int_equal(r, -E2BIG);
        assert_non_null(strstr(error.message, "output larger than"));
        assert_int_equal(error.line, 1);
        assert_int_equal(error.column, 31);
}

static void test_reuse(void **state) {
        _cleanup_(template_freep) Template *t = NULL;
        char *out = NULL;

        assert_int_equal(template_parse("{{#l}}<{{.}}>{{/l}}", &t, NULL), 0);
        for (int i = 0; i < 3; i++) {
                _cleanup_(json_object_putp) struct json_object *ctx = json_object_new_object(),
                                                               *l = json_object_new_array();
                char expected[64] = "";

                for (int k = 0; k < i; k++) {
                        json_object_array_add(l, json_object_new_int(k));
                        assert_true(snprintf_ok(expected, "%s<%d>", strdupa(expected), k));
                }
                json_object_object_add(ctx, "l", json_object_get(l));
                assert_int_equal(template_render(t, ctx, NULL, NULL, &out, NULL), 0);
                assert_string_equal(out, expected);
                free(out);
        }
        assert_int_equal(template_parse("{{#x}}", &t, NULL), -EINVAL);

        _cleanup_free_ char *big = malloc(TEMPLATE_MAX_SIZE + 2);
        assert_non_null(big);
        memset(big, 'x', TEMPLATE_MAX_SIZE + 1);
        big[TEMPLATE_MAX_SIZE + 1] = 0;
        assert_int_equal(template_parse(big, &t, &error), -E2BIG);
        assert_non_null(strstr(error.message, "template larger than"));
        big[TEMPLATE_MAX_SIZE] = 0;
        t = template_free(t);
        assert_int_equal(template_parse(big, &t, &error), 0);
        assert_null(template_free(NULL));
}

static void write_at(int dfd, const char *name, const char *text) {
        _cleanup_close_ int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
}

static void test_lookup_dir(void **state) {
        char dir[] = "/tmp/test-template-XXXXXX";
        _cleanup_close_ int dfd = -EBADF;
        _cleanup_(template_freep) Template *t = NULL;
        char *text = NULL;

        assert_non_null(mkdtemp(dir));
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        write_at(dfd, "p.mustache", "[{{v}}]");
        write_at(dfd, "secret", "s");
        assert_int_equal(symlinkat("secret", dfd, "link.mustache"), 0);
        assert_int_equal(mkdirat(dfd, "d.mustache", 0755), 0);

        assert_int_equal(template_lookup_dir("p", &dfd, &text), 1);
        assert_string_equal(text, "[{{v}}]");
        free(text);
        assert_int_equal(template_lookup_dir("missing", &dfd, &text), 0);
        assert_int_equal(template_lookup_dir("../etc/passwd", &dfd, &text), -EINVAL);
        assert_int_equal(template_lookup_dir(".p", &dfd, &text), -EINVAL);
        assert_int_equal(template_lookup_dir("link", &dfd, &text), -ELOOP);
        assert_int_equal(template_lookup_dir("d", &dfd, &text), -EINVAL);

        assert_int_equal(template_parse("a{{>p}}b{{>missing}}", &t, NULL), 0);
        _cleanup_(json_object_putp) struct json_object *ctx = json_tokener_parse("{\"v\": 1}");
        assert_int_equal(template_render(t, ctx, template_lookup_dir, &dfd, &text, NULL), 0);
        assert_string_equal(text, "a[1]b");
        free(text);

        (void) unlinkat(dfd, "p.mustache", 0);
        (void) unlinkat(dfd, "secret", 0);
        (void) unlinkat(dfd, "link.mustache", 0);
        (void) unlinkat(dfd, "d.mustache", AT_REMOVEDIR);
        assert_int_equal(rmdir(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escaping),
                cmocka_unit_test(test_truthiness),
                cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_nesting_limit),
                cmocka_unit_test(test_helper_errors),
                cmocka_unit_test(test_helper_join),
                cmocka_unit_test(test_helper_base64_decode),
                cmocka_unit_test(test_helper_quoting),
                cmocka_unit_test(test_helper_default_json),
                cmocka_unit_test(test_partials),
                cmocka_unit_test(test_recursion_limit),
                cmocka_unit_test(test_work_limits),
                cmocka_unit_test(test_reuse),
                cmocka_unit_test(test_lookup_dir),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
