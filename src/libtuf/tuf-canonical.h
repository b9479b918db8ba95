/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

/* OLPC canonical JSON as TUF signs it (securesystemslib's encode_canonical): object members sorted by key
 * (bytewise on UTF-8, which is code point order), no whitespace, strings with only '"' and '\' escaped and
 * every other byte verbatim, integers only, true/false/null.
 *
 * Writes the canonical form of o to a new NUL-terminated buffer. Returns 0, -EDOM for a floating point
 * number (not representable in canonical JSON), -ELOOP beyond TUF_JSON_MAX_DEPTH levels, or -ENOMEM. */
int tuf_canonical_json(json_object *o, char **ret, size_t *ret_size);
