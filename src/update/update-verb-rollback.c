/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "update-esp.h"
#include "update-verbs.h"

static void help_cancel(void) {
        printf("Usage: update cancel [--state FILE] [--esp DIR] [--current-set a|b]\n\n"
               "Drops an available, staged or ready update: the state goes back to idle, and its UKI is\n"
               "removed from the ESP if it was never booted. With --current-set, the running set's UKIs\n"
               "that a downgrade had marked out of tries get their names back.\n\n"
               "     --state FILE         State file (default " UPDATE_STATE_PATH ")\n"
               "     --esp DIR            The mounted ESP\n"
               "     --current-set a|b    The set this node runs from\n"
               "  -h --help               Show this help\n");
}

int verb_cancel(int argc, char *argv[]) {
        _cleanup_free_ char *why = NULL;
        UpdateState s;
        UpdateArgs a;
        int r;

        r = update_args_parse(argc, argv, 0, help_cancel, &a);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        r = update_state_read(a.state, &s);
        if (r < 0)
                return log_error_errno(r, "Failed to read the state file '%s': %m", a.state), EXIT_FAILURE;
        if (s.state == UPDATE_STATE_IDLE || s.state == UPDATE_STATE_ERROR) {
                printf("nothing to cancel\n");
                return EXIT_SUCCESS;
        }
        if (s.set && s.version[0]) {
                if (!a.esp && s.state == UPDATE_STATE_READY)
                        return log_error_errno(-EINVAL, "--esp is required to remove the staged UKI."),
                               EXIT_FAILURE;
                if (a.esp && (r = update_esp_remove_untried(a.esp, s.version, s.set, &why)) < 0)
                        return log_error("%s", why ?: strerror(-r)), EXIT_FAILURE;
                /* A cancelled downgrade had marked the running set's UKIs out of tries. */
                if (a.esp && r > 0 && a.current_set &&
                    (r = update_esp_restore_set(a.esp, a.current_set, &why)) < 0)
                        return log_error("%s", why ?: strerror(-r)), EXIT_FAILURE;
        }
        if (update_record(&a, UPDATE_STATE_IDLE, NULL, 0, NULL) < 0)
                return EXIT_FAILURE;
        printf("cancelled %s\n", s.version);
        return EXIT_SUCCESS;
}

static void help_rollback(void) {
        printf("Usage: update rollback --esp DIR --current-set a|b\n\n"
               "Makes the other set's newest UKI the next boot, by marking the current set's UKIs as\n"
               "out of boot tries (decision 0010).\n\n"
               "     --esp DIR           The mounted ESP\n"
               "     --current-set a|b   The set this node runs from\n"
               "  -h --help              Show this help\n");
}

int verb_rollback(int argc, char *argv[]) {
        _cleanup_free_ char *why = NULL;
        char version[UPDATE_VERSION_MAX + 1];
        UpdateArgs a;
        int r;

        r = update_args_parse(argc, argv, NEED_ESP | NEED_SET, help_rollback, &a);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        r = update_esp_rollback(a.esp, a.current_set, version, &why);
        if (r < 0) {
                printf("error: %s\n", why ?: strerror(-r));
                return EXIT_FAILURE;
        }
        printf("rollback %s %c\n", version, a.current_set == 'a' ? 'b' : 'a');
        return EXIT_SUCCESS;
}
