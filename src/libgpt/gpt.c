/* SPDX-License-Identifier: MIT */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "gpt.h"
#include "macro.h"

typedef struct GptHeader {
        char signature[8]; /* "EFI PART" */
        uint32_t revision; /* 0x00010000 */
        uint32_t header_size;
        uint32_t header_crc32;
        uint32_t reserved;
        uint64_t my_lba, alternate_lba;
        uint64_t first_usable_lba, last_usable_lba;
        uint8_t disk_guid[16];
        uint64_t entries_lba;
        uint32_t n_entries, entry_size;
        uint32_t entries_crc32;
} __attribute__((packed)) GptHeader;

typedef struct GptEntry {
        uint8_t type[16], uuid[16];
        uint64_t first_lba, last_lba, attributes;
        uint8_t name[GPT_NAME_MAX * 2]; /* UTF-16LE */
} __attribute__((packed)) GptEntry;

_Static_assert(sizeof(GptHeader) == 92, "GPT header is 92 bytes");
_Static_assert(sizeof(GptEntry) == GPT_ENTRY_SIZE, "GPT entry is 128 bytes");

static const uint8_t zero_guid[16];

/* UTF-8 → UTF-16LE for the basic multilingual plane, which is all a partition label needs. */
static int name_encode(const char *s, uint8_t out[GPT_NAME_MAX * 2]) {
        const uint8_t *p = (const uint8_t *) s;
        unsigned n = 0;

        memset(out, 0, GPT_NAME_MAX * 2);
        while (*p) {
                uint32_t c;
                if (*p < 0x80)
                        c = *p++;
                else if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
                        c = (uint32_t) (*p & 0x1F) << 6 | (p[1] & 0x3F);
                        p += 2;
                } else if ((*p & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
                        c = (uint32_t) (*p & 0x0F) << 12 | (uint32_t) (p[1] & 0x3F) << 6 | (p[2] & 0x3F);
                        p += 3;
                } else
                        return -EINVAL;
                if (n == GPT_NAME_MAX)
                        return -ENAMETOOLONG;
                out[2 * n] = (uint8_t) c;
                out[2 * n + 1] = (uint8_t) (c >> 8);
                n++;
        }
        return 0;
}

static void name_decode(const uint8_t in[GPT_NAME_MAX * 2], char *out) {
        for (unsigned i = 0; i < GPT_NAME_MAX; i++) {
                uint16_t c = (uint16_t) (in[2 * i] | in[2 * i + 1] << 8);
                if (c == 0)
                        break;
                if (c < 0x80)
                        *out++ = (char) c;
                else if (c < 0x800) {
                        *out++ = (char) (0xC0 | c >> 6);
                        *out++ = (char) (0x80 | (c & 0x3F));
                } else {
                        *out++ = (char) (0xE0 | c >> 12);
                        *out++ = (char) (0x80 | ((c >> 6) & 0x3F));
                        *out++ = (char) (0x80 | (c & 0x3F));
                }
        }
        *out = 0;
}

int gpt_table_init(GptTable *t, uint64_t disk_bytes, const uint8_t disk_guid[16]) {
        uint64_t sectors = disk_bytes / GPT_SECTOR;

        if (sectors < GPT_ALIGN_SECTORS)
                return -EINVAL;
        *t = (GptTable){
                .disk_sectors = sectors,
                .first_usable = 2 + GPT_ARRAY_SECTORS,
                .last_usable = sectors - 2 - GPT_ARRAY_SECTORS,
        };
        memcpy(t->disk_guid, disk_guid, 16);
        return 0;
}

int gpt_add(GptTable *t, const GptPartition *p) {
        uint8_t name[GPT_NAME_MAX * 2];
        int r;

        if (t->n_partitions >= GPT_ENTRIES)
                return -E2BIG;
        if (!memcmp(p->type, zero_guid, 16) || p->first_lba > p->last_lba)
                return -EINVAL;
        if (p->first_lba < t->first_usable || p->last_lba > t->last_usable)
                return -ERANGE;
        r = name_encode(p->name, name);
        if (r < 0)
                return r;
        for (unsigned i = 0; i < t->n_partitions; i++) {
                const GptPartition *o = &t->partitions[i];
                if (!(p->last_lba < o->first_lba || p->first_lba > o->last_lba) ||
                    !memcmp(o->uuid, p->uuid, 16))
                        return -EEXIST;
        }
        t->partitions[t->n_partitions++] = *p;
        return 0;
}

static void build_entries(const GptTable *t, GptEntry *entries) {
        memset(entries, 0, GPT_ENTRIES * sizeof(GptEntry));
        for (unsigned i = 0; i < t->n_partitions; i++) {
                const GptPartition *p = &t->partitions[i];
                GptEntry *e = &entries[i];

                memcpy(e->type, p->type, 16);
                memcpy(e->uuid, p->uuid, 16);
                e->first_lba = htole64(p->first_lba);
                e->last_lba = htole64(p->last_lba);
                e->attributes = htole64(p->attributes);
                (void) name_encode(p->name, e->name); /* validated by gpt_add() */
        }
}

