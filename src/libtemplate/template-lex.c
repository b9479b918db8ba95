/* SPDX-License-Identifier: MIT */
#include <json-c/json.h>
#include <stdarg.h>

#include "template-internal.h"

typedef struct Lexer {
        const char *text;
        size_t size;
        size_t pos; /* how far line and column have been counted */
        unsigned line;
        unsigned column;
        char open[TEMPLATE_MAX_DELIMITER + 1];
        char close[TEMPLATE_MAX_DELIMITER + 1];
        NodeArray *nodes;
        TemplateError *error;
} Lexer;

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char **s, size_t *n) {
        while (*n > 0 && is_space(**s)) {
                (*s)++;
                (*n)--;
        }
        while (*n > 0 && is_space((*s)[*n - 1]))
                (*n)--;
}

static bool has_space(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (is_space(s[i]))
                        return true;
        return false;
}

/* Counts lines and columns up to offset to; a column is a character, so UTF-8 continuation bytes do not
 * count, and people find the place an editor shows them. */
static void lexer_advance(Lexer *l, size_t to) {
        for (; l->pos < to; l->pos++) {
                unsigned char c = (unsigned char) l->text[l->pos];

                if (c == '\n') {
                        l->line++;
                        l->column = 1;
                } else if ((c & 0xc0) != 0x80)
                        l->column++;
        }
}

/* Errors name the tag being lexed: the place the lexer was advanced to. */
_printf_(2, 3) static int lexer_fail(Lexer *l, const char *fmt, ...) {
        va_list ap;

        if (l->error) {
                va_start(ap, fmt);
                (void) vsnprintf(l->error->message, sizeof(l->error->message), fmt, ap);
                va_end(ap);
                template_error_place(l->error, NULL, l->line, l->column);
        }
        return -EINVAL;
}

static Node *node_new(Lexer *l, NodeType type) {
        NodeArray *a = l->nodes;

        if (a->size == a->allocated) {
                size_t n = MAX(a->allocated * 2, (size_t) 32);
                Node *p = reallocarray(a->nodes, n, sizeof(Node));

                if (!p)
                        return NULL;
                a->nodes = p;
                a->allocated = n;
        }
        a->nodes[a->size] = (Node){ .type = type, .line = l->line, .column = l->column };
        return &a->nodes[a->size++];
}

void name_done(Name *n) {
        free(n->text);
        free(n->parts);
        *n = (Name){};
}

int name_parse(const char *text, size_t size, Name *ret) {
        Name n = {};

        if (size == 0)
                return -EINVAL;
        n.text = strndup(text, size);
        if (!n.text)
                return -ENOMEM;
        if (!streq(n.text, ".")) {
                n.parts = strdup(n.text);
                if (!n.parts) {
                        name_done(&n);
                        return -ENOMEM;
                }
                n.n_parts = 1;
                for (size_t i = 0; i < size; i++)
                        if (n.parts[i] == '.') {
                                n.parts[i] = 0;
                                n.n_parts++;
                        }
                /* "a..b", ".a" and "a." name nothing: refuse them rather than guess. */
                for (size_t i = 0; i < size; i++)
                        if (n.parts[i] == 0 && (i == 0 || i == size - 1 || n.parts[i + 1] == 0)) {
                                name_done(&n);
                                return -EINVAL;
                        }
        }
        *ret = n;
        return 0;
}

static int lex_name(Lexer *l, Node *node, const char *s, size_t n) {
        int r;

        if (n == 0)
                return lexer_fail(l, "empty tag name");
        if (has_space(s, n))
                return lexer_fail(l, "whitespace in a section name");
        r = name_parse(s, n, &node->name);
        if (r == -EINVAL)
                return lexer_fail(l, "'%.*s' is not a valid name", (int) MIN(n, (size_t) 100), s);
        return r;
}

/* A double-quoted helper argument with \\, \", \n and \t escapes, starting at s[*i] == '"'. */
static int lex_literal(Lexer *l, const char *s, size_t n, size_t *i, struct json_object **ret) {
        _cleanup_free_ char *v = malloc(n);
        size_t k = 0;

        if (!v)
                return -ENOMEM;
        for ((*i)++; *i < n && s[*i] != '"'; (*i)++) {
                char c = s[*i];

                if (c == '\\') {
                        if (++(*i) >= n)
                                break;
                        if (!strchr("\\\"nt", s[*i]))
                                return lexer_fail(l, "unknown escape '\\%c' in a helper argument", s[*i]);
                        c = s[*i] == 'n' ? '\n' : s[*i] == 't' ? '\t' : s[*i];
                }
                v[k++] = c;
        }
        if (*i >= n)
                return lexer_fail(l, "unterminated string in a helper argument");
        (*i)++;
        if (*i < n && !is_space(s[*i]))
                return lexer_fail(l, "no space after a string in a helper argument");
        *ret = json_object_new_string_len(v, (int) k);
        return *ret ? 0 : -ENOMEM;
}

static int lex_helper_arg(Lexer *l, Node *node, const char *s, size_t n, size_t *i) {
        HelperArg *a;
        size_t start = *i;

        if (node->n_args >= node->helper->max_args)
                return lexer_fail(l, "too many arguments for helper '%s'", node->helper->name);
        a = reallocarray(node->args, node->n_args + 1, sizeof(HelperArg));
        if (!a)
                return -ENOMEM;
        node->args = a;
        a = &node->args[node->n_args++];
        *a = (HelperArg){};
        if (s[*i] == '"')
                return lex_literal(l, s, n, i, &a->literal);
        while (*i < n && !is_space(s[*i]))
                (*i)++;
        if (name_parse(s + start, *i - start, &a->name) < 0)
                return lexer_fail(l, "'%.*s' is not a valid name", (int) MIN(*i - start, (size_t) 100),
                                  s + start);
        return 0;
}

