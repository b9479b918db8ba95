/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as GPT headers and entry arrays use it. */
uint32_t crc32_ieee(const void *data, size_t n);

/* CRC-32C (Castagnoli, reflected, polynomial 0x82F63B78), continuing from crc (0 to start): the check ext4
 * and btrfs keep per block against torn and misplaced writes. With SSE 4.2 and PCLMULQDQ (Intel since
 * 2010, AMD since 2011) it runs at about 8 bytes a cycle on buffers of some KiB, with SSE 4.2 alone at a
 * third of that; elsewhere bitwise, right but slow. */
uint32_t crc32c(uint32_t crc, const void *data, size_t n);
