/* SPDX-License-Identifier: MIT */
/* The ustar reader: headers only, each checked completely before it is used, the data left where it is. */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ustar-internal.h"

#define NAME_MAX_LEN (sizeof(((UstarHeader *) 0)->prefix) + 1 + sizeof(((UstarHeader *) 0)->name))

typedef struct Reader {
        int fd;
        UstarMember *members;
        size_t n, allocated, max;
        char **ret_error;
} Reader;

uint64_t ustar_checksum(const UstarHeader *h) {
        const uint8_t *p = (const uint8_t *) h;
        size_t from = offsetof(UstarHeader, chksum), to = from + sizeof(h->chksum);
        uint64_t sum = 0;

        for (size_t i = 0; i < sizeof(*h); i++)
                sum += i >= from && i < to ? (uint64_t) ' ' : p[i];
        return sum;
}

/* An octal field: leading spaces, at least one digit, then only NULs and spaces. GNU's base-256 numbers
 * (high bit set in the first byte) are not ustar and fail here. */
static int parse_octal(const char *field, size_t size, uint64_t *ret) {
        uint64_t v = 0;
        size_t i = 0, digits = 0;

        while (i < size && field[i] == ' ')
                i++;
        for (; i < size && field[i] >= '0' && field[i] <= '7'; i++, digits++)
                v = v << 3 | (uint64_t) (field[i] - '0'); /* at most 12 digits: 36 bits */
        if (digits == 0)
                return -EINVAL;
        for (; i < size; i++)
                if (field[i] != 0 && field[i] != ' ')
                        return -EINVAL;
        *ret = v;
        return 0;
}

/* name for a message: control characters and DEL become '?', so that a hostile name cannot drive the
 * terminal that shows the refusal. */
static const char *shown(const char *name, char buf[static NAME_MAX_LEN + 1]) {
        size_t i;

        for (i = 0; name[i] && i < NAME_MAX_LEN; i++)
                buf[i] = (unsigned char) name[i] < 0x20 || name[i] == 0x7f ? '?' : name[i];
        buf[i] = 0;
        return buf;
}

/* Reads the block at offset. Returns the bytes read: USTAR_BLOCK_SIZE, or fewer where the file or device
 * ends. */
static int read_block(int fd, uint64_t offset, void *buf) {
        size_t got = 0;

        while (got < USTAR_BLOCK_SIZE) {
                ssize_t k = pread(fd, (char *) buf + got, USTAR_BLOCK_SIZE - got, (off_t) (offset + got));

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                if (k == 0)
                        break;
                got += (size_t) k;
        }
        return (int) got;
}

static bool is_zero(const void *p, size_t n) {
        const uint8_t *b = p;

        for (size_t i = 0; i < n; i++)
                if (b[i])
                        return false;
        return true;
}

static const char *type_problem(char t) {
        switch (t) {
        case '1':
                return "is a hard link";
        case '2':
                return "is a symbolic link";
        case '3':
                return "is a character device";
        case '4':
                return "is a block device";
        case '6':
                return "is a FIFO";
        case '7':
                return "is a contiguous file";
        case 'x':
        case 'g':
                return "is a pax extended header (not plain ustar)";
        case 'K':
        case 'L':
                return "is a GNU long name (not plain ustar)";
        default:
                return NULL;
        }
}

/* prefix "/" name, each field up to its first NUL or its full width. */
static void joined_name(const UstarHeader *h, char ret[static NAME_MAX_LEN + 1]) {
        size_t np = strnlen(h->prefix, sizeof(h->prefix)), nn = strnlen(h->name, sizeof(h->name));
        char *p = ret;

        if (np > 0) {
                memcpy(p, h->prefix, np);
                p += np;
                *p++ = '/';
        }
        memcpy(p, h->name, nn);
        p[nn] = 0;
}

/* Checks the header at offset at. Returns 1 with *ret for a member, 0 for the archive's own directory
 * ("./"), which names nothing. */