static void build_header(const GptTable *t, bool primary, uint32_t entries_crc, uint8_t sector[GPT_SECTOR]) {
        uint64_t last = t->disk_sectors - 1;
        GptHeader h = {
                .signature = { 'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T' },
                .revision = htole32(0x00010000),
                .header_size = htole32(sizeof(GptHeader)),
                .my_lba = htole64(primary ? 1 : last),
                .alternate_lba = htole64(primary ? last : 1),
                .first_usable_lba = htole64(t->first_usable),
                .last_usable_lba = htole64(t->last_usable),
                .entries_lba = htole64(primary ? 2 : last - GPT_ARRAY_SECTORS),
                .n_entries = htole32(GPT_ENTRIES),
                .entry_size = htole32(GPT_ENTRY_SIZE),
                .entries_crc32 = htole32(entries_crc),
        };
        memcpy(h.disk_guid, t->disk_guid, 16);
        h.header_crc32 = htole32(gpt_crc32(&h, sizeof(h)));
        memset(sector, 0, GPT_SECTOR);
        memcpy(sector, &h, sizeof(h));
}

int gpt_write(int fd, const GptTable *t) {
        _cleanup_free_ GptEntry *entries = malloc(GPT_ENTRIES * sizeof(GptEntry));
        uint8_t mbr[GPT_SECTOR] = {}, sector[GPT_SECTOR];
        uint64_t last = t->disk_sectors - 1;
        uint32_t crc, size;
        int r;

        if (!entries)
                return -ENOMEM;
        build_entries(t, entries);
        crc = gpt_crc32(entries, GPT_ENTRIES * sizeof(GptEntry));

        /* Protective MBR: one partition of type 0xEE covering the disk (or as much as 32 bits can say). */
        size = (uint32_t) MIN(last, (uint64_t) UINT32_MAX);
        mbr[446 + 1] = 0x00, mbr[446 + 2] = 0x02, mbr[446 + 3] = 0x00; /* CHS of LBA 1 */
        mbr[446 + 4] = 0xEE;
        mbr[446 + 5] = mbr[446 + 6] = mbr[446 + 7] = 0xFF;
        mbr[446 + 8] = 1;
        memcpy(&mbr[446 + 12], &(uint32_t){ htole32(size) }, 4);
        mbr[510] = 0x55, mbr[511] = 0xAA;
        r = pwrite_full(fd, mbr, sizeof(mbr), 0);
        if (r < 0)
                return r;

        /* Backup first, primary last: a crash in between leaves the old primary, which still matches the
         * disk. */
        r = pwrite_full(fd, entries, GPT_ENTRIES * sizeof(GptEntry),
                        (off_t) ((last - GPT_ARRAY_SECTORS) * GPT_SECTOR));
        if (r < 0)
                return r;
        build_header(t, false, crc, sector);
        r = pwrite_full(fd, sector, sizeof(sector), (off_t) (last * GPT_SECTOR));
        if (r < 0)
                return r;
        r = pwrite_full(fd, entries, GPT_ENTRIES * sizeof(GptEntry), 2 * GPT_SECTOR);
        if (r < 0)
                return r;
        build_header(t, true, crc, sector);
        r = pwrite_full(fd, sector, sizeof(sector), GPT_SECTOR);
        if (r < 0)
                return r;
        return fsync(fd) < 0 && errno != EINVAL ? negative_errno() : 0;
}

const GptPartition *gpt_find_uuid(const GptTable *t, const uint8_t uuid[16]) {
        for (unsigned i = 0; i < t->n_partitions; i++)
                if (!memcmp(t->partitions[i].uuid, uuid, 16))
                        return &t->partitions[i];
        return NULL;
}

const GptPartition *gpt_find_name(const GptTable *t, const char *name) {
        for (unsigned i = 0; i < t->n_partitions; i++)
                if (streq(t->partitions[i].name, name))
                        return &t->partitions[i];
        return NULL;
}

