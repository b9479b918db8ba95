/* SPDX-License-Identifier: MIT */
/* update: the update agent (docs/decisions/0010-update-agent.md). "verify" runs the TUF client workflow on
 * a repository; "check", "apply", "cancel" and "rollback" move a node through its update states. */
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "macro.h"
#include "update-verbs.h"

static const struct {
        const char *name;
        int (*run)(int argc, char *argv[]);
} verbs[] = {
        { "verify", verb_verify }, { "check", verb_check },       { "apply", verb_apply },
        { "cancel", verb_cancel }, { "rollback", verb_rollback },
};

static void help(void) {
        printf("Usage: update VERB [OPTIONS...]\n\n"
               "Verbs:\n"
               "  verify      Check a TUF repository and list the targets it vouches for\n"
               "  check       Look for a newer version allowed for this node\n"
               "  apply       Install a version into the inactive partition set\n"
               "  cancel      Drop a staged update that has not booted\n"
               "  rollback    Boot the other partition set next\n\n"
               "Run 'update VERB --help' for the options of a verb.\n"
               "  -h --help     Show this help\n"
               "     --version  Show the version\n");
}

int main(int argc, char *argv[]) {
        log_set_program("update");
        if (argc < 2) {
                help();
                return EXIT_FAILURE;
        }
        if (streq(argv[1], "-h") || streq(argv[1], "--help")) {
                help();
                return EXIT_SUCCESS;
        }
        if (streq(argv[1], "--version")) {
                printf("update %s\n", BULKHEAD_VERSION);
                return EXIT_SUCCESS;
        }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(argv[1], verbs[i].name))
                        return verbs[i].run(argc - 1, argv + 1);
        log_error("Unknown verb '%s'; see 'update --help'.", argv[1]);
        return EXIT_FAILURE;
}
