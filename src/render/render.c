/* SPDX-License-Identifier: MIT */
/* render: renders configuration from Mustache templates (see src/libtemplate/template.h). */
#include <getopt.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "render.h"

static const char *arg_template;
static const char *arg_json;
static const char *arg_partials;
static bool arg_settings;

static void help(void) {
        printf("Usage: render --template FILE (--json FILE | --settings FILE) [--partials DIR]\n"
               "Render a Mustache template against a JSON file and print the result.\n\n"
               "  --template FILE  the template\n"
               "  --json FILE      the data to render it with\n"
               "  --settings FILE  a settings tree (as GET /settings answers): render exactly as a node "
               "renders\n"
               "                   its configuration files\n"
               "  --partials DIR   where {{> NAME}} finds DIR/NAME.mustache\n"
               "  --help           show this help\n"
               "  --version        show the version\n");
}

/* Returns <0 on error, 0 to exit successfully, 1 to go on. */
static int parse_argv(int argc, char *argv[]) {
        enum { ARG_TEMPLATE = 0x100, ARG_JSON, ARG_SETTINGS, ARG_PARTIALS, ARG_VERSION };
        static const struct option options[] = {
                { "template", required_argument, NULL, ARG_TEMPLATE },
                { "json", required_argument, NULL, ARG_JSON },
                { "settings", required_argument, NULL, ARG_SETTINGS },
                { "partials", required_argument, NULL, ARG_PARTIALS },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_TEMPLATE:
                        arg_template = optarg;
                        break;
                case ARG_JSON:
                        arg_json = optarg;
                        break;
                case ARG_SETTINGS:
                        arg_json = optarg;
                        arg_settings = true;
                        break;
                case ARG_PARTIALS:
                        arg_partials = optarg;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("render %s\n", BULKHEAD_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(-EINVAL, "Unexpected argument '%s'.", argv[optind]);
        if (!arg_template || !arg_json)
                return log_error_errno(-EINVAL,
                                       "--template and --json or --settings are required (see --help).");
        return 1;
}

static int run(int argc, char *argv[]) {
        _cleanup_free_ char *output = NULL, *error = NULL;
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r;
        r = render_job(&(RenderJob){ .template_path = arg_template,
                                     .json_path = arg_json,
                                     .partials_dir = arg_partials,
                                     .settings = arg_settings },
                       &output, &error);
        if (r < 0)
                return error ? log_error_errno(r, "%s", error) : log_error_errno(r, "Failed to render: %m");
        r = loop_write(STDOUT_FILENO, output, strlen(output));
        if (r < 0)
                return log_error_errno(r, "Failed to write the output: %m");
        return 0;
}

int main(int argc, char *argv[]) {
        log_set_program("render");
        return run(argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
