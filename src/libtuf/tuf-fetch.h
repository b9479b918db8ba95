/* SPDX-License-Identifier: MIT */
#pragma once

#include "fileio.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the client gets repository files from. The client never trusts a fetcher: it bounds every
 * download, then checks lengths, hashes and signatures itself. A fetcher only moves bytes. */

typedef enum TufArea {
        TUF_AREA_METADATA,
        TUF_AREA_TARGETS,
} TufArea;

/* Local fetchers (directory, bundle) read and deliver this much at a time: a root image is tens to hundreds
 * of MiB, and each read is a system call and each delivery a round through the caller's pipeline. */
#define TUF_FETCH_CHUNK (1024 * 1024)

/* Receives the bytes of one download in order. A negative return aborts the download with that error. */
typedef int (*TufSink)(const void *data, size_t size, void *userdata);

typedef struct TufFetcher TufFetcher;
struct TufFetcher {
        /* Fetches name (a relative path: "timestamp.json", "dir/<sha256>.file.txt") from area into sink.
         * Must not deliver more than max_size bytes. Returns 0; -ENOENT if the repository does not have
         * the file; -EFBIG if it is longer than max_size; another negative errno (and a message in
         * *ret_error) for anything else. */
        int (*fetch)(TufFetcher *f, TufArea area, const char *name, uint64_t max_size, TufSink sink,
                     void *userdata, char **ret_error);
        void (*free)(TufFetcher *f);
};

TufFetcher *tuf_fetcher_free(TufFetcher *f);

/* Whether path is a plain relative path ("a/b.txt"): not empty, no leading or doubled '/', no "." or
 * ".." component, no backslash or control character. Target paths come from signed metadata, but a
 * fetcher still must not let one name a file outside its repository. */
#define tuf_path_is_safe path_is_safe_relative

/* Reads files below two local directories (one of metadata, one of targets). Files are opened beneath the
 * directory (symlinks may not lead out of it) and must be regular files. */
int tuf_fetcher_dir_new(const char *metadata_dir, const char *targets_dir, TufFetcher **ret,
                        char **ret_error);

/* Reads files from a bundle (docs/decisions/0013-update-bundles.md): a POSIX ustar archive at path, a
 * regular file or a block device, holding metadata/ and targets/. Every header is checked here, before
 * anything is fetched (see ustar_archive_read(): links, devices, unsafe or repeated names, truncation), and
 * so is the layout (nothing outside the two trees). A fetch reads the member's bytes at their offset.
 * Errors name the bundle and the member. */
int tuf_fetcher_bundle_new(const char *path, TufFetcher **ret, char **ret_error);

/* Whether f, a bundle fetcher, holds name in area (true for other fetchers, which can only tell by
 * fetching). A bundle may carry a part of a repository; this lets a caller offer only what it carries. */
bool tuf_fetcher_bundle_has(const TufFetcher *f, TufArea area, const char *name);

/* Fetches with libcurl below two base URLs (http, https or file). Redirects stay on http(s); a transfer
 * slower than 1 KiB/s for 30 s is aborted, against slow-retrieval attacks. */
int tuf_fetcher_curl_new(const char *metadata_url, const char *targets_url, TufFetcher **ret,
                         char **ret_error);
