/* SPDX-License-Identifier: MIT */
/* The bundle fetcher: a repository as one ustar archive (docs/decisions/0013-update-bundles.md). The
 * headers are indexed once; a fetch reads the member's bytes where they are. Nothing is extracted, so no
 * name in the archive ever reaches the file system. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "macro.h"
#include "tuf-error.h"
#include "tuf-fetch.h"
#include "tuf-read-ahead.h"
#include "ustar.h"

typedef struct BundleFetcher {
        TufFetcher base;
        int fd;
        char *path;
        UstarArchive *archive;
} BundleFetcher;

static const char *const area_dir[] = { [TUF_AREA_METADATA] = "metadata", [TUF_AREA_TARGETS] = "targets" };

static const UstarMember *find(const BundleFetcher *b, TufArea area, const char *name) {
        _cleanup_free_ char *member = NULL;
        const UstarMember *m;

        if (asprintf(&member, "%s/%s", area_dir[area], name) < 0)
                return NULL;
        m = ustar_archive_find(b->archive, member);
        return m && !m->directory ? m : NULL;
}

/* One member's reading (ahead, on a thread of its own, for a large one) and its end. */
typedef struct BundleRead {
        int fd;
        uint64_t offset, size, done;
        int read_error;
        bool cut; /* the bundle ended inside the member */
} BundleRead;

static ssize_t bundle_read_chunk(void *buf, size_t size, void *userdata) {
        BundleRead *b = userdata;

        while (b->done < b->size) {
                ssize_t k = pread(b->fd, buf, (size_t) MIN((uint64_t) size, b->size - b->done),
                                  (off_t) (b->offset + b->done));

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return b->read_error = negative_errno();
                /* Checked when the bundle was opened; media can still be pulled or a file cut meanwhile. */
                if (k == 0) {
                        b->cut = true;
                        return b->read_error = -EIO;
                }
                b->done += (uint64_t) k;
                return k;
        }
        return 0;
}

static int bundle_fetch(TufFetcher *f, TufArea area, const char *name, uint64_t max_size, TufSink sink,
                        void *userdata, char **ret_error) {
        BundleFetcher *bundle = (BundleFetcher *) f;
        const UstarMember *m;
        int r;

        if (!tuf_path_is_safe(name))
                return tuf_error(ret_error, -EINVAL, "'%s' is not a safe relative path", name);
        m = find(bundle, area, name);
        if (!m)
                return -ENOENT;
        if (m->size > max_size)
                return -EFBIG;
        BundleRead b = { .fd = bundle->fd, .offset = m->offset, .size = m->size };
        r = tuf_read_chunks(bundle_read_chunk, &b, m->size, sink, userdata);
        if (r < 0 && r == b.read_error)
                return b.cut ? tuf_error(ret_error, r, "%s: member '%s': the bundle ends inside it",
                                         bundle->path, m->name)
                             : tuf_error(ret_error, r, "%s: member '%s': cannot read: %s", bundle->path,
                                         m->name, strerror(-r));
        return r;
}

static void bundle_free(TufFetcher *f) {
        BundleFetcher *b = (BundleFetcher *) f;

        safe_close(b->fd);
        ustar_archive_free(b->archive);
        free(b->path);
        free(b);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(TufFetcher *, bundle_free);

/* A bundle holds a repository's two trees and nothing else: anything else is a bundle made wrongly, and
 * saying so beats ignoring it. */
static int check_layout(const BundleFetcher *b, char **ret_error) {
        for (size_t i = 0; i < b->archive->n_members; i++) {
                const UstarMember *m = &b->archive->members[i];
                bool ok = false;

                for (size_t a = 0; a < ELEMENTSOF(area_dir); a++) {
                        size_t n = strlen(area_dir[a]);

                        if (strneq(m->name, area_dir[a], n) &&
                            ((m->name[n] == 0 && m->directory) || m->name[n] == '/'))
                                ok = true;
                }
                if (!ok)
                        return tuf_error(ret_error, -EBADMSG,
                                         "%s: member '%s' is not under metadata/ or targets/", b->path,
                                         m->name);
        }
        return 0;
}

int tuf_fetcher_bundle_new(const char *path, TufFetcher **ret, char **ret_error) {
        _cleanup_(bundle_freep) TufFetcher *f = NULL;
        _cleanup_free_ char *why = NULL;
        BundleFetcher *b;
        struct stat st;
        int r;

        b = calloc(1, sizeof(BundleFetcher));
        if (!b)
                return -ENOMEM;
        b->base = (TufFetcher){ .fetch = bundle_fetch, .free = bundle_free };
        f = &b->base;
        if (!(b->path = strdup(path)))
                return -ENOMEM;
        /* O_NONBLOCK: a FIFO must not hang the open; it is refused below. */
        b->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (b->fd < 0)
                return tuf_error(ret_error, negative_errno(), "cannot open the bundle '%s': %m", path);
        if (fstat(b->fd, &st) < 0)
                return tuf_error(ret_error, negative_errno(), "cannot stat the bundle '%s': %m", path);
        if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
                return tuf_error(ret_error, -EBADF,
                                 "the bundle '%s' is not a regular file or a block device", path);
        r = ustar_archive_read(b->fd, 0, &b->archive, &why);
        if (r < 0)
                return tuf_error(ret_error, r, "%s: %s", path, why ?: strerror(-r));
        r = check_layout(b, ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(f);
        return 0;
}

bool tuf_fetcher_bundle_has(const TufFetcher *f, TufArea area, const char *name) {
        if (!f || f->fetch != bundle_fetch)
                return true;
        return tuf_path_is_safe(name) && find((const BundleFetcher *) f, area, name);
}
