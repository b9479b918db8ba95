/* SPDX-License-Identifier: MIT */
#pragma once

/* A TOML 1.0.0 parser whose result is a json-c tree, so that code handling settings works on one
 * representation whether the data came from the API (JSON) or from user data (TOML).
 *
 * Mapping: a table is a json object (keys in document order), an array a json array, an integer a json
 * int64, a float a json double (inf and nan included), a boolean a json boolean, a string a json string (it
 * may contain U+0000: use json_object_get_string_len()). The four date and time kinds are json strings
 * holding the normalised RFC 3339 text ("1979-05-27T07:32:00.5-07:00", "1979-05-27T07:32:00",
 * "1979-05-27", "07:32:00"; fractions truncated to nanoseconds), marked with a json-c serializer so that
 * toml_type() can tell them from strings while every json-c function still sees a plain string.
 *
 * json-c keys are C strings, so a U+0000 in a key (legal TOML: "\u0000" = 1) is stored as the two bytes
 * C0 80, which valid UTF-8 input can never produce. toml_json_serialize() writes it back as \u0000. */

#include <stddef.h>

struct json_object;

#define TOML_DEFAULT_MAX_DEPTH      64
#define TOML_DEFAULT_MAX_SIZE       (1024 * 1024)
#define TOML_DEFAULT_MAX_CONTAINERS 65536
/* Upper bound for TomlOptions.max_depth: the parser and the converters below recurse once per level. */
#define TOML_MAX_DEPTH_LIMIT 1024

typedef struct TomlOptions {
        /* Nesting of tables and arrays below the root (the value of a = [[1]] is two levels deep,
         * [a.b.c] three). 0 means TOML_DEFAULT_MAX_DEPTH. */
        size_t max_depth;
        /* Largest document accepted, in bytes. 0 means TOML_DEFAULT_MAX_SIZE. */
        size_t max_size;
        /* Most tables and arrays in a document, inline ones and the root included. Each costs json-c
         * several hundred bytes, so a 1 MiB document of "{}," alone would take ~300 MiB without this.
         * 0 means TOML_DEFAULT_MAX_CONTAINERS. */
        size_t max_containers;
} TomlOptions;

typedef struct TomlError {
        unsigned line;   /* 1-based */
        unsigned column; /* 1-based, counted in characters */
        /* "line 3, column 7: duplicate key 'a'", for a person to read. */
        char message[256];
} TomlError;

typedef enum TomlType {
        TOML_TYPE_INVALID, /* not something toml_parse() produces */
        TOML_TYPE_TABLE,
        TOML_TYPE_ARRAY,
        TOML_TYPE_STRING,
        TOML_TYPE_INTEGER,
        TOML_TYPE_FLOAT,
        TOML_TYPE_BOOL,
        TOML_TYPE_DATETIME,       /* offset date-time */
        TOML_TYPE_DATETIME_LOCAL, /* date-time without offset */
        TOML_TYPE_DATE_LOCAL,
        TOML_TYPE_TIME_LOCAL,
} TomlType;

/* Parses a TOML document of len bytes (it need not be NUL-terminated). options may be NULL for the
 * defaults. On success stores the root table in *ret (the caller owns it: json_object_put()) and returns 0.
 * On failure fills *ret_error (when not NULL) and returns -EINVAL for a document that is not valid TOML
 * 1.0.0, -EFBIG for one larger than max_size or with more than max_containers tables and arrays, -ELOOP for
 * one nested deeper than max_depth, -ENOMEM when out of memory, or -ERANGE (with no position, line and
 * column 0) for options beyond the limits above. */
int toml_parse(const char *text, size_t len, const TomlOptions *options, struct json_object **ret,
               TomlError *ret_error);

/* The TOML type of a value from toml_parse(); TOML_TYPE_INVALID for NULL or a json null. */
TomlType toml_type(struct json_object *value);
/* toml-test's name for a scalar type ("integer", "datetime-local", ...), "table"/"array", or NULL. */
const char *toml_type_to_string(TomlType type);

/* Converts a tree from toml_parse() to toml-test's tagged JSON: each scalar becomes
 * {"type": "<toml_type_to_string()>", "value": "<text>"}; tables and arrays keep their shape. Meant for
 * tests: a json-c object per scalar costs about 1 KiB, so a 1 MiB document may need hundreds of MiB.
 * Returns 0 and a new tree in *ret, -ENOMEM, -ELOOP for nesting deeper than TOML_MAX_DEPTH_LIMIT, or
 * -EINVAL for a tree holding a json null (which toml_parse() never produces). */
int toml_to_tagged_json(struct json_object *doc, struct json_object **ret);

/* Converts a tree from toml_parse() to plain JSON: dates and times become unmarked strings, and floats that
 * JSON cannot express become the strings "nan", "inf" and "-inf". Returns as toml_to_tagged_json(). */
int toml_to_json(struct json_object *doc, struct json_object **ret);

/* Formats a tree as JSON text with json-c's JSON_C_TO_STRING_* flags, writing keys holding U+0000 (see
 * above) as \u0000. Returns 0 and a string to free() in *ret, or -ENOMEM. */
int toml_json_serialize(struct json_object *value, int flags, char **ret);
