/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "macro.h"
#include "update-version.h"

/* A numeric identifier: digits only, no leading zero (SemVer §2), and small enough not to wrap. */
static int parse_number(const char **p, uint64_t *ret) {
        const char *s = *p;
        uint64_t v = 0;
        size_t n = 0;

        while (isdigit((unsigned char) s[n])) {
                if (v > (UINT64_MAX - 9) / 10)
                        return -EINVAL;
                v = v * 10 + (uint64_t) (s[n] - '0');
                n++;
        }
        if (n == 0 || (n > 1 && s[0] == '0'))
                return -EINVAL;
        *p = s + n;
        *ret = v;
        return 0;
}

/* Dot-separated identifiers of [0-9A-Za-z-], none empty: what pre-release and build parts may hold. */
static bool identifiers_valid(const char *s, size_t n) {
        bool empty = true;

        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '.') {
                        if (empty)
                                return false;
                        empty = true;
                } else if (isalnum((unsigned char) s[i]) || s[i] == '-')
                        empty = false;
                else
                        return false;
        }
        return !empty;
}

int update_version_parse(const char *s, UpdateVersion *ret) {
        UpdateVersion v = {};
        const char *p = s, *plus;
        size_t n;

        if (!s || strlen(s) > UPDATE_VERSION_MAX)
                return -EINVAL;
        for (unsigned i = 0; i < 3; i++) {
                if (parse_number(&p, &v.number[i]) < 0)
                        return -EINVAL;
                if (*p != '.')
                        break;
                if (i == 2)
                        return -EINVAL;
                p++;
        }
        plus = strchr(p, '+');
        if (plus && !identifiers_valid(plus + 1, strlen(plus + 1)))
                return -EINVAL;
        n = plus ? (size_t) (plus - p) : strlen(p);
        if (n > 0) {
                if (p[0] != '-' || !identifiers_valid(p + 1, n - 1))
                        return -EINVAL;
                memcpy(v.prerelease, p + 1, n - 1);
        }
        *ret = v;
        return 0;
}

static bool all_digits(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!isdigit((unsigned char) s[i]))
                        return false;
        return true;
}

/* SemVer §11.4: identifiers compared left to right, numeric ones numerically and below alphanumeric
 * ones, and a shorter list first when all its identifiers are equal. */
static int compare_prerelease(const char *a, const char *b) {
        for (;;) {
                size_t na = strcspn(a, "."), nb = strcspn(b, ".");
                bool da = all_digits(a, na), db = all_digits(b, nb);
                int c;

                if (da && db)
                        c = na != nb ? (na < nb ? -1 : 1) : strncmp(a, b, na);
                else if (da != db)
                        c = da ? -1 : 1;
                else {
                        c = strncmp(a, b, MIN(na, nb));
                        if (c == 0 && na != nb)
                                c = na < nb ? -1 : 1;
                }
                if (c != 0)
                        return c;
                a += na;
                b += nb;
                if (*a == 0 || *b == 0)
                        return *a == *b ? 0 : (*a == 0 ? -1 : 1);
                a++;
                b++;
        }
}

int update_version_compare(const UpdateVersion *a, const UpdateVersion *b) {
        for (unsigned i = 0; i < 3; i++)
                if (a->number[i] != b->number[i])
                        return a->number[i] < b->number[i] ? -1 : 1;
        /* A release is newer than any of its pre-releases. */
        if (!a->prerelease[0] || !b->prerelease[0])
                return !a->prerelease[0] - !b->prerelease[0];
        return compare_prerelease(a->prerelease, b->prerelease);
}

int update_version_compare_str(const char *a, const char *b, int *ret) {
        UpdateVersion va, vb;

        if (update_version_parse(a, &va) < 0 || update_version_parse(b, &vb) < 0)
                return -EINVAL;
        *ret = update_version_compare(&va, &vb);
        return 0;
}
