/* SPDX-License-Identifier: MIT */
#pragma once

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include "macro.h"
#include "toml.h"

/* A growable byte buffer, always NUL-terminated once something was appended. */
typedef struct TomlBuffer {
        char *data;
        size_t len, cap;
} TomlBuffer;

typedef struct TomlKeyPart {
        char *name;    /* NUL-terminated; U+0000 is stored as C0 80 (see toml.h) */
        size_t offset; /* where the part starts in the document, for messages */
} TomlKeyPart;

/* A dotted key: a.b."c" has three parts. */
typedef struct TomlKey {
        TomlKeyPart *parts;
        size_t n_parts;
} TomlKey;

typedef struct TomlParser {
        const char *text;
        size_t len;
        size_t pos;
        size_t max_depth;
        size_t max_containers, n_containers;

        struct json_object *root;
        /* Where key/value lines go: the root, the last [table] or the last [[array]] element. */
        struct json_object *table;
        size_t table_depth;
        /* Each [header] and each inline table opens a new section; see toml-table.c. */
        size_t section;
        size_t n_sections;

        /* Containers whose json-c userdata holds parse-time flags; cleared before the tree is returned. */
        struct json_object **flagged;
        size_t n_flagged, cap_flagged;

        TomlError *error;
        bool failed;
} TomlParser;

#define TOML_EOF           (-1)
#define TOML_CHAR_NAME_MAX 32

/* toml-parse.c: errors and lexing. Functions that fail report through toml_fail() (the first report wins)
 * and return its code; the toml_parse_*() functions start at the first byte of what they parse and leave
 * p->pos after it. */
int toml_fail(TomlParser *p, size_t offset, int code, const char *fmt, ...) _printf_(4, 5);
#define toml_error(p, offset, ...) toml_fail((p), (offset), -EINVAL, __VA_ARGS__)
int toml_oom(TomlParser *p);
int toml_peek(const TomlParser *p);
int toml_peek_at(const TomlParser *p, size_t ahead);
bool toml_looking_at(const TomlParser *p, const char *s);
void toml_skip_ws(TomlParser *p);
bool toml_is_control(int c);
/* Describes the character at offset for a message: "'x'", "end of line", "control character U+0007". */
const char *toml_char_name(const TomlParser *p, size_t offset, char buf[static TOML_CHAR_NAME_MAX]);
/* Skips one LF or CRLF if there is one; a CR without LF is an error. */
int toml_skip_newline(TomlParser *p, bool *ret_skipped);
int toml_skip_comment(TomlParser *p);
/* Skips blanks, comments and line breaks, as between array elements. */
int toml_skip_blank(TomlParser *p);
/* Quotes user text for a message: control characters replaced, long text cut with "...". */
void toml_quote(const char *s, size_t len, char *buf, size_t size);

/* toml-key.c */
int toml_parse_key(TomlParser *p, TomlKey *ret);
void toml_key_done(TomlKey *key);
/* The first n_parts parts as a dotted path for messages. */
void toml_key_describe(const TomlKey *key, size_t n_parts, char *buf, size_t size);

/* toml-table.c */
/* [key] or [[key]]: makes the table key lines go to from now on. */
int toml_open_table(TomlParser *p, const TomlKey *key, bool array);
/* Sets key = value in table (at depth), creating the tables of a dotted key. Takes value, also on failure.
 */
int toml_insert(TomlParser *p, struct json_object *table, size_t depth, const TomlKey *key,
                struct json_object *value);
/* Marks a finished inline table as complete: nothing may be added to it. */
int toml_mark_inline(TomlParser *p, struct json_object *table);
int toml_check_depth(TomlParser *p, size_t depth, size_t offset);
int toml_new_container(TomlParser *p, bool array, size_t offset, struct json_object **ret);
/* Removes the parse-time flags from every container, before the tree is handed out. */
void toml_clear_flags(TomlParser *p);

/* toml-value.c: depth is the level the value has if it is an array or inline table. */
int toml_parse_value(TomlParser *p, size_t depth, struct json_object **ret);

/* toml-string.c */
int toml_validate_utf8(TomlParser *p);
/* Any of the four kinds, at its opening quote; the unescaped content is appended to ret. */
int toml_parse_string(TomlParser *p, bool allow_multiline, TomlBuffer *ret);
int toml_buffer_append(TomlBuffer *b, const void *data, size_t len);
void toml_buffer_done(TomlBuffer *b);

/* toml-number.c: parse one token (the bytes of a value up to its delimiter) */
#define TOML_DOUBLE_MAX 40
/* Shortest text that reads back as d ("0.1", "1e+100", "nan", "-inf"), in the C locale. */
void toml_format_double(double d, char buf[static TOML_DOUBLE_MAX]);
int toml_parse_integer(TomlParser *p, const char *s, size_t len, size_t offset, struct json_object **ret);
int toml_parse_float(TomlParser *p, const char *s, size_t len, size_t offset, struct json_object **ret);

/* toml-datetime.c */
int toml_parse_datetime(TomlParser *p, const char *s, size_t len, size_t offset, struct json_object **ret);
/* A json string holding text, marked as a date or time; NULL when out of memory. */
struct json_object *toml_new_datetime(const char *text);
/* Which date or time kind normalised text is, TOML_TYPE_INVALID if none. */
TomlType toml_datetime_kind(const char *text, size_t len);
