/* SPDX-License-Identifier: MIT */
/* The scalar types that are more than a pattern: checked by code so their rules are written once. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>

#include "settings-internal.h"

const char *settings_type_noun(SettingsType t) {
        static const char *const nouns[_SETTINGS_TYPE_MAX] = {
                [SETTINGS_OBJECT] = "an object",    [SETTINGS_MAP] = "an object",
                [SETTINGS_LIST] = "a list",         [SETTINGS_ONE_OF] = "one of its types",
                [SETTINGS_STRING] = "a string",     [SETTINGS_INTEGER] = "an integer",
                [SETTINGS_BOOL] = "a boolean",      [SETTINGS_ENUM] = "one of its values",
                [SETTINGS_BASE64] = "base64 data",  [SETTINGS_URL] = "a URL",
                [SETTINGS_IP] = "an IP address",    [SETTINGS_CIDR] = "a CIDR block",
                [SETTINGS_HOSTNAME] = "a hostname",
        };
        return t < _SETTINGS_TYPE_MAX ? nouns[t] : "?";
}

/* RFC 1123: dot-separated labels of letters, digits and inner hyphens, 1-63 bytes each, 253 in all; one
 * trailing dot (the root) is allowed. */
bool settings_is_hostname(const char *s) {
        size_t total = strlen(s);

        if (total == 0 || total > 253 || streq(s, "."))
                return false;
        while (*s) {
                size_t l = 0;

                while (isalnum((unsigned char) s[l]) || s[l] == '-')
                        l++;
                if (l == 0 || l > 63 || s[0] == '-' || s[l - 1] == '-')
                        return false;
                s += l;
                if (*s == '.')
                        s++;
                else if (*s)
                        return false;
        }
        return true;
}

bool settings_is_ip(const char *s) {
        unsigned char buf[sizeof(struct in6_addr)];

        return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

bool settings_is_cidr(const char *s) {
        const char *slash = strchr(s, '/');
        char addr[INET6_ADDRSTRLEN + 1];
        unsigned char buf[sizeof(struct in6_addr)];
        size_t alen = slash ? (size_t) (slash - s) : 0;
        char *end;
        long prefix;
        int max;

        if (!slash || alen == 0 || alen >= sizeof(addr) || !isdigit((unsigned char) slash[1]) ||
            strlen(slash + 1) > 3)
                return false;
        memcpy(addr, s, alen);
        addr[alen] = 0;
        if (inet_pton(AF_INET, addr, buf) == 1)
                max = 32;
        else if (inet_pton(AF_INET6, addr, buf) == 1)
                max = 128;
        else
                return false;
        errno = 0;
        prefix = strtol(slash + 1, &end, 10);
        return errno == 0 && !*end && prefix >= 0 && prefix <= max;
}

/* http:// or https://, a host (hostname, IPv4 address or [IPv6 address]), an optional port 1-65535, then an
 * optional path, query or fragment of printable ASCII without spaces. No user:password@, which would put
 * credentials where logs show them. */
bool settings_is_url(const char *s) {
        char host[256];
        const char *h, *e;
        size_t l;

        if (strneq(s, "https://", 8))
                h = s + 8;
        else if (strneq(s, "http://", 7))
                h = s + 7;
        else
                return false;
        if (*h == '[') {
                unsigned char buf[sizeof(struct in6_addr)];

                e = strchr(h, ']');
                if (!e || (size_t) (e - h - 1) >= sizeof(host))
                        return false;
                l = (size_t) (e - h - 1);
                memcpy(host, h + 1, l);
                host[l] = 0;
                if (inet_pton(AF_INET6, host, buf) != 1)
                        return false;
                e++;
        } else {
                l = strcspn(h, ":/?#");
                if (l == 0 || l >= sizeof(host))
                        return false;
                memcpy(host, h, l);
                host[l] = 0;
                if (!settings_is_hostname(host) && !settings_is_ip(host))
                        return false;
                e = h + l;
        }
        if (*e == ':') {
                unsigned long port = 0;
                size_t digits = 0;

                for (e++; isdigit((unsigned char) *e) && digits < 6; e++, digits++)
                        port = port * 10 + (unsigned long) (*e - '0');
                if (digits == 0 || port == 0 || port > 65535)
                        return false;
        }
        if (*e && *e != '/' && *e != '?' && *e != '#')
                return false;
        for (; *e; e++)
                if ((unsigned char) *e <= 0x20 || (unsigned char) *e >= 0x7f)
                        return false;
        return true;
}

/* Standard alphabet, padded to a multiple of 4, as Bottlerocket's ValidBase64 takes it. */
bool settings_is_base64(const char *s) {
        size_t l = strlen(s), pad = 0;

        if (l % 4 != 0)
                return false;
        for (size_t i = 0; i < l; i++) {
                unsigned char c = (unsigned char) s[i];

                if (c == '=') {
                        if (i < l - 2)
                                return false;
                        pad++;
                } else if (pad > 0 || !(isalnum(c) || c == '+' || c == '/'))
                        return false;
        }
        return true;
}
