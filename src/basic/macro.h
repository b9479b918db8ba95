/* SPDX-License-Identifier: MIT */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Ownership helpers in the style of systemd's alloc-util.h: a variable marked
 * _cleanup_free_ is released when it leaves scope, TAKE_PTR() hands it out. */
#define _cleanup_(f)   __attribute__((cleanup(f)))
#define _unused_       __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_     __attribute__((noreturn))
#define _pure_         __attribute__((pure))
#define _public_       __attribute__((visibility("default")))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define TAKE_PTR(p)                      \
        ({                               \
                __typeof__(p) _p_ = (p); \
                (p) = NULL;              \
                _p_;                     \
        })

#define TAKE_FD(fd)              \
        ({                       \
                int _fd_ = (fd); \
                (fd) = -EBADF;   \
                _fd_;            \
        })

/* Defines a function usable with _cleanup_() that calls func(*p) when *p is set. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func) \
        static inline void func##p(type *p) {   \
                if (*p)                         \
                        func(*p);               \
        }

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                close(fd);
                errno = saved;
        }
        return -EBADF;
}

static inline void closep(int *fd) {
        safe_close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Returns a negative errno from errno, never 0, for code paths that know a call failed. */
static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}

#define streq(a, b)     (strcmp((a), (b)) == 0)
#define strneq(a, b, n) (strncmp((a), (b), (n)) == 0)

#define DIV_ROUND_UP(x, y) (((x) + (y) -1) / (y))
#define ALIGN_TO(x, a)     (DIV_ROUND_UP((x), (a)) * (a))
#define MIN(a, b)          ((a) < (b) ? (a) : (b))
#define MAX(a, b)          ((a) > (b) ? (a) : (b))

/* Overwrites key material before it is released, so it does not linger in freed memory. */
static inline void explicit_wipe(void *p, size_t n) {
        explicit_bzero(p, n);
}

/* snprintf() into a char array; evaluates to true if the whole output fit. */
#define snprintf_ok(buf, fmt, ...)                                          \
        ({                                                                  \
                int _n_ = snprintf((buf), sizeof(buf), fmt, ##__VA_ARGS__); \
                _n_ >= 0 && (size_t) _n_ < sizeof(buf);                     \
        })
