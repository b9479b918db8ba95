/* SPDX-License-Identifier: MIT */
#include <json-c/json.h>
#include <stdarg.h>

#include "template-internal.h"

void node_done(Node *n) {
        name_done(&n->name);
        for (size_t i = 0; i < n->n_children; i++)
                node_done(&n->children[i]);
        free(n->children);
        for (size_t i = 0; i < n->n_args; i++) {
                name_done(&n->args[i].name);
                json_object_put(n->args[i].literal);
        }
        free(n->args);
        *n = (Node){};
}

static void node_array_done(NodeArray *a) {
        for (size_t i = 0; i < a->size; i++)
                node_done(&a->nodes[i]);
        free(a->nodes);
        *a = (NodeArray){};
}

static bool may_stand_alone(NodeType t) {
        return t == NODE_SECTION || t == NODE_INVERTED || t == NODE_CLOSE || t == NODE_COMMENT ||
               t == NODE_PARTIAL || t == NODE_DELIMITER;
}

static bool ends_line(const Node *n) {
        return n->type == NODE_TEXT && n->text[n->size - 1] == '\n';
}

/* Spaces and tabs, then the end of the line ("\n" or "\r\n") or of the template. */
static bool is_blank(const Node *n) {
        size_t k = n->size;

        if (k > 0 && n->text[k - 1] == '\n')
                k -= k > 1 && n->text[k - 2] == '\r' ? 2 : 1;
        for (size_t i = 0; i < k; i++)
                if (n->text[i] != ' ' && n->text[i] != '\t')
                        return false;
        return true;
}

/* The spec's standalone rule: a line holding one section, inverted, close, comment, partial or delimiter tag
 * and otherwise only whitespace is left out of the output entirely, its newline included. The whitespace
 * before a standalone partial becomes the indentation of the partial's lines. Text nodes end at newlines,
 * so a line is the nodes up to the next text that ends one. */
static void strip_standalone(NodeArray *a) {
        for (size_t first = 0, last; first < a->size; first = last + 1) {
                size_t tags = 0, tag = 0;
                bool blank = true;

                for (last = first; last + 1 < a->size && !ends_line(&a->nodes[last]); last++)
                        ;
                for (size_t i = first; i <= last; i++) {
                        if (a->nodes[i].type != NODE_TEXT) {
                                tags++;
                                tag = i;
                        } else if (!is_blank(&a->nodes[i]))
                                blank = false;
                }
                if (tags != 1 || !blank || !may_stand_alone(a->nodes[tag].type))
                        continue;
                a->nodes[tag].standalone = true;
                if (a->nodes[tag].type == NODE_PARTIAL && tag > first) {
                        a->nodes[tag].text = a->nodes[first].text;
                        a->nodes[tag].size = a->nodes[first].size;
                }
                for (size_t i = first; i <= last; i++)
                        if (a->nodes[i].type == NODE_TEXT)
                                a->nodes[i].size = 0;
        }
}

typedef struct Builder {
        NodeArray flat;
        size_t next;
        TemplateError *error;
} Builder;

/* Moves node to the end of the array *nodes (of *n, room for *allocated), which owns what it points to
 * from then on. */
static int append(Node **nodes, size_t *n, size_t *allocated, Node *node) {
        if (*n == *allocated) {
                size_t k = MAX(*allocated * 2, (size_t) 8);
                Node *p = reallocarray(*nodes, k, sizeof(Node));

                if (!p)
                        return -ENOMEM;
                *nodes = p;
                *allocated = k;
        }
        (*nodes)[(*n)++] = *node;
        *node = (Node){};
        return 0;
}

_printf_(3, 4) static int fail_at(Builder *b, const Node *n, const char *fmt, ...) {
        va_list ap;

        if (b->error) {
                va_start(ap, fmt);
                (void) vsnprintf(b->error->message, sizeof(b->error->message), fmt, ap);
                va_end(ap);
                template_error_place(b->error, NULL, n->line, n->column);
        }
        return -EINVAL;
}

/* Moves nodes from the flat list into *ret until the close tag of open (or the end when open is NULL). */
static int build(Builder *b, const Node *open, unsigned depth, Node **ret, size_t *ret_n) {
        size_t allocated = 0;
        int r;

        while (b->next < b->flat.size) {
                Node *n = &b->flat.nodes[b->next++];

                switch (n->type) {
                case NODE_TEXT:
                        if (n->size == 0)
                                continue;
                        break;
                case NODE_COMMENT:
                case NODE_DELIMITER:
                        continue;
                case NODE_CLOSE:
                        if (!open)
                                return fail_at(b, n, "closing tag '%s' without an open section",
                                               n->name.text);
                        if (!streq(n->name.text, open->name.text))
                                return fail_at(
                                        b, n,
                                        "mismatched closing tag '%s' (section '%s' opened at line %u, "
                                        "column %u)",
                                        n->name.text, open->name.text, open->line, open->column);
                        return 0;
                case NODE_SECTION:
                case NODE_INVERTED:
                        if (depth >= TEMPLATE_MAX_NESTING)
                                return fail_at(b, n, "sections nested more than %d deep",
                                               TEMPLATE_MAX_NESTING);
                        r = build(b, n, depth + 1, &n->children, &n->n_children);
                        if (r < 0)
                                return r;
                        break;
                default:
                        break;
                }
                r = append(ret, ret_n, &allocated, n);
                if (r < 0)
                        return r;
        }
        if (open)
                return fail_at(b, open, "unclosed section '%s'", open->name.text);
        return 0;
}

int template_parse(const char *text, Template **ret, TemplateError *ret_error) {
        _cleanup_(template_freep) Template *t = NULL;
        Builder b = { .error = ret_error };
        int r;

        if (ret_error)
                *ret_error = (TemplateError){};
        if (strnlen(text, TEMPLATE_MAX_SIZE + 1) > TEMPLATE_MAX_SIZE)
                return template_error_set(ret_error, -E2BIG, "template larger than %u bytes",
                                          TEMPLATE_MAX_SIZE);
        t = calloc(1, sizeof(Template));
        if (!t)
                return -ENOMEM;
        t->text = strdup(text);
        if (!t->text)
                return -ENOMEM;
        r = template_lex(t->text, &b.flat, ret_error);
        if (r >= 0) {
                strip_standalone(&b.flat);
                r = build(&b, NULL, 0, &t->nodes, &t->n_nodes);
        }
        node_array_done(&b.flat);
        if (r == -ENOMEM)
                template_error_set(ret_error, r, "out of memory");
        if (r < 0)
                return r;
        *ret = TAKE_PTR(t);
        return 0;
}

Template *template_free(Template *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_nodes; i++)
                node_done(&t->nodes[i]);
        free(t->nodes);
        free(t->text);
        free(t);
        return NULL;
}
