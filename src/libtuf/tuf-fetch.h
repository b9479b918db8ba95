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

/* Told about events an operator should see in the log but that are not errors: a download that broke off
 * and is being resumed or retried. The library does not log them itself (programs log, at the boundary). */
typedef void (*TufNotify)(const char *message, void *userdata);

/* A download that broke off (connection lost, stalled, body cut short) is tried again this many times,
 * after TUF_FETCH_BACKOFF_MS times the attempt's number: targets over http(s) resume where they stopped,
 * metadata is fetched again from the start. */
#define TUF_FETCH_RETRIES    5
#define TUF_FETCH_BACKOFF_MS 500

typedef struct TufFetcher TufFetcher;
struct TufFetcher {
        /* Fetches name (a relative path: "timestamp.json", "dir/<sha256>.file.txt") from area into sink.
         * Must not deliver more than max_size bytes. Returns 0; -ENOENT if the repository does not have
         * the file; -EFBIG if it is longer than max_size; -EAGAIN (and a message) if the transfer broke
         * off and fetching the file again from the start may succeed; another negative errno (and a
         * message in *ret_error) for anything else. Several threads may fetch at once (an apply fetches
         * the root, the verity tree and the UKI together). */
        int (*fetch)(TufFetcher *f, TufArea area, const char *name, uint64_t max_size, TufSink sink,
                     void *userdata, char **ret_error);
        void (*free)(TufFetcher *f);
        TufNotify notify; /* may be NULL */
        void *notify_userdata;
};

TufFetcher *tuf_fetcher_free(TufFetcher *f);

/* Where f (and the client using it) reports resumes and retries; notify may be NULL (the default). */
void tuf_fetcher_set_notify(TufFetcher *f, TufNotify notify, void *userdata);
/* Formats a message and hands it to f's notify callback, if any. */
void tuf_fetcher_notify(TufFetcher *f, const char *fmt, ...) _printf_(2, 3);

/* Sleeps before retry number attempt (1, 2, ...): TUF_FETCH_BACKOFF_MS × attempt. */
void tuf_fetch_backoff(unsigned attempt);

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
 * slower than 1 KiB/s for 30 s is aborted, against slow-retrieval attacks.
 * A transfer over http(s) that breaks off (connection reset, stalled, body cut short) is retried up to
 * TUF_FETCH_RETRIES times: for targets, with "Range: bytes=N-" where N is what the sink has received, so
 * that the same sink continues (a 206 must start at N; after a 200, the first N bytes are skipped; the
 * bound max_size holds across attempts); for metadata the fetch returns -EAGAIN at once, and the client
 * fetches the file again from the start. Each resume is reported through tuf_fetcher_notify(). */
int tuf_fetcher_curl_new(const char *metadata_url, const char *targets_url, TufFetcher **ret,
                         char **ret_error);