/* Reads one header (at lba) and its entries, checking every field before it is used. */
static int read_one(int fd, uint64_t sectors, uint64_t lba, GptTable *ret) {
        _cleanup_free_ GptEntry *entries = NULL;
        uint8_t sector[GPT_SECTOR];
        GptHeader h;
        uint32_t crc, hsize, n, esize;
        int r;

        r = pread_full(fd, sector, sizeof(sector), (off_t) (lba * GPT_SECTOR));
        if (r < 0)
                return r;
        memcpy(&h, sector, sizeof(h));
        hsize = le32toh(h.header_size);
        if (memcmp(h.signature, "EFI PART", 8) || le32toh(h.revision) != 0x00010000 || hsize < sizeof(h) ||
            hsize > GPT_SECTOR)
                return -EBADMSG;
        crc = le32toh(h.header_crc32);
        memset(sector + 16, 0, 4);
        if (gpt_crc32(sector, hsize) != crc || le64toh(h.my_lba) != lba)
                return -EBADMSG;
        n = le32toh(h.n_entries);
        esize = le32toh(h.entry_size);
        if (esize != GPT_ENTRY_SIZE || n == 0 || n > GPT_ENTRIES)
                return -EBADMSG; /* we only meet tables we wrote or sgdisk wrote: 128 × 128 bytes */
        uint64_t elba = le64toh(h.entries_lba), first = le64toh(h.first_usable_lba),
                 last = le64toh(h.last_usable_lba);
        if (elba < 2 || elba + DIV_ROUND_UP((uint64_t) n * esize, GPT_SECTOR) > sectors || first > last ||
            last >= sectors)
                return -EBADMSG;
        entries = malloc((size_t) n * esize);
        if (!entries)
                return -ENOMEM;
        r = pread_full(fd, entries, (size_t) n * esize, (off_t) (elba * GPT_SECTOR));
        if (r < 0)
                return r;
        if (gpt_crc32(entries, (size_t) n * esize) != le32toh(h.entries_crc32))
                return -EBADMSG;

        GptTable t = { .disk_sectors = sectors, .first_usable = first, .last_usable = last };
        memcpy(t.disk_guid, h.disk_guid, 16);
        for (uint32_t i = 0; i < n; i++) {
                const GptEntry *e = &entries[i];
                GptPartition p = {};

                if (!memcmp(e->type, zero_guid, 16))
                        continue;
                memcpy(p.type, e->type, 16);
                memcpy(p.uuid, e->uuid, 16);
                p.first_lba = le64toh(e->first_lba);
                p.last_lba = le64toh(e->last_lba);
                p.attributes = le64toh(e->attributes);
                name_decode(e->name, p.name);
                if (gpt_add(&t, &p) < 0)
                        return -EBADMSG; /* out of range, overlapping or duplicate */
        }
        *ret = t;
        return 0;
}

int gpt_read(int fd, uint64_t disk_bytes, GptTable *ret, bool *ret_used_backup) {
        uint64_t sectors = disk_bytes / GPT_SECTOR;
        int r;

        if (sectors < 3 + 2 * GPT_ARRAY_SECTORS)
                return -EBADMSG;
        r = read_one(fd, sectors, 1, ret);
        if (r >= 0 || r != -EBADMSG) {
                if (ret_used_backup && r >= 0)
                        *ret_used_backup = false;
                return r;
        }
        r = read_one(fd, sectors, sectors - 1, ret);
        if (r >= 0 && ret_used_backup)
                *ret_used_backup = true;
        return r;
}

/* A disk that grew still has its backup header where the old end was: find it there through the primary. */
static int read_grown(int fd, uint64_t disk_bytes, GptTable *ret) {
        uint8_t sector[GPT_SECTOR];
        GptHeader h;
        int r;

        r = pread_full(fd, sector, sizeof(sector), GPT_SECTOR);
        if (r < 0)
                return r;
        memcpy(&h, sector, sizeof(h));
        uint64_t old_sectors = le64toh(h.alternate_lba) + 1;
        if (memcmp(h.signature, "EFI PART", 8) || old_sectors > disk_bytes / GPT_SECTOR)
                return -EBADMSG;
        return gpt_read(fd, old_sectors * GPT_SECTOR, ret, NULL);
}

int gpt_grow_last_partition(int fd, uint64_t disk_bytes, unsigned *ret_index) {
        uint64_t sectors = disk_bytes / GPT_SECTOR, new_last;
        GptTable t;
        unsigned idx = 0;
        bool moved, grown;
        int r;

        r = read_grown(fd, disk_bytes, &t);
        if (r < 0)
                return r;
        if (t.n_partitions == 0)
                return -ENOENT;
        for (unsigned i = 1; i < t.n_partitions; i++)
                if (t.partitions[i].last_lba > t.partitions[idx].last_lba)
                        idx = i;
        if (ret_index)
                *ret_index = idx;

        moved = t.disk_sectors != sectors;
        t.disk_sectors = sectors;
        t.last_usable = sectors - 2 - GPT_ARRAY_SECTORS;
        new_last = (t.last_usable + 1) / GPT_ALIGN_SECTORS * GPT_ALIGN_SECTORS - 1;
        grown = new_last > t.partitions[idx].last_lba;
        if (!moved && !grown)
                return 0;
        if (grown)
                t.partitions[idx].last_lba = new_last;
        r = gpt_write(fd, &t);
        return r < 0 ? r : 1;
}
