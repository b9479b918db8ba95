/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* Whether path matches a delegation's PATHPATTERN. As the specification reads it (and python-tuf
 * implements it), matching is glob-like: pattern and path are split at '/', must have as many components,
 * and each component is matched with shell wildcards: '*' (any run of characters), '?' (one character) and
 * '[...]' classes with ranges and '!' negation; a '[' without its ']' is literal, and there is no escape
 * character. Wildcards never match '/'.
 *
 * Written here rather than taken from fnmatch(3), whose backtracking is exponential in the number of
 * '*' on adversarial patterns; this is O(length of pattern * length of path). */
bool tuf_glob_match(const char *pattern, const char *path);
