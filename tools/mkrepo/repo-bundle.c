/* SPDX-License-Identifier: MIT */
/* bulkhead-repo bundle: the published repository, or one version of it, as one ustar archive for nodes
 * without a network (docs/decisions/0013-update-bundles.md). The archive is checked the way a node reads
 * it, through the bundle fetcher and the TUF client, before it gets its final name. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "log.h"
#include "repo-json.h"
#include "repo-target.h"
#include "repo-verbs.h"
#include "repo.h"
#include "ustar.h"

#define CHUNK (1024 * 1024)

typedef struct Member {
        char *name;   /* in the archive: metadata/... or targets/... */
        char *source; /* the repository's file */
        char *target; /* the target path, NULL for metadata */
} Member;

typedef struct Members {
        Member *m;
        size_t n;
} Members;

static void members_done(Members *ms) {
        for (size_t i = 0; i < ms->n; i++) {
                free(ms->m[i].name);
                free(ms->m[i].source);
                free(ms->m[i].target);
        }
        free(ms->m);
}

/* Adds dir/name (dir: "metadata" or "targets") with the repository file below r's directory of that
 * name; target may be NULL. */
static int add(Members *ms, const Repo *r, const char *dir, const char *name, const char *target) {
        Member *p = reallocarray(ms->m, ms->n + 1, sizeof(Member));
        Member m = {};

        if (!p)
                return log_oom();
        ms->m = p;
        if (asprintf(&m.name, "%s/%s", dir, name) < 0 || asprintf(&m.source, "%s/%s", r->dir, m.name) < 0 ||
            (target && !(m.target = strdup(target)))) {
                free(m.name);
                free(m.source);
                return log_oom();
        }
        ms->m[ms->n++] = m;
        return 0;
}

/* Every root (a node may trust any of them), and the timestamp, snapshot and targets now published. */
static int add_metadata(Members *ms, const Repo *r) {
        static const TufRoleType chained[] = { TUF_ROLE_SNAPSHOT, TUF_ROLE_TARGETS };
        char name[64];
        int q;

        for (uint64_t v = 1; v <= r->version[TUF_ROLE_ROOT]; v++) {
                (void) snprintf_ok(name, "%" PRIu64 ".root.json", v);
                if ((q = add(ms, r, "metadata", name, NULL)) < 0)
                        return q;
        }
        if ((q = add(ms, r, "metadata", "timestamp.json", NULL)) < 0)
                return q;
        for (size_t i = 0; i < ELEMENTSOF(chained); i++) {
                const char *role = tuf_role_type_name(chained[i]);

                if (r->consistent)
                        (void) snprintf_ok(name, "%" PRIu64 ".%s.json", r->version[chained[i]], role);
                else
                        (void) snprintf_ok(name, "%s.json", role);
                if ((q = add(ms, r, "metadata", name, NULL)) < 0)
                        return q;
        }
        return 0;
}

/* The manifest always (it says which versions exist); the migration lists of the variant, which are small
 * and which an agent reads for the step it takes; and the chosen version's own targets. */
static bool wanted(json_object *custom, const char *version, const char *variant, bool *ret_own) {
        const char *kind = json_get_string(custom, "kind"), *va = json_get_string(custom, "variant"),
                   *ve = json_get_string(custom, "version");

        *ret_own = false;
        if (kind && streq(kind, "manifest"))
                return true;
        if (variant && (!va || !streq(va, variant)))
                return false;
        if (kind && streq(kind, "migrations") && version)
                return true;
        *ret_own = true;
        return !version || (ve && streq(ve, version));
}

static int add_targets(Members *ms, const Repo *r, const char *version, const char *variant) {
        json_object *targets;
        size_t own = 0, prefix = strlen(r->targets_dir) + 1;
        int q;

        if (!json_object_object_get_ex(repo_signed(r->doc[TUF_ROLE_TARGETS]), "targets", &targets))
                return log_error_errno(-EBADMSG, "targets version %" PRIu64 ": no targets",
                                       r->version[TUF_ROLE_TARGETS]);
        json_object_object_foreach(targets, path, entry) {
                _cleanup_free_ char *file = NULL;
                json_object *custom = NULL, *hashes = NULL;
                const char *sha256;
                bool is_own;

                (void) json_object_object_get_ex(entry, "custom", &custom);
                if (!wanted(custom, version, variant, &is_own))
                        continue;
                if (!json_object_object_get_ex(entry, "hashes", &hashes) ||
                    !(sha256 = json_get_string(hashes, "sha256")))
                        return log_error_errno(-EBADMSG, "target '%s' has no sha256", path);
                if (repo_target_file(r, path, sha256, &file) < 0)
                        return log_oom();
                if ((q = add(ms, r, "targets", file + prefix, path)) < 0)
                        return q;
                own += is_own;
        }
        if (version && own == 0)
                return log_error_errno(-ENOENT, "%s: no published targets of version %s%s%s", r->dir,
                                       version, variant ? " of " : "", variant ?: "");
        return 0;
}

