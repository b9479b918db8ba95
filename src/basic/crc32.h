/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as GPT headers and entry arrays use it. */
uint32_t crc32_ieee(const void *data, size_t n);
