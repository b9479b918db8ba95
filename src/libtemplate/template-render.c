/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <json-c/json.h>
#include <stdarg.h>

#include "template-internal.h"

/* A partial as first looked up in this render; template is NULL for a name the lookup did not know, so
 * that it is not asked again. */
typedef struct Partial {
        char *name;
        Template *template;
        struct Partial *next;
} Partial;

typedef struct Renderer {
        Buffer out;
        Buffer scratch; /* helper results, before escaping */
        struct json_object **stack;
        size_t n_stack;
        size_t allocated_stack;
        TemplatePartialLookup lookup;
        void *userdata;
        Partial *partials;
        unsigned depth; /* partials rendering inside each other */
        size_t steps;
        /* Standalone partials indent each of their lines: indent is written before the next output once
         * template text has ended a line (line_start). Values interpolated never start a line: the spec
         * indents the partial's text, not the data. */
        const char *indent;
        size_t indent_size;
        bool line_start;
        const char *source; /* the partial being rendered, NULL for the template */
        TemplateError *error;
} Renderer;

static int render_nodes(Renderer *r, const Node *nodes, size_t n);

_printf_(4, 5) static int fail(Renderer *r, const Node *n, int error, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(r->error->message, sizeof(r->error->message), fmt, ap);
        va_end(ap);
        template_error_place(r->error, r->source, n ? n->line : 0, n ? n->column : 0);
        return error;
}

static int output_failed(Renderer *r, const Node *n, int error) {
        if (error == -E2BIG)
                return fail(r, n, error, "output larger than %u bytes", TEMPLATE_MAX_OUTPUT);
        return fail(r, n, error, "%s", strerror(-error));
}

static int flush_indent(Renderer *r) {
        if (!r->line_start)
                return 0;
        r->line_start = false;
        return buffer_append(&r->out, r->indent, r->indent_size);
}

static int emit_text(Renderer *r, const Node *n) {
        const char *s = n->text;
        size_t size = n->size;

        while (size > 0) {
                const char *nl = memchr(s, '\n', size);
                size_t k = nl ? (size_t) (nl - s) + 1 : size;
                int e = flush_indent(r);

                if (e >= 0)
                        e = buffer_append(&r->out, s, k);
                if (e < 0)
                        return output_failed(r, n, e);
                r->line_start = nl;
                s += k;
                size -= k;
        }
        return 0;
}

static int emit_value(Renderer *r, const Node *n, const char *s, size_t size) {
        int e = flush_indent(r);

        if (e >= 0)
                e = n->escape ? buffer_append_html(&r->out, s, size) : buffer_append(&r->out, s, size);
        return e < 0 ? output_failed(r, n, e) : 0;
}

/* The spec's lookup: the first part in the innermost context that has it, each further part only in what
 * the one before resolved to. Returns whether the name resolved; *ret is NULL for json null too. */
static bool resolve(const Renderer *r, const Name *name, struct json_object **ret) {
        const char *part = name->parts;
        struct json_object *v = NULL;
        bool found = false;

        if (name->n_parts == 0) {
                *ret = r->stack[r->n_stack - 1];
                return true;
        }
        for (size_t k = r->n_stack; k > 0 && !found; k--)
                found = json_object_is_type(r->stack[k - 1], json_type_object) &&
                        json_object_object_get_ex(r->stack[k - 1], part, &v);
        for (size_t i = 1; found && i < name->n_parts; i++) {
                part += strlen(part) + 1;
                found = json_object_is_type(v, json_type_object) && json_object_object_get_ex(v, part, &v);
        }
        *ret = found ? v : NULL;
        return found;
}

static bool truthy(struct json_object *v) {
        switch (json_object_get_type(v)) {
        case json_type_null:
                return false;
        case json_type_boolean:
                return json_object_get_boolean(v);
        case json_type_string:
                return json_object_get_string_len(v) > 0;
        case json_type_array:
                return json_object_array_length(v) > 0;
        default:
                return true;
        }
}

static int step(Renderer *r, const Node *n) {
        if (++r->steps > TEMPLATE_MAX_STEPS)
                return fail(r, n, -E2BIG, "rendering takes more than %u steps", TEMPLATE_MAX_STEPS);
        return 0;
}

static int render_variable(Renderer *r, const Node *n) {
        struct json_object *v;
        const char *s;
        size_t size;

        (void) resolve(r, &n->name, &v);
        if (value_text(v, &s, &size) < 0)
                return fail(r, n, -EINVAL, "the value of '%s' contains a NUL byte", n->name.text);
        return emit_value(r, n, s, size);
}

static int render_helper(Renderer *r, const Node *n) {
        struct json_object *args[4];
        int e;

        assert(n->n_args <= ELEMENTSOF(args));
        for (size_t i = 0; i < n->n_args; i++) {
                args[i] = n->args[i].literal;
                if (!args[i])
                        (void) resolve(r, &n->args[i].name, &args[i]);
        }
        r->scratch.size = 0;
        e = n->helper->call(args, n->n_args, &r->scratch, r->error);
        if (e == -EINVAL) {
                template_error_place(r->error, r->source, n->line, n->column);
                return e;
        }
        if (e < 0)
                return output_failed(r, n, e);
        return emit_value(r, n, r->scratch.data ?: "", r->scratch.size);
}

