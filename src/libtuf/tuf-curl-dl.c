/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "macro.h"
#include "tuf-curl-dl.h"
#include "tuf-error.h"

#define LIBCURL "libcurl.so.4"

#define TUF_CURL_SYM_DEFINE(name) __typeof__(name) *sym_##name = NULL

TUF_CURL_SYM_DEFINE(curl_global_init);
TUF_CURL_SYM_DEFINE(curl_global_cleanup);
TUF_CURL_SYM_DEFINE(curl_easy_init);
TUF_CURL_SYM_DEFINE(curl_easy_cleanup);
TUF_CURL_SYM_DEFINE(curl_easy_reset);
TUF_CURL_SYM_DEFINE(curl_easy_setopt);
TUF_CURL_SYM_DEFINE(curl_easy_perform);
TUF_CURL_SYM_DEFINE(curl_easy_getinfo);
TUF_CURL_SYM_DEFINE(curl_easy_header);
TUF_CURL_SYM_DEFINE(curl_easy_escape);
TUF_CURL_SYM_DEFINE(curl_easy_strerror);
TUF_CURL_SYM_DEFINE(curl_free);

/* Each pointer with the name dlsym() finds it by. POSIX guarantees that a function pointer can be stored
 * through a void * (dlsym(3)), which is how the table reaches pointers of twelve different types. */
#define SYM(name) \
        { #name, (void **) &sym_##name }
static const struct {
        const char *name;
        void **slot;
} symbols[] = {
        SYM(curl_global_init), SYM(curl_global_cleanup), SYM(curl_easy_init),     SYM(curl_easy_cleanup),
        SYM(curl_easy_reset),  SYM(curl_easy_setopt),    SYM(curl_easy_perform),  SYM(curl_easy_getinfo),
        SYM(curl_easy_header), SYM(curl_easy_escape),    SYM(curl_easy_strerror), SYM(curl_free),
};

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
/* Why the load failed, for every later caller: dlerror() only tells the thread that tried. */
static char load_error[512];
/* libcurl before 7.84 does not lock its global state itself (curl_global_init(3): "not thread safe"); two
 * fetchers may be made or freed at once. */
static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;

static void load_failed(void *dl) {
        const char *why = dlerror();

        /* A message cut short still says what failed. */
        (void) snprintf(load_error, sizeof(load_error), "%s", why ? why : "unknown error");
        if (dl)
                (void) dlclose(dl);
}

/* Resolves every function before setting any pointer: a library missing one (older than 7.83, which added
 * curl_easy_header()) leaves them all NULL rather than half of them set. A loaded library stays for the
 * life of the process: the TLS libraries it brings keep global state (and may register exit handlers) that
 * unloading would leave dangling, and a second fetcher would pay for the load again. */
static void load(void) {
        void *found[ELEMENTSOF(symbols)];
        void *dl;

        dl = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL);
        if (!dl) {
                load_failed(NULL);
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(symbols); i++) {
                found[i] = dlsym(dl, symbols[i].name);
                if (!found[i]) {
                        load_failed(dl);
                        return;
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(symbols); i++)
                *symbols[i].slot = found[i];
}

int tuf_curl_acquire(char **ret_error) {
        CURLcode code;

        /* pthread_once() also orders the pointers' stores before this thread's reads of them. */
        (void) pthread_once(&load_once, load);
        if (!sym_curl_global_init)
                return tuf_error(ret_error, -EOPNOTSUPP,
                                 "cannot load " LIBCURL ", needed for http(s) and file:// repositories: %s",
                                 load_error);
        pthread_mutex_lock(&global_lock);
        code = sym_curl_global_init(CURL_GLOBAL_DEFAULT);
        pthread_mutex_unlock(&global_lock);
        if (code != CURLE_OK)
                return tuf_error(ret_error, -EIO, "cannot initialize libcurl: %s",
                                 sym_curl_easy_strerror(code));
        return 0;
}

void tuf_curl_release(void) {
        pthread_mutex_lock(&global_lock);
        sym_curl_global_cleanup();
        pthread_mutex_unlock(&global_lock);
}
