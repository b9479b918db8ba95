/* SPDX-License-Identifier: MIT */
#pragma once

/* Mounts a tmpfs on SYSROOT/etc and copies SYSROOT/usr/share/factory/etc into it, keeping modes, owners and
 * symlinks. Returns 0 or a negative errno, with *ret_what naming the step that failed. */
int seed_etc(const char *sysroot, const char **ret_what);
