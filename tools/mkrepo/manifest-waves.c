/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "manifest.h"
#include "tuf-error.h"

bool manifest_name_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > MANIFEST_NAME_MAX || streq(s, ".") || streq(s, ".."))
                return false;
        return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-") == n;
}

/* One decimal offset in hours, ended by ',' or the end of the string. */
static int parse_hours(const char **p, int64_t *ret) {
        int64_t v = 0;
        const char *s = *p;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        for (; *s >= '0' && *s <= '9'; s++) {
                v = v * 10 + (*s - '0');
                if (v > MANIFEST_MAX_HOURS)
                        return -ERANGE;
        }
        if (*s != ',' && *s != 0)
                return -EINVAL;
        *p = *s == ',' ? s + 1 : s;
        *ret = v;
        return 0;
}

int manifest_waves_parse(const char *spec, ManifestWave **ret, size_t *ret_n, char **ret_error) {
        _cleanup_free_ ManifestWave *w = calloc(MANIFEST_MAX_WAVES, sizeof(ManifestWave));
        const char *p = spec;
        unsigned first = 0;
        size_t n = 0;
        int r;

        if (!w)
                return -ENOMEM;
        if (*p == 0)
                return tuf_error(ret_error, -EINVAL, "waves '%s': no start offset", spec);
        while (*p) {
                if (n == MANIFEST_MAX_WAVES)
                        return tuf_error(ret_error, -EINVAL, "waves '%s': more than %d waves", spec,
                                         MANIFEST_MAX_WAVES);
                r = parse_hours(&p, &w[n].start_hours);
                if (r == -ERANGE)
                        return tuf_error(ret_error, -EINVAL,
                                         "waves '%s': wave %zu starts after more than %d hours", spec, n,
                                         MANIFEST_MAX_HOURS);
                if (r < 0 || (*p == 0 && p[-1] == ','))
                        return tuf_error(ret_error, -EINVAL,
                                         "waves '%s': expected comma-separated start offsets in hours",
                                         spec);
                if (n > 0 && w[n].start_hours < w[n - 1].start_hours)
                        return tuf_error(ret_error, -EINVAL,
                                         "waves '%s': wave %zu starts before wave %zu; waves go in order",
                                         spec, n, n - 1);
                n++;
        }
        /* Even shares; the first MANIFEST_SEEDS % n waves take one seed more. */
        for (size_t i = 0; i < n; i++) {
                unsigned share = MANIFEST_SEEDS / (unsigned) n + (i < MANIFEST_SEEDS % n ? 1 : 0);

                w[i].first_seed = first;
                w[i].last_seed = first + share - 1;
                first += share;
        }
        *ret = TAKE_PTR(w);
        *ret_n = n;
        return 0;
}

int manifest_waves_check(const ManifestWave *w, size_t n, char **ret_error) {
        unsigned next = 0;

        if (n == 0 || n > MANIFEST_MAX_WAVES)
                return tuf_error(ret_error, -EINVAL, "%zu waves; 1 to %d are allowed", n,
                                 MANIFEST_MAX_WAVES);
        for (size_t i = 0; i < n; i++) {
                if (w[i].first_seed != next || w[i].last_seed < w[i].first_seed ||
                    w[i].last_seed >= MANIFEST_SEEDS)
                        return tuf_error(ret_error, -EINVAL,
                                         "wave %zu covers seeds %u-%u; expected a range starting at %u", i,
                                         w[i].first_seed, w[i].last_seed, next);
                if (w[i].start_hours < 0 || w[i].start_hours > MANIFEST_MAX_HOURS ||
                    (i > 0 && w[i].start_hours < w[i - 1].start_hours))
                        return tuf_error(ret_error, -EINVAL,
                                         "wave %zu starts at %" PRId64 " hours: offsets must be 0 to %d and "
                                         "not decrease",
                                         i, w[i].start_hours, MANIFEST_MAX_HOURS);
                next = w[i].last_seed + 1;
        }
        if (next != MANIFEST_SEEDS)
                return tuf_error(ret_error, -EINVAL, "waves cover seeds up to %u, not all %d", next,
                                 MANIFEST_SEEDS);
        return 0;
}

const ManifestWave *manifest_wave_of(const ManifestWave *w, size_t n, unsigned seed) {
        for (size_t i = 0; i < n; i++)
                if (seed >= w[i].first_seed && seed <= w[i].last_seed)
                        return &w[i];
        return NULL;
}

int manifest_start_time(TufTime released, const ManifestWave *w, size_t n, unsigned seed, TufTime *ret) {
        const ManifestWave *wave = manifest_wave_of(w, n, seed);

        if (!wave)
                return -ERANGE;
        *ret = (TufTime){ .sec = released.sec + wave->start_hours * 3600, .nsec = released.nsec };
        return 0;
}