static int render_in(Renderer *r, const Node *n, struct json_object *v) {
        int e;

        if (r->n_stack == r->allocated_stack) {
                size_t k = MAX(r->allocated_stack * 2, (size_t) 16);
                struct json_object **p = reallocarray(r->stack, k, sizeof(*p));

                if (!p)
                        return output_failed(r, n, -ENOMEM);
                r->stack = p;
                r->allocated_stack = k;
        }
        r->stack[r->n_stack++] = v;
        e = render_nodes(r, n->children, n->n_children);
        r->n_stack--;
        return e;
}

static int render_section(Renderer *r, const Node *n) {
        struct json_object *v;
        int e;

        (void) resolve(r, &n->name, &v);
        if (n->type == NODE_INVERTED)
                return truthy(v) ? 0 : render_nodes(r, n->children, n->n_children);
        if (!truthy(v))
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return render_in(r, n, v);
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                e = step(r, n);
                if (e >= 0)
                        e = render_in(r, n, json_object_array_get_idx(v, i));
                if (e < 0)
                        return e;
        }
        return 0;
}

/* Finds a partial among those this render has seen, else asks the lookup and parses what it returns. */
static int partial_get(Renderer *r, const Node *n, Partial **ret) {
        _cleanup_free_ char *text = NULL;
        Partial *p;
        int e = 0;

        for (p = r->partials; p; p = p->next)
                if (streq(p->name, n->name.text)) {
                        *ret = p;
                        return 0;
                }
        if (r->lookup)
                e = r->lookup(n->name.text, r->userdata, &text);
        if (e < 0)
                return fail(r, n, e, "cannot load partial '%s': %s", n->name.text, strerror(-e));
        p = calloc(1, sizeof(Partial));
        if (!p || !(p->name = strdup(n->name.text))) {
                free(p);
                return output_failed(r, n, -ENOMEM);
        }
        p->next = r->partials;
        r->partials = p;
        if (e > 0) {
                e = template_parse(text, &p->template, r->error);
                if (e < 0) {
                        (void) snprintf(r->error->source, sizeof(r->error->source), "%s", p->name);
                        return e;
                }
        }
        *ret = p;
        return 0;
}

static int render_partial(Renderer *r, const Node *n) {
        const char *saved_source = r->source, *saved_indent = r->indent;
        size_t saved_indent_size = r->indent_size;
        _cleanup_free_ char *indent = NULL;
        Partial *p = NULL;
        int e;

        e = partial_get(r, n, &p);
        if (e < 0 || !p->template)
                return e;
        if (r->depth >= TEMPLATE_MAX_PARTIAL_DEPTH)
                return fail(r, n, -ELOOP, "partials nested more than %d deep (does '%s' include itself?)",
                            TEMPLATE_MAX_PARTIAL_DEPTH, p->name);
        if (n->standalone) {
                /* The partial's lines start where the tag's line did, under the indentation so far. */
                indent = malloc(saved_indent_size + n->size + 1);
                if (!indent)
                        return output_failed(r, n, -ENOMEM);
                memcpy(indent, saved_indent, saved_indent_size);
                if (n->size > 0)
                        memcpy(indent + saved_indent_size, n->text, n->size);
                r->indent = indent;
                r->indent_size = saved_indent_size + n->size;
                r->line_start = true;
        } else {
                /* Inline, the partial's text is not on lines of its own to indent. */
                e = flush_indent(r);
                if (e < 0)
                        return output_failed(r, n, e);
                r->indent = "";
                r->indent_size = 0;
        }
        r->source = p->name;
        r->depth++;
        e = render_nodes(r, p->template->nodes, p->template->n_nodes);
        r->depth--;
        r->source = saved_source;
        r->indent = saved_indent;
        r->indent_size = saved_indent_size;
        return e;
}

static int render_nodes(Renderer *r, const Node *nodes, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const Node *node = &nodes[i];
                int e = step(r, node);

                if (e < 0)
                        return e;
                switch (node->type) {
                case NODE_TEXT:
                        e = emit_text(r, node);
                        break;
                case NODE_VARIABLE:
                        e = render_variable(r, node);
                        break;
                case NODE_HELPER:
                        e = render_helper(r, node);
                        break;
                case NODE_SECTION:
                case NODE_INVERTED:
                        e = render_section(r, node);
                        break;
                case NODE_PARTIAL:
                        e = render_partial(r, node);
                        break;
                default:
                        assert(false);
                }
                if (e < 0)
                        return e;
        }
        return 0;
}

int template_render(const Template *t, struct json_object *ctx, TemplatePartialLookup lookup, void *userdata,
                    char **ret, TemplateError *ret_error) {
        TemplateError local;
        Renderer r = { .lookup = lookup,
                       .userdata = userdata,
                       .indent = "",
                       .line_start = true,
                       .error = ret_error ?: &local };
        Node root = { .type = NODE_SECTION, .children = t->nodes, .n_children = t->n_nodes };
        int e;

        *r.error = (TemplateError){};
        e = render_in(&r, &root, ctx);
        if (e >= 0 && !r.out.data) {
                r.out.data = strdup("");
                if (!r.out.data)
                        e = fail(&r, NULL, -ENOMEM, "out of memory");
        }
        free(r.stack);
        buffer_done(&r.scratch);
        while (r.partials) {
                Partial *p = r.partials;

                r.partials = p->next;
                template_free(p->template);
                free(p->name);
                free(p);
        }
        if (e < 0) {
                buffer_done(&r.out);
                return e;
        }
        *ret = r.out.data;
        return 0;
}
