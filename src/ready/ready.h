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
int block_device_describe(const char *sysfs, const char *devnum, char *ret_node, size_t size, bool *ret_verity);
