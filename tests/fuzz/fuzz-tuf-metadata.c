/* SPDX-License-Identifier: MIT */
/* One TUF metadata document, of whatever _type it claims, parsed and checked against the python-tuf
 * fixture's root: parsing must refuse or accept, and signature checks must only ever say yes or no, never
 * read out of bounds, leak or loop. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"
#include "macro.h"
#include "tuf-client-internal.h"
#include "tuf-metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static TufMetadata *fixed_root(void) {
        static TufMetadata *root;
        _cleanup_free_ char *text = NULL;
        size_t n;

        if (root)
                return root;
        if (read_full_file(TUF_FUZZ_ROOT, 1 << 20, &text, &n) < 0 ||
            tuf_metadata_parse(text, n, TUF_ROLE_ROOT, "root.json", &root, NULL) < 0) {
                fprintf(stderr, "fuzz-tuf-metadata: cannot load the root '%s'\n", TUF_FUZZ_ROOT);
                abort();
        }
        return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(tuf_metadata_freep) TufMetadata *m = NULL;
        TufMetadata *root = fixed_root();
        _cleanup_free_ char *why = NULL;

        if (size > (1 << 20))
                return 0;
        if (tuf_metadata_parse(data, size, TUF_ROLE_ANY, "fuzz.json", &m, &why) < 0)
                return 0;
        (void) tuf_metadata_verify(m, &root->keys, &root->roles[m->type], tuf_role_type_name(m->type), NULL);
        if (m->type == TUF_ROLE_ROOT)
                (void) tuf_metadata_verify(m, &m->keys, &m->roles[TUF_ROLE_ROOT], "root", NULL);
        /* Delegations: each role's patterns against each listed target, and the role's own keys. */
        for (size_t i = 0; i < m->n_delegations; i++) {
                for (size_t j = 0; j < m->n_targets; j++)
                        (void) tuf_delegation_matches(&m->delegations[i], m->targets[j].path);
                (void) tuf_metadata_verify(m, &m->keys, &m->delegations[i].keys, m->delegations[i].name,
                                           NULL);
        }
        for (size_t j = 0; j < m->n_targets; j++)
                (void) tuf_path_is_safe(m->targets[j].path);
        return 0;
}