/* "name arg…": a helper call (see template.h). */
static int lex_helper(Lexer *l, Node *node, const char *s, size_t n) {
        size_t i = 0;
        int r;

        while (i < n && !is_space(s[i]))
                i++;
        _cleanup_free_ char *name = strndup(s, i);
        if (!name)
                return -ENOMEM;
        node->type = NODE_HELPER;
        node->helper = template_helper_find(name);
        if (!node->helper)
                return lexer_fail(l, "unknown helper '%s'", name);
        for (;;) {
                while (i < n && is_space(s[i]))
                        i++;
                if (i >= n)
                        break;
                r = lex_helper_arg(l, node, s, n, &i);
                if (r < 0)
                        return r;
        }
        if (node->n_args < node->helper->min_args)
                return lexer_fail(l, "too few arguments for helper '%s'", node->helper->name);
        return 0;
}

/* "{{=<% %>=}}": two words, neither containing '=', which would make the next such tag ambiguous. The
 * content is trimmed, so the words are what lies either side of the first run of whitespace. */
static int lex_delimiters(Lexer *l, const char *s, size_t n) {
        size_t a = 0, b;

        while (a < n && !is_space(s[a]))
                a++;
        for (b = a; b < n && is_space(s[b]); b++)
                ;
        if (a == 0 || b == n || has_space(s + b, n - b))
                return lexer_fail(l, "bad delimiter tag: expected two delimiters separated by space");
        if (a > TEMPLATE_MAX_DELIMITER || n - b > TEMPLATE_MAX_DELIMITER)
                return lexer_fail(l, "bad delimiter tag: a delimiter is longer than %d bytes",
                                  TEMPLATE_MAX_DELIMITER);
        if (memchr(s, '=', a) || memchr(s + b, '=', n - b))
                return lexer_fail(l, "bad delimiter tag: a delimiter contains '='");
        memcpy(l->open, s, a);
        l->open[a] = 0;
        memcpy(l->close, s + b, n - b);
        l->close[n - b] = 0;
        return 0;
}

static int lex_content(Lexer *l, Node *node, char sigil, const char *s, size_t n) {
        switch (sigil) {
        case '!':
                node->type = NODE_COMMENT;
                return 0;
        case '=':
                node->type = NODE_DELIMITER;
                return lex_delimiters(l, s, n);
        case '#':
        case '^':
        case '/':
                node->type = sigil == '#' ? NODE_SECTION : sigil == '^' ? NODE_INVERTED : NODE_CLOSE;
                return lex_name(l, node, s, n);
        case '>':
                node->type = NODE_PARTIAL;
                if (n > 0 && s[0] == '*')
                        return lexer_fail(l, "dynamic partial names are not supported");
                if (n == 0 || has_space(s, n))
                        return lexer_fail(l, "bad partial name");
                node->name.text = strndup(s, n);
                return node->name.text ? 0 : -ENOMEM;
        case '<':
        case '$':
                return lexer_fail(l, "template inheritance is not supported");
        default:
                node->type = NODE_VARIABLE;
                node->escape = sigil != '{' && sigil != '&';
                if (has_space(s, n))
                        return lex_helper(l, node, s, n);
                return lex_name(l, node, s, n);
        }
}

/* Lexes the tag whose open delimiter starts at l->pos. */
static int lex_tag(Lexer *l) {
        size_t content = l->pos + strlen(l->open);
        char sigil = l->text[content], end[TEMPLATE_MAX_DELIMITER + 2];
        const char *e, *s;
        size_t start = content, n;
        Node *node;
        int r;

        if (sigil && strchr("!=#^/>{&<$", sigil))
                start++;
        (void) snprintf(end, sizeof(end), "%s%s", sigil == '{' ? "}" : sigil == '=' ? "=" : "", l->close);
        e = memmem(l->text + start, l->size - start, end, strlen(end));
        if (!e)
                return lexer_fail(l, "%s: no '%s' after it",
                                  sigil == '=' ? "bad delimiter tag" : "unclosed tag", end);
        node = node_new(l, NODE_VARIABLE);
        if (!node)
                return -ENOMEM;
        s = l->text + start;
        n = (size_t) (e - s);
        trim(&s, &n);
        r = lex_content(l, node, sigil, s, n);
        if (r < 0)
                return r;
        lexer_advance(l, (size_t) (e - l->text) + strlen(end));
        return 0;
}

static int lex_text(Lexer *l, size_t end) {
        while (l->pos < end) {
                const char *nl = memchr(l->text + l->pos, '\n', end - l->pos);
                size_t stop = nl ? (size_t) (nl - l->text) + 1 : end;
                Node *n = node_new(l, NODE_TEXT);

                if (!n)
                        return -ENOMEM;
                n->text = l->text + l->pos;
                n->size = stop - l->pos;
                lexer_advance(l, stop);
        }
        return 0;
}

int template_lex(const char *text, NodeArray *ret, TemplateError *error) {
        Lexer l = { .text = text,
                    .size = strlen(text),
                    .line = 1,
                    .column = 1,
                    .open = "{{",
                    .close = "}}",
                    .nodes = ret,
                    .error = error };
        int r;

        while (l.pos < l.size) {
                const char *tag = memmem(text + l.pos, l.size - l.pos, l.open, strlen(l.open));
                size_t stop = tag ? (size_t) (tag - text) : l.size;

                r = lex_text(&l, stop);
                if (r < 0)
                        return r;
                if (tag) {
                        r = lex_tag(&l);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}
