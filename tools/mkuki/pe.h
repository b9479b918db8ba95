/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Just enough PE/COFF (PE32+) to append sections to an EFI stub: the UKI is systemd's stub with the kernel,
 * initramfs, command line and os-release added as sections the stub looks up by name. */

typedef struct PeImage {
        uint8_t *data; /* whole file; grows as sections are added */
        size_t size;
        uint32_t coff;     /* offset of the COFF header (after "PE\0\0") */
        uint32_t opt;      /* offset of the optional header */
        uint32_t sections; /* offset of the section table */
} PeImage;

typedef struct PeSection {
        char name[9];
        uint32_t virtual_size, virtual_address, raw_size, raw_pointer, characteristics;
} PeSection;

/* Takes ownership of data. Validates DOS and PE signatures, PE32+ magic, alignments and that the section
 * table and every section lie within the file. On error *ret_error names the problem. */
int pe_parse(uint8_t *data, size_t size, PeImage *ret, const char **ret_error);
unsigned pe_section_count(const PeImage *pe);
void pe_section_get(const PeImage *pe, unsigned i, PeSection *ret);
/* Appends a section of initialized read-only data at the next page-aligned virtual address after the last
 * section, raw data aligned to FileAlignment; updates the headers. -ENOSPC if the header area has no room
 * for another section header. */
int pe_add_section(PeImage *pe, const char *name, const void *data, size_t size, const char **ret_error);
void pe_free(PeImage *pe);
