/* SPDX-License-Identifier: MIT */
/* toml2json: reads TOML on stdin and writes it as JSON on stdout, by default in toml-test's tagged form
 * ({"type": "integer", "value": "42"}), so that the toml-test suite can drive libtoml as a decoder. An
 * invalid document gives one line "toml2json: line L, column C: reason" on stderr and exit status 1. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "log.h"
#include "macro.h"
#include "toml.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

static bool arg_plain = false;

static void help(void) {
        printf("Usage: toml2json [OPTIONS] < FILE.toml\n"
               "Convert a TOML 1.0 document on stdin to JSON on stdout.\n\n"
               "  -p --plain     Plain JSON instead of toml-test's tagged JSON\n"
               "  -h --help      Show this help\n"
               "     --version   Show the version\n");
}

/* Returns <0 on error, 0 to exit successfully, 1 to continue. */
static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100 };
        static const struct option options[] = {
                { "plain", no_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "ph", options, NULL)) >= 0)
                switch (c) {
                case 'p':
                        arg_plain = true;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("toml2json %s\n", BULKHEAD_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                log_error("Unexpected argument '%s'; the document is read from stdin.", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

/* Reads stdin up to max + 1 bytes: one byte more than the parser accepts lets it report the size error. */
static int read_stdin(size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, cap = 0;

        while (size <= max) {
                ssize_t n;

                if (size == cap) {
                        char *b;

                        cap = MIN(MAX(cap * 2, (size_t) 64 * 1024), max + 1);
                        b = realloc(buf, cap);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                }
                n = read(STDIN_FILENO, buf + size, cap - size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                size += (size_t) n;
        }
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

static int run(void) {
        _cleanup_(json_object_putp) struct json_object *doc = NULL, *out = NULL;
        _cleanup_free_ char *text = NULL, *json = NULL;
        TomlError error;
        size_t size;
        int r;

        r = read_stdin(TOML_DEFAULT_MAX_SIZE, &text, &size);
        if (r < 0)
                return log_error_errno(r, "Failed to read stdin: %m");
        r = toml_parse(text, size, NULL, &doc, &error);
        if (r < 0)
                return log_error_errno(r, "%s", error.message);
        r = arg_plain ? toml_to_json(doc, &out) : toml_to_tagged_json(doc, &out);
        if (r >= 0)
                r = toml_json_serialize(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE,
                                        &json);
        if (r < 0)
                return log_error_errno(r, "Failed to convert the document to JSON: %m");
        if (puts(json) == EOF || fflush(stdout) != 0)
                return log_error_errno(-EIO, "Failed to write to stdout: %m");
        return 0;
}

int main(int argc, char *argv[]) {
        int r;

        log_set_program("toml2json");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        return run() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
