/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "template.h"

struct json_object;

typedef enum NodeType {
        NODE_TEXT,
        NODE_VARIABLE,
        NODE_HELPER,
        NODE_SECTION,
        NODE_INVERTED,
        NODE_PARTIAL,
        /* Only between lexing and building the tree. */
        NODE_CLOSE,
        NODE_COMMENT,
        NODE_DELIMITER,
} NodeType;

/* A dotted name, split once at parse time: parts holds "a\0b\0c\0" for "a.b.c". No parts means ".", the
 * top of the context stack. */
typedef struct Name {
        char *text;
        char *parts;
        size_t n_parts;
} Name;

/* A helper argument is a name to resolve or, when literal is set, a string given in the template. */
typedef struct HelperArg {
        Name name;
        struct json_object *literal;
} HelperArg;

typedef struct Buffer {
        char *data;
        size_t size;
        size_t allocated;
} Buffer;

typedef struct TemplateHelper {
        const char *name;
        unsigned min_args;
        unsigned max_args;
        /* Appends the result for the resolved arguments (NULL for null or missing) to out. On a value it
         * cannot take it returns -EINVAL with the message set in error. */
        int (*call)(struct json_object *const *args, size_t n_args, Buffer *out, TemplateError *error);
} TemplateHelper;

typedef struct Node Node;
struct Node {
        NodeType type;
        unsigned line;
        unsigned column;
        bool escape;     /* VARIABLE, HELPER: {{…}} rather than {{{…}}} or {{&…}} */
        bool standalone; /* alone on its line, which was removed from the output */
        /* TEXT: the text (points into Template.text). PARTIAL: the whitespace before a standalone tag, the
         * indentation every line of the partial gets. */
        const char *text;
        size_t size;
        Name name; /* VARIABLE, SECTION, INVERTED, CLOSE; PARTIAL: text only, never split */
        Node *children;
        size_t n_children;
        const TemplateHelper *helper;
        HelperArg *args;
        size_t n_args;
};

struct Template {
        char *text;
        Node *nodes;
        size_t n_nodes;
};

typedef struct NodeArray {
        Node *nodes;
        size_t size;
        size_t allocated;
} NodeArray;

/* template-lex.c: splits text into a flat list of nodes, text pieces ending at each newline so that lines
 * can be judged standalone, with set-delimiter tags applied as they come. */
int template_lex(const char *text, NodeArray *ret, TemplateError *error);
void node_done(Node *n);
int name_parse(const char *text, size_t size, Name *ret);
void name_done(Name *n);

/* template-helpers.c */
const TemplateHelper *template_helper_find(const char *name);

/* How values print as JSON: compact, and "/" as it is (JSON allows it unescaped; configs want it so). */
#define TEMPLATE_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* template-util.c */
int buffer_append(Buffer *b, const char *s, size_t n);
int buffer_append_str(Buffer *b, const char *s);
int buffer_append_html(Buffer *b, const char *s, size_t n);
void buffer_done(Buffer *b);
/* The text a value interpolates as: "" for null, a string as is, anything else as compact JSON. The result
 * lives as long as the value (or is static); -EINVAL if a string holds a NUL byte, which output cannot. */
int value_text(struct json_object *v, const char **ret, size_t *ret_size);
/* Sets the message (and only the message: the caller knows the place); returns error. */
int template_error_set(TemplateError *e, int error, const char *fmt, ...) _printf_(3, 4);
void template_error_place(TemplateError *e, const char *source, unsigned line, unsigned column);
