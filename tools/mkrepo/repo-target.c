/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "hexutil.h"
#include "log.h"
#include "repo-compress.h"
#include "repo-target.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free);

#define CHUNK (256 * 1024)

/* Reads the next chunk of the input into buf; returns its size, 0 at the end, or a negative errno. */
typedef ssize_t (*ReadFn)(void *userdata, uint8_t *buf, size_t size);

typedef struct Output {
        int fd;
        EVP_MD_CTX *sha;
        uint64_t length;
} Output;

static int output_emit(const void *data, size_t size, void *userdata) {
        Output *o = userdata;
        int r = loop_write(o->fd, data, size);

        if (r < 0)
                return r;
        o->length += size;
        return EVP_DigestUpdate(o->sha, data, size) == 1 ? 0 : -ENOMEM;
}

static int digest_hex(EVP_MD_CTX *ctx, char ret[static 65]) {
        uint8_t d[32];

        if (EVP_DigestFinal_ex(ctx, d, NULL) != 1)
                return -ENOMEM;
        hex_encode(d, sizeof(d), ret);
        return 0;
}

int repo_target_file(const Repo *r, const char *path, const char *sha256, char **ret) {
        const char *base = strrchr(path, '/');
        int q;

        base = base ? base + 1 : path;
        if (r->consistent)
                q = asprintf(ret, "%s/%.*s%s.%s", r->targets_dir, (int) (base - path), path, sha256, base);
        else
                q = asprintf(ret, "%s/%s", r->targets_dir, path);
        return q < 0 ? -ENOMEM : 0;
}

/* Creates the directories of path's parent below the targets directory. */
static int make_parents(const char *file) {
        _cleanup_free_ char *copy = strdup(file);

        if (!copy)
                return -ENOMEM;
        for (char *p = strchr(copy + 1, '/'); p; p = strchr(p + 1, '/')) {
                *p = 0;
                if (mkdir(copy, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                *p = '/';
        }
        return 0;
}

static int file_sha256(const char *path, char ret[static 65]) {
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ uint8_t *buf = malloc(CHUNK);
        ssize_t k;

        if (fd < 0)
                return negative_errno();
        if (!ctx || !buf || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
                return -ENOMEM;
        while ((k = read(fd, buf, CHUNK)) != 0) {
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                if (EVP_DigestUpdate(ctx, buf, (size_t) k) != 1)
                        return -ENOMEM;
        }
        return digest_hex(ctx, ret);
}

/* The rename is durable only once the directory holding the new name is on disk. */
static int fsync_parent(const char *file) {
        _cleanup_free_ char *dir = strdup(file);
        _cleanup_close_ int fd = -EBADF;
        char *slash;

        if (!dir)
                return log_oom();
        slash = strrchr(dir, '/');
        if (slash)
                *slash = 0;
        fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) < 0)
                return log_error_errno(negative_errno(), "%s: cannot sync its directory: %m", file);
        return 0;
}

/* Puts tmp in place as the target file; an existing file must already have the same content. */
static int install(const Repo *r, const char *tmp, const char *path, const StoredTarget *st, bool replace) {
        _cleanup_free_ char *final = NULL;
        char existing[65];
        int q;

        q = repo_target_file(r, path, st->sha256, &final);
        if (q < 0)
                return log_oom();
        if (!replace && access(final, F_OK) == 0) {
                (void) unlink(tmp);
                q = file_sha256(final, existing);
                if (q < 0)
                        return log_error_errno(q, "%s: cannot read: %m", final);
                if (!streq(existing, st->sha256))
                        return log_error_errno(-EEXIST,
                                               "%s: target '%s' is already published with other content",
                                               final, path);
                return 0;
        }
        if (rename(tmp, final) < 0) {
                q = log_error_errno(negative_errno(), "%s: cannot rename into place: %m", final);
                (void) unlink(tmp);
                return q;
        }
        return fsync_parent(final);
}

static int store(const Repo *r, const char *what, ReadFn read_fn, void *userdata, const char *path,
                 Compression c, bool replace, StoredTarget *ret) {
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *in_sha = EVP_MD_CTX_new(), *out_sha = EVP_MD_CTX_new();
        _cleanup_(compressor_freep) Compressor *z = NULL;
        _cleanup_free_ char *tmp = NULL;
        _cleanup_free_ uint8_t *buf = malloc(CHUNK);
        _cleanup_close_ int fd = -EBADF;
        Output out = { .sha = out_sha };
        StoredTarget st = {};
        ssize_t k;
        int q;

        if (!in_sha || !out_sha || !buf || EVP_DigestInit_ex(in_sha, EVP_sha256(), NULL) != 1 ||
            EVP_DigestInit_ex(out_sha, EVP_sha256(), NULL) != 1 ||
            asprintf(&tmp, "%s/%s.tmp-XXXXXX", r->targets_dir, path) < 0)
                return log_oom();
        q = make_parents(tmp);
        if (q < 0)
                return log_error_errno(q, "%s: cannot create its directory: %m", tmp);
        fd = out.fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(negative_errno(), "%s: cannot create: %m", tmp);
        q = compressor_new(c, output_emit, &out, &z);
        while (q >= 0 && (k = read_fn(userdata, buf, CHUNK)) != 0) {
                if (k < 0) {
                        q = log_error_errno((int) k, "%s: cannot read: %m", what);
                        break;
                }
                st.input_length += (uint64_t) k;
                if (EVP_DigestUpdate(in_sha, buf, (size_t) k) != 1)
                        q = -ENOMEM;
                else
                        q = compressor_feed(z, buf, (size_t) k, false);
        }
        if (q >= 0)
                q = compressor_feed(z, NULL, 0, true);
        if (q >= 0 && fsync(fd) < 0)
                q = negative_errno();
        if (q >= 0 && fchmod(fd, 0644) < 0)
                q = negative_errno();
        if (q >= 0 && ((q = digest_hex(in_sha, st.input_sha256)) >= 0))
                q = digest_hex(out_sha, st.sha256);
        if (q < 0) {
                (void) unlink(tmp);
                return log_error_errno(q, "%s: cannot store target '%s' (%s): %m", what, path,
                                       compression_name(c));
        }
        st.length = out.length;
        q = install(r, tmp, path, &st, replace);
        if (q < 0)
                return q;
        *ret = st;
        return 0;
}

static ssize_t read_fd(void *userdata, uint8_t *buf, size_t size) {
        for (;;) {
                ssize_t k = read(*(int *) userdata, buf, size);

                if (k >= 0 || errno != EINTR)
                        return k < 0 ? negative_errno() : k;
        }
}

int repo_store_target(const Repo *r, const char *src, const char *path, Compression c, StoredTarget *ret) {
        _cleanup_close_ int fd = open(src, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return log_error_errno(negative_errno(), "%s: cannot open: %m", src);
        return store(r, src, read_fd, &fd, path, c, false, ret);
}

typedef struct Memory {
        const uint8_t *data;
        size_t left;
} Memory;

static ssize_t read_memory(void *userdata, uint8_t *buf, size_t size) {
        Memory *m = userdata;
        size_t n = MIN(size, m->left);

        memcpy(buf, m->data, n);
        m->data += n;
        m->left -= n;
        return (ssize_t) n;
}

int repo_store_target_data(const Repo *r, const void *data, size_t size, const char *path,
                           StoredTarget *ret) {
        Memory m = { .data = data, .left = size };

        return store(r, path, read_memory, &m, path, COMPRESSION_NONE, true, ret);
}
