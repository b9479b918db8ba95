/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"
#include "mkdisk.h"

static const struct {
        const char *name, *guid;
} types[] = {
        { "esp", GPT_TYPE_ESP },
        { "root-x86-64", GPT_TYPE_ROOT_X86_64 },
        { "root-x86-64-verity", GPT_TYPE_ROOT_X86_64_VERITY },
        { "linux-data", GPT_TYPE_LINUX_DATA },
};

_printf_(2, 3) static int error(char **ret_error, const char *fmt, ...) {
        va_list ap;

        free(*ret_error);
        *ret_error = NULL;
        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return -EINVAL;
}

int disk_part_parse(const char *spec, DiskPart *ret, char **ret_error) {
        _cleanup_free_ char *copy = strdup(spec);
        char *field[5] = {}, *save = NULL, *end;
        unsigned n = 0;
        DiskPart p = {};
        bool found = false;

        if (!copy)
                return -ENOMEM;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (n == 5)
                        return error(ret_error, "too many fields (NAME,TYPE,SIZE_MIB,UUID[,CONTENT_FILE])");
                field[n++] = tok;
        }
        if (n < 4)
                return error(ret_error, "expected NAME,TYPE,SIZE_MIB,UUID[,CONTENT_FILE]");
        if (strlen(field[0]) == 0 || strlen(field[0]) > GPT_NAME_MAX)
                return error(ret_error, "name must be 1 to %d characters", GPT_NAME_MAX);
        snprintf(p.name, sizeof(p.name), "%s", field[0]);
        for (size_t i = 0; i < ELEMENTSOF(types); i++)
                if (streq(field[1], types[i].name)) {
                        (void) gpt_guid_parse(types[i].guid, p.type);
                        found = true;
                }
        if (!found)
                return error(ret_error,
                             "unknown type '%s' (esp, root-x86-64, root-x86-64-verity, linux-data)",
                             field[1]);
        errno = 0;
        p.size_mib = strtoull(field[2], &end, 10);
        if (errno || *end || p.size_mib == 0 || p.size_mib > (1ULL << 32))
                return error(ret_error, "size '%s' is not a number of MiB", field[2]);
        if (gpt_guid_parse(field[3], p.uuid) < 0)
                return error(ret_error, "'%s' is not a UUID", field[3]);
        p.content = n == 5 ? spec + (field[4] - copy) : NULL;
        *ret = p;
        return 0;
}

/* Copies a file into the image at offset, skipping all-zero blocks so that the image stays sparse. */
static int copy_content(int out, const char *path, uint64_t offset, char **ret_error) {
        _cleanup_close_ int in = open(path, O_RDONLY | O_CLOEXEC);
        static uint8_t buf[1 << 20];

        if (in < 0)
                return error(ret_error, "cannot open '%s': %s", path, strerror(errno));
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                if (n < 0)
                        return error(ret_error, "cannot read '%s': %s", path, strerror(errno));
                if (n == 0)
                        return 0;
                for (ssize_t o = 0; o < n; o += 4096) {
                        size_t len = (size_t) MIN((ssize_t) 4096, n - o);
                        bool zero = true;
                        for (size_t i = 0; i < len && zero; i++)
                                zero = buf[o + i] == 0;
                        if (!zero && pwrite_full(out, buf + o, len, (off_t) (offset + (uint64_t) o)) < 0)
                                return error(ret_error, "cannot write the image: %s", strerror(errno));
                }
                offset += (uint64_t) n;
        }
}

int disk_write(const char *path, uint64_t size, const uint8_t disk_guid[16], const DiskPart *parts,
               unsigned n, char **ret_error) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        uint64_t need = GPT_ALIGN_SECTORS, start[GPT_ENTRIES];
        GptTable t;
        int r;

        for (unsigned i = 0; i < n; i++) {
                struct stat st;

                for (unsigned j = 0; j < i; j++) {
                        if (streq(parts[i].name, parts[j].name))
                                return error(ret_error, "partition name '%s' used twice", parts[i].name);
                        if (!memcmp(parts[i].uuid, parts[j].uuid, 16))
                                return error(ret_error, "partitions '%s' and '%s' have the same UUID",
                                             parts[j].name, parts[i].name);
                }
                if (parts[i].content) {
                        if (stat(parts[i].content, &st) < 0)
                                return error(ret_error, "content of partition '%s': cannot read '%s': %s",
                                             parts[i].name, parts[i].content, strerror(errno));
                        if ((uint64_t) st.st_size > parts[i].size_mib << 20)
                                return error(ret_error,
                                             "content of partition '%s' ('%s', %lld bytes) does not fit its "
                                             "%llu MiB "
                                             "(%llu bytes)",
                                             parts[i].name, parts[i].content, (long long) st.st_size,
                                             (unsigned long long) parts[i].size_mib,
                                             (unsigned long long) (parts[i].size_mib << 20));
                }
                start[i] = need;
                need += parts[i].size_mib * GPT_ALIGN_SECTORS;
        }
        /* The backup GPT needs 33 sectors after the last partition: a whole aligned MiB keeps things simple.
         */
        need = (need + GPT_ALIGN_SECTORS) * GPT_SECTOR;
        if (size == 0)
                size = need;
        else if (size < need)
                return error(ret_error, "disk too small for the layout: need %llu bytes, have %llu",
                             (unsigned long long) need, (unsigned long long) size);

        r = gpt_table_init(&t, size, disk_guid);
        if (r < 0)
                return error(ret_error, "cannot lay out a disk of %llu bytes", (unsigned long long) size);
        for (unsigned i = 0; i < n; i++) {
                GptPartition p = { .first_lba = start[i],
                                   .last_lba = start[i] + parts[i].size_mib * GPT_ALIGN_SECTORS - 1 };
                memcpy(p.type, parts[i].type, 16);
                memcpy(p.uuid, parts[i].uuid, 16);
                snprintf(p.name, sizeof(p.name), "%s", parts[i].name);
                r = gpt_add(&t, &p);
                if (r < 0)
                        return error(ret_error, "partition '%s' does not fit the table: %s", parts[i].name,
                                     strerror(-r));
        }

        if (asprintf(&tmp, "%s.tmp", path) < 0)
                return -ENOMEM;
        fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || ftruncate(fd, (off_t) size) < 0)
                return error(ret_error, "cannot create '%s': %s", tmp, strerror(errno));
        for (unsigned i = 0; i < n; i++)
                if (parts[i].content) {
                        r = copy_content(fd, parts[i].content, start[i] * GPT_SECTOR, ret_error);
                        if (r < 0) {
                                (void) unlink(tmp);
                                return r;
                        }
                }
        r = gpt_write(fd, &t);
        if (r < 0 || fsync(fd) < 0 || rename(tmp, path) < 0) {
                (void) unlink(tmp);
                return error(ret_error, "cannot write '%s': %s", path, strerror(r < 0 ? -r : errno));
        }
        return 0;
}
