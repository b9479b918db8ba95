/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "macro.h"

static const unsigned order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };

int uuid_parse_gpt(const char *s, uint8_t ret[16]) {
        unsigned k = 0;

        if (strlen(s) != 36)
                return -EINVAL;
        for (unsigned i = 0; i < 36;) {
                if (i == 8 || i == 13 || i == 18 || i == 23) {
                        if (s[i++] != '-')
                                return -EINVAL;
                        continue;
                }
                unsigned v;
                if (sscanf(s + i, "%2x", &v) != 1 || !strchr("0123456789abcdefABCDEF", s[i]) ||
                    !strchr("0123456789abcdefABCDEF", s[i + 1]))
                        return -EINVAL;
                ret[order[k++]] = (uint8_t) v;
                i += 2;
        }
        return 0;
}

static bool is_hex(const char *s, size_t len) {
        if (strlen(s) != len && len != 0)
                return false;
        for (; *s; s++)
                if (!strchr("0123456789abcdef", *s))
                        return false;
        return true;
}

int boot_params_parse(const char *cmdline, BootParams *ret, char *ret_bad, size_t bad_size) {
        BootParams p = { .set = 0 };
        bool have_root = false, have_verity = false, have_blocks = false, have_salt = false,
             have_hash = false;

        snprintf(p.init, sizeof(p.init), "%s", INIT_DEFAULT_INIT);
        for (const char *w = cmdline; *w;) {
                char word[1024];
                size_t len;

                w += strspn(w, " \t\n");
                len = strcspn(w, " \t\n");
                if (len == 0)
                        break;
                if (len >= sizeof(word)) {
                        snprintf(ret_bad, bad_size, "a command line word is longer than %zu bytes",
                                 sizeof(word));
                        return -EINVAL;
                }
                memcpy(word, w, len);
                word[len] = 0;
                w += len;

                char *v = strchr(word, '=');
                if (!v)
                        continue;
                *v++ = 0;
                if (streq(word, "bulkhead.set")) {
                        if (!streq(v, "a") && !streq(v, "b"))
                                goto bad;
                        p.set = v[0];
                } else if (streq(word, "bulkhead.root")) {
                        if (uuid_parse_gpt(v, p.root_uuid) < 0)
                                goto bad;
                        have_root = true;
                } else if (streq(word, "bulkhead.verity")) {
                        if (uuid_parse_gpt(v, p.verity_uuid) < 0)
                                goto bad;
                        have_verity = true;
                } else if (streq(word, "bulkhead.verity_blocks")) {
                        char *end;
                        errno = 0;
                        p.verity_blocks = strtoull(v, &end, 10);
                        if (errno || *end || p.verity_blocks == 0 || !strchr("123456789", v[0]))
                                goto bad;
                        have_blocks = true;
                } else if (streq(word, "bulkhead.verity_salt")) {
                        if (!streq(v, "-") && (strlen(v) % 2 || strlen(v) > 512 || !is_hex(v, 0)))
                                goto bad;
                        snprintf(p.salt_hex, sizeof(p.salt_hex), "%s", streq(v, "-") ? "" : v);
                        have_salt = true;
                } else if (streq(word, "roothash")) {
                        if (!is_hex(v, 64))
                                goto bad;
                        snprintf(p.roothash_hex, sizeof(p.roothash_hex), "%s", v);
                        have_hash = true;
                } else if (streq(word, "bulkhead.init")) {
                        if (v[0] != '/' || strlen(v) >= sizeof(p.init))
                                goto bad;
                        snprintf(p.init, sizeof(p.init), "%s", v);
                }
                continue;
        bad:
                snprintf(ret_bad, bad_size, "invalid %s=%s", word, v);
                return -EINVAL;
        }
        const char *missing = !p.set         ? "bulkhead.set"
                              : !have_root   ? "bulkhead.root"
                              : !have_verity ? "bulkhead.verity"
                              : !have_blocks ? "bulkhead.verity_blocks"
                              : !have_salt   ? "bulkhead.verity_salt"
                              : !have_hash   ? "roothash"
                                             : NULL;
        if (missing) {
                snprintf(ret_bad, bad_size, "missing %s= on the kernel command line", missing);
                return -EINVAL;
        }
        *ret = p;
        return 0;
}