static int parse_header(Reader *rd, const UstarHeader *h, uint64_t at, UstarMember *ret) {
        char raw[NAME_MAX_LEN + 1], buf[NAME_MAX_LEN + 1];
        const char *name = raw, *problem;
        uint64_t sum, size;
        size_t n;
        bool directory = h->typeflag == '5';

        joined_name(h, raw);
        if (memcmp(h->magic, "ustar ", 6) == 0)
                return error_message(rd->ret_error, -EBADMSG,
                                     "member '%s' (header at byte %" PRIu64
                                     "): a GNU tar header, not POSIX ustar",
                                     shown(raw, buf), at);
        if (memcmp(h->magic, "ustar", 6) != 0 || memcmp(h->version, "00", 2) != 0)
                return error_message(rd->ret_error, -EBADMSG,
                                     "at byte %" PRIu64 ": not a POSIX ustar header", at);
        if (parse_octal(h->chksum, sizeof(h->chksum), &sum) < 0 || sum != ustar_checksum(h))
                return error_message(rd->ret_error, -EBADMSG,
                                     "member '%s' (header at byte %" PRIu64
                                     "): the header checksum does not match",
                                     shown(raw, buf), at);
        if (!directory && h->typeflag != '0' && h->typeflag != 0) {
                problem = type_problem(h->typeflag);
                if (problem)
                        return error_message(rd->ret_error, -EBADMSG,
                                             "member '%s' %s; a bundle holds only files and directories",
                                             shown(raw, buf), problem);
                return error_message(
                        rd->ret_error, -EBADMSG,
                        "member '%s' is of type '%c'; a bundle holds only files and directories",
                        shown(raw, buf), (unsigned char) h->typeflag >= 0x20 ? h->typeflag : '?');
        }
        if (parse_octal(h->size, sizeof(h->size), &size) < 0)
                return error_message(rd->ret_error, -EBADMSG,
                                     "member '%s': the size field is not an octal number", shown(raw, buf));
        if (directory && size != 0)
                return error_message(rd->ret_error, -EBADMSG,
                                     "member '%s': a directory with %" PRIu64 " bytes of data",
                                     shown(raw, buf), size);
        if (strneq(name, "./", 2))
                name += 2;
        n = strlen(name);
        if (directory && n > 0 && name[n - 1] == '/')
                n--;
        if (directory && (n == 0 || (n == 1 && name[0] == '.')))
                return 0;
        if (!(ret->name = strndup(name, n)))
                return -ENOMEM;
        if (!ustar_name_is_safe(ret->name)) {
                free(ret->name);
                ret->name = NULL;
                return error_message(
                        rd->ret_error, -EBADMSG,
                        "member '%s': not a safe relative name (absolute, an empty, '.' or '..' "
                        "component, a control character or a backslash)",
                        shown(raw, buf));
        }
        ret->header = at;
        ret->offset = at + USTAR_BLOCK_SIZE;
        ret->size = size;
        ret->directory = directory;
        return 1;
}

/* A member whose data the file or device does not hold in full is a truncated archive: said here, by
 * name, rather than as a short read when the member is fetched. */
static int check_data_present(Reader *rd, const UstarMember *m) {
        char c, buf[NAME_MAX_LEN + 1];
        ssize_t k;

        if (m->size == 0)
                return 0;
        do
                k = pread(rd->fd, &c, 1, (off_t) (m->offset + m->size - 1));
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return negative_errno();
        if (k == 0)
                return error_message(rd->ret_error, -EBADMSG,
                                     "member '%s': the archive ends inside its %" PRIu64
                                     " bytes of data (truncated)",
                                     shown(m->name, buf), m->size);
        return 0;
}

/* Takes m->name on success. */
static int add_member(Reader *rd, UstarMember *m) {
        if (rd->n == rd->max)
                return error_message(rd->ret_error, -EFBIG, "more than %zu members", rd->max);
        if (rd->n == rd->allocated) {
                size_t n = MAX(rd->allocated * 2, (size_t) 64);
                UstarMember *p = reallocarray(rd->members, n, sizeof(UstarMember));

                if (!p)
                        return -ENOMEM;
                rd->members = p;
                rd->allocated = n;
        }
        rd->members[rd->n++] = *m;
        return 0;
}

static int compare_members(const void *a, const void *b) {
        return strcmp(((const UstarMember *) a)->name, ((const UstarMember *) b)->name);
}

