/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "ready.h"

static int copy_value(const char *v, size_t len, char *ret, size_t size) {
        if (len >= size)
                return -ENOBUFS;
        memcpy(ret, v, len);
        ret[len] = 0;
        return 0;
}

int cmdline_get(const char *cmdline, const char *key, char *ret, size_t size) {
        size_t klen = strlen(key);

        for (const char *p = cmdline; *p;) {
                size_t wlen;

                p += strspn(p, " \t\n");
                wlen = strcspn(p, " \t\n");
                if (wlen > klen && strneq(p, key, klen) && p[klen] == '=')
                        return copy_value(p + klen + 1, wlen - klen - 1, ret, size);
                p += wlen;
        }
        return -ENOENT;
}

int os_release_get(const char *text, const char *key, char *ret, size_t size) {
        size_t klen = strlen(key);

        for (const char *p = text; *p;) {
                size_t llen = strcspn(p, "\n");

                if (llen > klen && strneq(p, key, klen) && p[klen] == '=') {
                        const char *v = p + klen + 1;
                        size_t vlen = llen - klen - 1;

                        if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
                                v++;
                                vlen -= 2;
                        }
                        return copy_value(v, vlen, ret, size);
                }
                p += llen + (p[llen] == '\n');
        }
        return -ENOENT;
}

int mount_facts(const char *mountinfo, const char *path, MountFacts *ret) {
        _cleanup_fclose_ FILE *f = fopen(mountinfo, "re");
        char line[4096];
        bool found = false;

        snprintf(ret->source, sizeof(ret->source), "-");
        snprintf(ret->fstype, sizeof(ret->fstype), "-");
        snprintf(ret->devnum, sizeof(ret->devnum), "-");
        ret->read_only = false;
        if (!f)
                return negative_errno();
        /* Fields: id parent maj:min root mountpoint options [optional…] - fstype source superoptions */
        while (fgets(line, sizeof(line), f)) {
                char mnt[1024], opts[256], fstype[32], source[128], devnum[24];
                const char *sep = strstr(line, " - ");

                if (!sep || sscanf(line, "%*s %*s %23s %*s %1023s %255s", devnum, mnt, opts) != 3)
                        continue;
                if (sscanf(sep + 3, "%31s %127s", fstype, source) != 2 || !streq(mnt, path))
                        continue;
                /* Later lines are mounted on top of earlier ones: the last match is what is visible. */
                snprintf(ret->source, sizeof(ret->source), "%s", source);
                snprintf(ret->fstype, sizeof(ret->fstype), "%s", fstype);
                snprintf(ret->devnum, sizeof(ret->devnum), "%s", devnum);
                ret->read_only = strneq(opts, "ro", 2) && (opts[2] == 0 || opts[2] == ',');
                found = true;
        }
        return found ? 0 : -ENOENT;
}

int block_device_describe(const char *sysfs, const char *devnum, char *ret_node, size_t size,
                          bool *ret_verity) {
        _cleanup_free_ char *path = NULL, *uevent = NULL, *uuid = NULL;
        const char *name;
        int r;

        *ret_verity = false;
        if (asprintf(&path, "%s/dev/block/%s/uevent", sysfs, devnum) < 0)
                return -ENOMEM;
        r = read_full_file(path, 64 * 1024, &uevent, NULL);
        if (r < 0)
                return r;
        name = strstr(uevent, "DEVNAME=");
        if (!name || (name != uevent && name[-1] != '\n'))
                return -ENOENT;
        name += strlen("DEVNAME=");
        r = snprintf(ret_node, size, "/dev/%.*s", (int) strcspn(name, "\n"), name);
        if (r < 0 || (size_t) r >= size)
                return -ENOBUFS;

        free(path);
        if (asprintf(&path, "%s/dev/block/%s/dm/uuid", sysfs, devnum) < 0)
                return -ENOMEM;
        if (read_full_file(path, 4096, &uuid, NULL) >= 0)
                *ret_verity = strneq(uuid, "BULKHEAD-VERITY-", strlen("BULKHEAD-VERITY-"));
        return 0;
}

int meminfo_parse(const char *text, MemoryUse *ret) {
        static const char *const keys[] = { "MemTotal", "MemFree",      "MemAvailable", "Buffers",
                                            "Cached",   "SReclaimable", "Shmem" };
        unsigned long long v[ELEMENTSOF(keys)];
        unsigned seen = 0;

        for (const char *line = text; line && *line;
             line = strchr(line, '\n'), line = line ? line + 1 : NULL)
                for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                        size_t n = strlen(keys[i]);

                        if (strneq(line, keys[i], n) && line[n] == ':' &&
                            sscanf(line + n + 1, "%llu", &v[i]) == 1)
                                seen |= 1u << i;
                }
        if (seen != (1u << ELEMENTSOF(keys)) - 1)
                return -EINVAL;
        /* total - free - buffers - (cached - shmem) - sreclaimable, clamped at zero. */
        unsigned long long not_used = v[1] + v[3] + v[4] + v[5] - v[6];
        ret->used = v[0] > not_used ? v[0] - not_used : 0;
        ret->unavailable = v[0] > v[2] ? v[0] - v[2] : 0;
        return 0;
}
