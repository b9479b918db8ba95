/* SPDX-License-Identifier: MIT */
/* Migration files from input: parsing must accept or refuse without a crash, and a migration it accepts
 * must run over a settings tree (and over the tree it produced, again) without one. */
#include <stdint.h>
#include <stdlib.h>

#include "migration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char sample[] = "{\"motd\": \"hi\", \"updates\": {\"seed\": 7, \"ignore-waves\": false},"
                             " \"kernel\": {\"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}},"
                             " \"ntp\": {\"time-servers\": [\"a.example\"]}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(migration_freep) Migration *m = NULL;
        _cleanup_free_ char *text = NULL, *why = NULL;
        struct json_object *tree;

        if (size > MIGRATION_MAX_SIZE + 1)
                return 0;
        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;
        if (migration_parse(text, size, "input", NULL, &m, &why) < 0) {
                if (!why)
                        abort(); /* every refusal says why */
                return 0;
        }
        tree = json_tokener_parse(sample);
        if (!tree)
                return 0;
        for (int pass = 0; pass < 2; pass++) {
                free(why);
                why = NULL;
                if (migration_apply(m, tree, NULL, &why) < 0 && !why)
                        abort();
        }
        json_object_put(tree);
        return 0;
}
