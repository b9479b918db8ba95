/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "macro.h"

struct json_object;

/* Mustache templates (https://github.com/mustache/spec, the required modules: interpolation, sections,
 * inverted sections, comments, partials, set delimiters; no lambdas, dynamic names or inheritance) rendered
 * against a json-c value.
 *
 * A template is parsed once into a tree and can then be rendered any number of times, from any thread as
 * long as each render has its own context (json-c caches serialisations inside the objects it prints).
 *
 * Truthiness, for sections and inverted sections: null, false, "" and [] are false; everything else,
 * including 0 and {}, is true. A list renders its section once per element; any other true value once,
 * with the value pushed on the context stack. Objects and lists interpolate as compact JSON; null and
 * names that resolve to nothing interpolate as "".
 *
 * Partials are indented as the spec asks, with one deliberate difference its tests leave open: the
 * indentation of a standalone partial goes before every line of output that the partial's own text starts,
 * so each iteration of a section over a list is indented too (where indenting the partial's source first
 * would indent only the first). Lines that interpolated values start are never indented.
 *
 * Helpers. A variable tag whose content has more than one word is a helper call: the first word names the
 * helper, the others are its arguments, each a name resolved like a variable ("a.b", ".") or a
 * double-quoted literal ("a\"b" with \\, \", \n and \t escapes). As with variables, {{helper …}} is
 * HTML-escaped and {{{helper …}}} or {{&helper …}} is not. A tag with whitespace in its content is not
 * valid Mustache, so no Mustache template changes meaning. Unknown helpers and wrong argument counts are
 * parse errors; a value a helper cannot take is a render error.
 *   join LIST [SEP]        the elements of LIST as text, separated by SEP (default ","). A value that is
 *                          not a list counts as a list of itself; null or missing gives "".
 *   base64_decode VALUE    VALUE (a string, standard alphabet, padding optional) decoded. Binary data with
 *                          NUL bytes is refused, since output is text.
 *   toml_string VALUE      VALUE as a TOML basic string: "…" with \" \\ \b \t \n \f \r and \uXXXX escapes.
 *   ini_quote VALUE        VALUE double-quoted with C-style escapes (\" \\ \n \t \r, \xNN for other control
 *                          characters), as systemd unit files and INI readers that unquote accept.
 *   default VALUE FALLBACK VALUE, or FALLBACK if VALUE is null or missing.
 *   json VALUE             VALUE as compact JSON ("null" if missing).
 * The quoting helpers take a string, a number or a boolean (as its text); null or missing counts as "". */

/* Limits on what one template or render may cost, so that input cannot exhaust the stack or memory. */
#define TEMPLATE_MAX_SIZE          (16u << 20) /* bytes of template text */
#define TEMPLATE_MAX_NESTING       100         /* sections open at once within one template */
#define TEMPLATE_MAX_PARTIAL_DEPTH 32          /* partials rendering inside each other */
#define TEMPLATE_MAX_OUTPUT        (16u << 20) /* bytes of output */
#define TEMPLATE_MAX_STEPS         (1u << 20)  /* tags and text pieces rendered */
#define TEMPLATE_MAX_DELIMITER     16          /* bytes in a delimiter set by {{=… …=}} */

typedef struct Template Template;

/* Why parsing or rendering failed. source names the partial the error is in ("" for the template itself),
 * line and column (1-based, columns in characters) locate the tag; both are 0 when no place applies. */
typedef struct TemplateError {
        char source[128];
        unsigned line;
        unsigned column;
        char message[256];
} TemplateError;

/* Finds the partial called name. Returns 1 and sets *ret_text to a malloc()ed template text the caller
 * frees, 0 if there is no such partial (which renders as ""), or a negative errno that fails the render. */
typedef int (*TemplatePartialLookup)(const char *name, void *userdata, char **ret_text);

/* Parses a template. Returns 0, -EINVAL with ret_error filled in (if not NULL) for a malformed template
 * (unclosed or mismatched section, bad delimiter, bad tag, unknown helper, nesting too deep), -E2BIG for a
 * text over TEMPLATE_MAX_SIZE, or -ENOMEM. */
int template_parse(const char *text, Template **ret, TemplateError *ret_error);

/* Renders t against ctx (which may be NULL, json null). Partials are looked up through lookup (may be NULL:
 * no partials), each parsed once per render. Returns 0 and a malloc()ed NUL-terminated string, or a negative
 * errno with ret_error filled in (if not NULL): -EINVAL for a malformed partial or a value a helper refuses,
 * -ELOOP for partials nested deeper than TEMPLATE_MAX_PARTIAL_DEPTH, -E2BIG when output or work exceed
 * TEMPLATE_MAX_OUTPUT or TEMPLATE_MAX_STEPS, -ENOMEM, or the error the lookup returned. */
int template_render(const Template *t, struct json_object *ctx, TemplatePartialLookup lookup, void *userdata,
                    char **ret, TemplateError *ret_error);

/* Frees a template; accepts NULL, returns NULL. */
Template *template_free(Template *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(Template *, template_free);

/* Lookup over a json-c object (userdata) mapping partial names to template strings. */
int template_lookup_json(const char *name, void *userdata, char **ret_text);

/* Lookup in a directory: userdata points to an int, an fd of the directory opened O_DIRECTORY. The partial
 * "name" is the regular file "name.mustache" in it; names with '/' or a leading '.' are refused (-EINVAL) so
 * that a template cannot read outside the directory, and symlinks are not followed. Files are limited to
 * TEMPLATE_MAX_PARTIAL_SIZE bytes (-EFBIG). */
#define TEMPLATE_MAX_PARTIAL_SIZE (1u << 20)
int template_lookup_dir(const char *name, void *userdata, char **ret_text);
