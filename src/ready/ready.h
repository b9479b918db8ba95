/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct MountFacts {
        char source[128];
        char fstype[32];
        char devnum[24]; /* "major:minor" of the mounted device */
        bool read_only;
} MountFacts;

/* Finds the value of "key=value" in a kernel command line. Returns 0, -ENOENT if absent, -ENOBUFS if the
 * value does not fit. */
int cmdline_get(const char *cmdline, const char *key, char *ret, size_t size);
/* Reads KEY=value (optionally quoted) from os-release text. */
int os_release_get(const char *text, const char *key, char *ret, size_t size);
/* Fills facts about the last mount on exactly `path` in a mountinfo file; -ENOENT if nothing is mounted
 * there (facts then read "-"). */
int mount_facts(const char *mountinfo, const char *path, MountFacts *ret);
/* Describes the block device "major:minor" from a sysfs tree (normally "/sys"): its kernel name as
 * "/dev/NAME" and, for a device-mapper device, whether it is the verity mapping the init set up (its DM uuid
 * starts with "BULKHEAD-VERITY-"). */
int block_device_describe(const char *sysfs, const char *devnum, char *ret_node, size_t size,
                          bool *ret_verity);

/* Memory figures from /proc/meminfo, in KiB. */
typedef struct MemoryUse {
        unsigned long long used; /* held by programs and the kernel: neither free nor reclaimable cache */
        unsigned long long unavailable; /* MemTotal - MemAvailable, as free(1) counts "used" */
} MemoryUse;

/* Parses /proc/meminfo text. "used" is MemTotal - MemFree - Buffers - Cached - SReclaimable + Shmem: page
 * cache and reclaimable slab are not in use, tmpfs pages are. Returns -EINVAL if a field is missing. */
int meminfo_parse(const char *text, MemoryUse *ret);