/* The end-of-archive marker is two zero blocks; the first is at offset. */
static int read_end(Reader *rd, uint64_t offset) {
        uint8_t block[USTAR_BLOCK_SIZE];
        int r;

        r = read_block(rd->fd, offset + USTAR_BLOCK_SIZE, block);
        if (r < 0)
                return r;
        if (r < (int) USTAR_BLOCK_SIZE)
                return error_message(rd->ret_error, -EBADMSG,
                                     "the archive ends inside its end-of-archive marker (truncated)");
        if (!is_zero(block, sizeof(block)))
                return error_message(rd->ret_error, -EBADMSG,
                                     "at byte %" PRIu64
                                     ": a zero block followed by more data, not an end-of-archive "
                                     "marker",
                                     offset);
        return 0;
}

static int read_headers(Reader *rd, uint64_t *ret_end) {
        char buf[NAME_MAX_LEN + 1];
        uint64_t offset = 0;
        UstarHeader h;
        int r;

        for (;;) {
                UstarMember m = {};

                r = read_block(rd->fd, offset, &h);
                if (r < 0)
                        return r;
                if (offset == 0 && r < (int) USTAR_BLOCK_SIZE)
                        return error_message(rd->ret_error, -EBADMSG, "%s: not a ustar archive",
                                             r == 0 ? "empty" : "shorter than one block");
                if (r < (int) USTAR_BLOCK_SIZE)
                        return error_message(
                                rd->ret_error, -EBADMSG,
                                "the archive ends before byte %" PRIu64 ", after member '%s', with no "
                                "end-of-archive marker (truncated)",
                                offset, rd->n > 0 ? shown(rd->members[rd->n - 1].name, buf) : "");
                if (is_zero(&h, sizeof(h))) {
                        r = read_end(rd, offset);
                        if (r < 0)
                                return r;
                        *ret_end = offset + 2 * USTAR_BLOCK_SIZE;
                        return 0;
                }
                r = parse_header(rd, &h, offset, &m);
                if (r < 0)
                        return r;
                if (r > 0 && ((r = check_data_present(rd, &m)) < 0 || (r = add_member(rd, &m)) < 0)) {
                        free(m.name);
                        return r;
                }
                offset += USTAR_BLOCK_SIZE + m.size + ustar_padding(m.size);
        }
}

int ustar_archive_read(int fd, size_t max_members, UstarArchive **ret, char **ret_error) {
        Reader rd = { .fd = fd, .max = max_members ?: USTAR_MAX_MEMBERS, .ret_error = ret_error };
        char buf[NAME_MAX_LEN + 1];
        UstarArchive *a = NULL;
        uint64_t end = 0;
        int r;

        r = read_headers(&rd, &end);
        if (r >= 0 && rd.n > 1)
                qsort(rd.members, rd.n, sizeof(UstarMember), compare_members);
        /* Tar lets a later member of the same name replace an earlier one; two readers that disagree on
         * which one counts are how archive attacks start, so a repeated name is an error. */
        for (size_t i = 1; r >= 0 && i < rd.n; i++)
                if (streq(rd.members[i - 1].name, rd.members[i].name))
                        r = error_message(ret_error, -EBADMSG,
                                          "member '%s' appears twice (headers at bytes %" PRIu64
                                          " and %" PRIu64 ")",
                                          shown(rd.members[i].name, buf),
                                          MIN(rd.members[i - 1].header, rd.members[i].header),
                                          MAX(rd.members[i - 1].header, rd.members[i].header));
        if (r >= 0 && !(a = calloc(1, sizeof(UstarArchive))))
                r = -ENOMEM;
        if (r < 0) {
                for (size_t i = 0; i < rd.n; i++)
                        free(rd.members[i].name);
                free(rd.members);
                return r;
        }
        a->members = rd.members;
        a->n_members = rd.n;
        a->end = end;
        *ret = a;
        return 0;
}

UstarArchive *ustar_archive_free(UstarArchive *a) {
        if (!a)
                return NULL;
        for (size_t i = 0; i < a->n_members; i++)
                free(a->members[i].name);
        free(a->members);
        free(a);
        return NULL;
}

const UstarMember *ustar_archive_find(const UstarArchive *a, const char *name) {
        UstarMember key = { .name = (char *) name };

        if (!a || a->n_members == 0)
                return NULL;
        return bsearch(&key, a->members, a->n_members, sizeof(UstarMember), compare_members);
}
