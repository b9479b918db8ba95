/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "pe.h"

#define PE32PLUS_MAGIC       0x20b
#define SECTION_HEADER       40u
#define SCN_INITIALIZED_DATA 0x00000040u
#define SCN_MEM_READ         0x40000000u
#define PAGE                 4096u

/* Optional header (PE32+) field offsets. */
#define OPT_SIZE_OF_INITIALIZED_DATA 8
#define OPT_SECTION_ALIGNMENT        32
#define OPT_FILE_ALIGNMENT           36
#define OPT_SIZE_OF_IMAGE            56
#define OPT_SIZE_OF_HEADERS          60
#define OPT_CHECKSUM                 64

static uint16_t get16(const uint8_t *p) {
        return (uint16_t) (p[0] | p[1] << 8);
}
static uint32_t get32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}
static void put16(uint8_t *p, uint16_t v) {
        p[0] = (uint8_t) v, p[1] = (uint8_t) (v >> 8);
}
static void put32(uint8_t *p, uint32_t v) {
        for (int i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

unsigned pe_section_count(const PeImage *pe) {
        return get16(pe->data + pe->coff + 2);
}

void pe_section_get(const PeImage *pe, unsigned i, PeSection *ret) {
        const uint8_t *s = pe->data + pe->sections + i * SECTION_HEADER;

        memset(ret, 0, sizeof(*ret));
        memcpy(ret->name, s, 8);
        ret->virtual_size = get32(s + 8);
        ret->virtual_address = get32(s + 12);
        ret->raw_size = get32(s + 16);
        ret->raw_pointer = get32(s + 20);
        ret->characteristics = get32(s + 36);
}

int pe_parse(uint8_t *data, size_t size, PeImage *ret, const char **ret_error) {
        PeImage pe = { .data = data, .size = size };
        uint32_t lfanew, salign, falign;
        uint16_t opt_size;

        *ret_error = "not a PE file (no MZ header)";
        if (size < 0x40 || data[0] != 'M' || data[1] != 'Z')
                return -EBADMSG;
        lfanew = get32(data + 0x3c);
        *ret_error = "truncated PE header";
        if ((uint64_t) lfanew + 4 + 20 > size)
                return -EBADMSG;
        *ret_error = "not a PE file (no PE signature)";
        if (memcmp(data + lfanew, "PE\0\0", 4))
                return -EBADMSG;
        pe.coff = lfanew + 4;
        pe.opt = pe.coff + 20;
        opt_size = get16(data + pe.coff + 16);
        *ret_error = "truncated optional header";
        if (opt_size < 112 || (uint64_t) pe.opt + opt_size > size)
                return -EBADMSG;
        *ret_error = "not a PE32+ (64-bit) image";
        if (get16(data + pe.opt) != PE32PLUS_MAGIC)
                return -EBADMSG;
        salign = get32(data + pe.opt + OPT_SECTION_ALIGNMENT);
        falign = get32(data + pe.opt + OPT_FILE_ALIGNMENT);
        *ret_error = "bad section or file alignment";
        if (falign < 512 || falign > 65536 || (falign & (falign - 1)) || salign < falign ||
            (salign & (salign - 1)))
                return -EBADMSG;
        pe.sections = pe.opt + opt_size;
        *ret_error = "section table outside the file";
        if ((uint64_t) pe.sections + (uint64_t) pe_section_count(&pe) * SECTION_HEADER > size)
                return -EBADMSG;
        for (unsigned i = 0; i < pe_section_count(&pe); i++) {
                PeSection s;
                pe_section_get(&pe, i, &s);
                *ret_error = "a section's raw data lies outside the file";
                if ((uint64_t) s.raw_pointer + s.raw_size > size)
                        return -EBADMSG;
        }
        *ret = pe;
        *ret_error = NULL;
        return 0;
}

int pe_add_section(PeImage *pe, const char *name, const void *data, size_t size, const char **ret_error) {
        uint8_t *opt = pe->data + pe->opt, *hdr;
        uint32_t salign = get32(opt + OPT_SECTION_ALIGNMENT), falign = get32(opt + OPT_FILE_ALIGNMENT);
        uint32_t first_raw = UINT32_MAX, va = 0, raw_ptr, raw_size, data_end = 0;
        unsigned n = pe_section_count(pe);
        uint64_t end_va;

        for (unsigned i = 0; i < n; i++) {
                PeSection s;
                pe_section_get(pe, i, &s);
                if (s.raw_size && s.raw_pointer < first_raw)
                        first_raw = s.raw_pointer;
                if (s.raw_pointer + s.raw_size > data_end)
                        data_end = s.raw_pointer + s.raw_size;
                end_va = (uint64_t) s.virtual_address + (s.virtual_size ? s.virtual_size : s.raw_size);
                if (end_va > va)
                        va = (uint32_t) end_va;
        }
        /* The new header must fit before the first section's data and within SizeOfHeaders. */
        hdr = pe->data + pe->sections + n * SECTION_HEADER;
        *ret_error = "no room in the PE header for another section";
        if (pe->sections + (n + 1) * SECTION_HEADER > MIN(first_raw, get32(opt + OPT_SIZE_OF_HEADERS)))
                return -ENOSPC;
        *ret_error = "section too large";
        if (size > UINT32_MAX / 2 || strlen(name) > 8)
                return -EFBIG;

        va = (uint32_t) ALIGN_TO((uint64_t) va, MAX(PAGE, salign));
        /* Whatever the stub carries after its last section (symbols, debug data) is dropped: Authenticode
         * does not hash gaps between sections, and nothing unsigned should sit inside a signed image. */
        raw_ptr = (uint32_t) ALIGN_TO((uint64_t) data_end, falign);
        put32(pe->data + pe->coff + 8, 0);  /* PointerToSymbolTable */
        put32(pe->data + pe->coff + 12, 0); /* NumberOfSymbols */
        if (get32(opt + 108) >
            4) /* a stub's own signature would be stale: clear the certificate table entry */
                memset(opt + 112 + 4 * 8, 0, 8);
        raw_size = (uint32_t) ALIGN_TO((uint64_t) size, falign);
        *ret_error = "image too large";
        if ((uint64_t) raw_ptr + raw_size > UINT32_MAX || (uint64_t) va + size > UINT32_MAX)
                return -EFBIG;
        uint8_t *grown = realloc(pe->data, (size_t) raw_ptr + raw_size);
        *ret_error = "out of memory";
        if (!grown)
                return -ENOMEM;
        pe->data = grown;
        memset(pe->data + MIN(pe->size, (size_t) raw_ptr), 0,
               raw_ptr + raw_size - MIN(pe->size, (size_t) raw_ptr));
        memcpy(pe->data + raw_ptr, data, size);
        pe->size = (size_t) raw_ptr + raw_size;

        opt = pe->data + pe->opt;
        hdr = pe->data + pe->sections + n * SECTION_HEADER;
        memset(hdr, 0, SECTION_HEADER);
        memcpy(hdr, name, strlen(name));
        put32(hdr + 8, (uint32_t) size);
        put32(hdr + 12, va);
        put32(hdr + 16, raw_size);
        put32(hdr + 20, raw_ptr);
        put32(hdr + 36, SCN_INITIALIZED_DATA | SCN_MEM_READ);
        put16(pe->data + pe->coff + 2, (uint16_t) (n + 1));
        put32(opt + OPT_SIZE_OF_INITIALIZED_DATA, get32(opt + OPT_SIZE_OF_INITIALIZED_DATA) + raw_size);
        put32(opt + OPT_SIZE_OF_IMAGE, (uint32_t) ALIGN_TO((uint64_t) va + size, salign));
        put32(opt + OPT_CHECKSUM, 0); /* not used by UEFI; sbsign covers the image */
        *ret_error = NULL;
        return 0;
}

void pe_free(PeImage *pe) {
        free(pe->data);
        *pe = (PeImage){};
}
