/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

/* Image versions compared as Semantic Versioning 2.0 orders them: MAJOR.MINOR.PATCH numerically, a
 * pre-release ("-rc.1") before its release, build metadata ("+git.abc") ignored. Repositories written
 * before we cut x.y.z releases name versions "1.1": missing components count as 0. */

#define UPDATE_VERSION_MAX 64

typedef struct UpdateVersion {
        uint64_t number[3];
        char prerelease[UPDATE_VERSION_MAX + 1]; /* empty for a release */
} UpdateVersion;

/* Parses MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]. Returns 0 or -EINVAL. */
int update_version_parse(const char *s, UpdateVersion *ret);

/* <0, 0, >0 as a is older than, as old as, or newer than b. */
int update_version_compare(const UpdateVersion *a, const UpdateVersion *b);

/* The same for two strings; -EINVAL if either does not parse, else 0 and the order in *ret. */
int update_version_compare_str(const char *a, const char *b, int *ret);
