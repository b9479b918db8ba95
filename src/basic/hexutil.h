/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Writes 2*n lowercase hex digits plus NUL into out (size >= 2*n+1). */
void hex_encode(const uint8_t *data, size_t n, char *out);
/* The value of one hex digit (either case), or -1 if c is not one. */
int unhex(char c);
/* Decodes exactly strlen(hex)/2 bytes; -EINVAL on odd length or a non-hex digit, -ENOBUFS if too long. */
int hex_decode(const char *hex, uint8_t *out, size_t out_size, size_t *ret_len);