/* Header, the file's bytes (exactly as many as the header says), padding. */
static int write_member(int out, const Member *m, uint64_t mtime, uint8_t *buf) {
        _cleanup_close_ int fd = open(m->source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        uint8_t header[USTAR_BLOCK_SIZE];
        uint64_t left;
        struct stat st;
        int q;

        if (fd < 0 || fstat(fd, &st) < 0)
                return log_error_errno(negative_errno(), "%s: cannot open: %m", m->source);
        if (!S_ISREG(st.st_mode))
                return log_error_errno(-EBADF, "%s: not a regular file", m->source);
        q = ustar_header_make(header, m->name, '0', (uint64_t) st.st_size, mtime);
        if (q < 0)
                return log_error_errno(q, "%s: cannot be a ustar member: %m", m->name);
        if ((q = loop_write(out, header, sizeof(header))) < 0)
                return log_error_errno(q, "cannot write the bundle: %m");
        for (left = (uint64_t) st.st_size; left > 0;) {
                ssize_t k = read(fd, buf, (size_t) MIN(left, (uint64_t) CHUNK));

                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return log_error_errno(k < 0 ? negative_errno() : -EIO, "%s: %s", m->source,
                                               k < 0 ? "cannot read" : "shrank while it was read");
                if ((q = loop_write(out, buf, (size_t) k)) < 0)
                        return log_error_errno(q, "cannot write the bundle: %m");
                left -= (uint64_t) k;
        }
        memset(buf, 0, USTAR_BLOCK_SIZE);
        q = loop_write(out, buf, ustar_padding((uint64_t) st.st_size));
        return q < 0 ? log_error_errno(q, "cannot write the bundle: %m") : 0;
}

static int write_archive(int out, const Members *ms, uint64_t mtime) {
        _cleanup_free_ uint8_t *buf = malloc(CHUNK);
        int q;

        if (!buf)
                return log_oom();
        for (size_t i = 0; i < ms->n; i++)
                if ((q = write_member(out, &ms->m[i], mtime, buf)) < 0)
                        return q;
        memset(buf, 0, 2 * USTAR_BLOCK_SIZE);
        if ((q = loop_write(out, buf, 2 * USTAR_BLOCK_SIZE)) < 0)
                return log_error_errno(q, "cannot write the bundle: %m");
        if (fsync(out) < 0)
                return log_error_errno(negative_errno(), "cannot sync the bundle: %m");
        return 0;
}

/* As a node reads it: the archive indexed by the bundle fetcher, the TUF workflow from 1.root.json, and
 * every target in it downloaded and checked against its length and hashes. */
static int check_bundle(const Repo *r, const char *path, const Members *ms) {
        _cleanup_(tuf_client_freep) TufClient *client = NULL;
        _cleanup_free_ char *why = NULL;
        TufFetcher *fetcher = NULL;
        int q;

        q = tuf_fetcher_bundle_new(path, &fetcher, &why);
        if (q >= 0)
                q = repo_client(r, fetcher, &client, &why);
        for (size_t i = 0; q >= 0 && i < ms->n; i++) {
                const TufTarget *t;

                if (!ms->m[i].target)
                        continue;
                q = tuf_client_find_target(client, ms->m[i].target, &t, NULL, &why);
                if (q >= 0)
                        q = tuf_client_fetch_target(client, t, NULL, NULL, NULL, &why);
        }
        client = tuf_client_free(client);
        tuf_fetcher_free(fetcher);
        if (q < 0)
                return log_error_errno(q, "the bundle does not verify from 1.root.json: %s",
                                       why ?: strerror(-q));
        return 0;
}

static int fsync_directory_of(const char *path) {
        _cleanup_free_ char *dir = strdup(path);
        _cleanup_close_ int fd = -EBADF;
        char *slash;

        if (!dir)
                return log_oom();
        slash = strrchr(dir, '/');
        if (slash)
                *slash = 0;
        fd = open(!slash ? "." : slash == dir ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) < 0)
                return log_error_errno(negative_errno(), "%s: cannot sync its directory: %m", path);
        return 0;
}

int repo_write_bundle(const Repo *r, const char *out, const char *version, const char *variant) {
        _cleanup_(members_done) Members ms = {};
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        uint64_t mtime = r->now.sec > 0 ? MIN((uint64_t) r->now.sec, USTAR_MAX_SIZE) : 0;
        char expires[TUF_TIME_MAX];
        struct stat st;
        int q;

        /* The bundle replaces out by a rename: a device node (a USB stick) would be replaced by a file. */
        if (lstat(out, &st) >= 0 && !S_ISREG(st.st_mode))
                return log_error_errno(
                        -EEXIST,
                        "%s: exists and is not a regular file; write the bundle to a file, then "
                        "copy it to a device with dd",
                        out);
        if ((q = add_metadata(&ms, r)) < 0 || (q = add_targets(&ms, r, version, variant)) < 0)
                return q;
        if (asprintf(&tmp, "%s.tmp.%d", out, (int) getpid()) < 0)
                return log_oom();
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return log_error_errno(negative_errno(), "%s: cannot create: %m", tmp);
        q = write_archive(fd, &ms, mtime);
        if (q >= 0)
                q = check_bundle(r, tmp, &ms);
        if (q >= 0 && rename(tmp, out) < 0)
                q = log_error_errno(negative_errno(), "%s: cannot rename to '%s': %m", tmp, out);
        if (q < 0) {
                (void) unlink(tmp);
                return q;
        }
        q = fsync_directory_of(out);
        if (q < 0)
                return q;
        if (fstat(fd, &st) < 0)
                st.st_size = 0;
        /* A bundle travels slowly, and its metadata expires like the repository's (a day, for the timestamp
         * by default): say until when nodes take it. */
        log_info("%s: %zu files, %" PRIu64 " bytes; nodes accept it until %s", out, ms.n,
                 (uint64_t) st.st_size, tuf_time_format(repo_earliest_expiry(r), expires));
        return 0;
}

int verb_bundle(const Args *a) {
        _cleanup_(repo_freep) Repo *r = NULL;
        int q;

        q = repo_open(a->repo, a->now, &r);
        if (q < 0)
                return q;
        return repo_write_bundle(r, a->out, a->version, a->variant);
}
