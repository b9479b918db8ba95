/* SPDX-License-Identifier: MIT */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tuf-glob.h"

/* Matches c against the class at p ("[...]", n bytes available). Returns the length of the class, or 0 if
 * p does not start a complete class (then '[' is an ordinary character). */
static size_t match_class(const char *p, size_t n, char c, bool *ret_match) {
        size_t i = 1;
        bool negate = false, match = false;

        if (i < n && p[i] == '!') {
                negate = true;
                i++;
        }
        /* A ']' right after the opening (or the '!') belongs to the class. */
        for (size_t first = i; i < n && (p[i] != ']' || i == first); i++) {
                if (i + 2 < n && p[i + 1] == '-' && p[i + 2] != ']') {
                        match = match || ((unsigned char) c >= (unsigned char) p[i] &&
                                          (unsigned char) c <= (unsigned char) p[i + 2]);
                        i += 2;
                } else
                        match = match || c == p[i];
        }
        if (i >= n)
                return 0;
        *ret_match = match != negate;
        return i + 1;
}

/* One pattern element (a character, '?' or a class) against c; returns the element's length, 0 if no
 * match. */
static size_t match_one(const char *p, size_t n, char c) {
        bool match;
        size_t len;

        if (*p == '?')
                return 1;
        if (*p == '[' && (len = match_class(p, n, c, &match)) > 0)
                return match ? len : 0;
        return *p == c ? 1 : 0;
}

/* One component: on a mismatch, go back to just after the last '*' and let it swallow one more
 * character. Earlier '*' never need to be revisited (the last one can absorb whatever they would have),
 * so the work is bounded by the pattern length times the text length. */
static bool match_component(const char *p, size_t pn, const char *s, size_t sn) {
        size_t pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;

        while (si < sn) {
                size_t len;

                if (pi < pn && p[pi] == '*') {
                        star_p = ++pi;
                        star_s = si;
                } else if (pi < pn && (len = match_one(p + pi, pn - pi, s[si])) > 0) {
                        pi += len;
                        si++;
                } else if (star_p != SIZE_MAX) {
                        pi = star_p;
                        si = ++star_s;
                } else
                        return false;
        }
        while (pi < pn && p[pi] == '*')
                pi++;
        return pi == pn;
}

bool tuf_glob_match(const char *pattern, const char *path) {
        for (;;) {
                size_t pn = strcspn(pattern, "/"), sn = strcspn(path, "/");

                if (!match_component(pattern, pn, path, sn))
                        return false;
                if ((pattern[pn] == 0) != (path[sn] == 0))
                        return false;
                if (pattern[pn] == 0)
                        return true;
                pattern += pn + 1;
                path += sn + 1;
        }
}
