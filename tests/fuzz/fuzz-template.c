/* SPDX-License-Identifier: MIT */
/* Templates from input, parsed and rendered against a fixed context: every input must give output or an
 * error, never a crash, a leak or unbounded work. The input up to its first NUL is the template; what
 * follows is the partial "p", so partial parsing is exercised too. */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>

#include "macro.h"
#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char context_json[] =
        "{\"a\": \"x<&>\\\"\", \"n\": 1, \"d\": 2.5, \"t\": true, \"f\": false, \"e\": \"\", \"z\": null,"
        " \"l\": [1, \"two\", {\"a\": \"in\", \"l\": []}, [3, 4]], \"o\": {\"a\": {\"b\": \"deep\"}},"
        " \"b64\": \"aGk=\", \"bad\": \"**\", \"nul\": \"a\\u0000\"}";

static const char partials_json[] =
        "{\"q\": \"[{{a}}]\\n{{#l}}  {{>q2}}\\n{{/l}}\", \"q2\": \"<{{.}}>\\n\", \"self\": \"{{>self}}\","
        " \"broken\": \"{{#x}}\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *text = NULL, *out = NULL;
        _cleanup_(template_freep) Template *t = NULL;
        struct json_object *ctx, *partials;
        TemplateError error;
        size_t n;

        if (size > 64 * 1024)
                return 0;
        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;
        ctx = json_tokener_parse(context_json);
        partials = json_tokener_parse(partials_json);
        n = strlen(text);
        if (n < size)
                json_object_object_add(partials, "p", json_object_new_string(text + n + 1));
        if (template_parse(text, &t, &error) >= 0 &&
            template_render(t, ctx, template_lookup_json, partials, &out, &error) >= 0)
                /* The output is what it claims to be: a string within the limit. */
                if (strlen(out) > TEMPLATE_MAX_OUTPUT)
                        abort();
        json_object_put(ctx);
        json_object_put(partials);
        return 0;
}
