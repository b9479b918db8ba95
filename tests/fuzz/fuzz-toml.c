/* SPDX-License-Identifier: MIT */
/* The TOML parser on arbitrary bytes: it must accept or refuse, never crash, leak or recurse without bound;
 * what it accepts must convert to tagged and plain JSON and serialize. Small limits keep inputs cheap. */
#include <json-c/json.h>
#include <stdint.h>

#include "macro.h"
#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(json_object_putp) struct json_object *doc = NULL, *tagged = NULL, *plain = NULL;
        _cleanup_free_ char *text = NULL;
        const TomlOptions options = { .max_depth = 32, .max_size = 64 * 1024, .max_containers = 4096 };
        TomlError error;

        if (toml_parse((const char *) data, size, &options, &doc, &error) < 0) {
                /* Every error carries a position inside the document. */
                if (error.line == 0 || error.column == 0 || error.column > size + 1)
                        abort();
                return 0;
        }
        if (toml_to_tagged_json(doc, &tagged) < 0 || toml_to_json(doc, &plain) < 0)
                abort();
        if (toml_json_serialize(tagged, JSON_C_TO_STRING_PLAIN, &text) < 0)
                abort();
        return 0;
}
