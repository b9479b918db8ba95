/* SPDX-License-Identifier: MIT */
#pragma once

#include <curl/curl.h>

/* libcurl for the curl fetcher, loaded with dlopen() the first time one is made instead of linked: it
 * brings 27 more libraries (TLS, Kerberos, LDAP, HTTP/2, ...) that cost every start of the update agent
 * about 20 ms from a cold cache and map code into every run, while most applies read a directory or a
 * bundle and never use it. Only the functions tuf-fetch-curl.c calls are here; the pointers are set once,
 * all together, by the first successful tuf_curl_acquire(), and are NULL before. */

#define TUF_CURL_SYM(name) extern __typeof__(name) *sym_##name

TUF_CURL_SYM(curl_global_init);
TUF_CURL_SYM(curl_global_cleanup);
TUF_CURL_SYM(curl_easy_init);
TUF_CURL_SYM(curl_easy_cleanup);
TUF_CURL_SYM(curl_easy_reset);
TUF_CURL_SYM(curl_easy_setopt);
TUF_CURL_SYM(curl_easy_perform);
TUF_CURL_SYM(curl_easy_getinfo);
TUF_CURL_SYM(curl_easy_header);
TUF_CURL_SYM(curl_easy_escape);
TUF_CURL_SYM(curl_easy_strerror);
TUF_CURL_SYM(curl_free);

/* Loads libcurl.so.4 if this process has not yet (only the first call tries; later ones get its result)
 * and takes a reference on libcurl's global state (curl_global_init()), which the caller must drop with
 * tuf_curl_release() after its last use of libcurl. Returns 0; -EOPNOTSUPP if the library or one of the
 * functions above cannot be loaded, -EIO if it does not initialize, each with a message in *ret_error.
 * Two threads may call it at once. */
int tuf_curl_acquire(char **ret_error);

/* Drops a reference taken by tuf_curl_acquire() (curl_global_cleanup()). The library stays loaded. */
void tuf_curl_release(void);

/* With gcc, curl.h makes curl_easy_setopt() and curl_easy_getinfo() macros (typecheck-gcc.h) that check the
 * argument's type against the option and then call the function of that name. Inside these two wrappers
 * that name is a local pointer to the loaded function: the checks stay, and the call goes through it. */
#define tuf_curl_easy_setopt(handle, option, value)                                             \
        __extension__({                                                                         \
                _Pragma("GCC diagnostic push");                                                 \
                _Pragma("GCC diagnostic ignored \"-Wshadow\"");                                 \
                __typeof__(sym_curl_easy_setopt) const curl_easy_setopt = sym_curl_easy_setopt; \
                _Pragma("GCC diagnostic pop");                                                  \
                curl_easy_setopt(handle, option, value);                                        \
        })

#define tuf_curl_easy_getinfo(handle, info, arg)                                                   \
        __extension__({                                                                            \
                _Pragma("GCC diagnostic push");                                                    \
                _Pragma("GCC diagnostic ignored \"-Wshadow\"");                                    \
                __typeof__(sym_curl_easy_getinfo) const curl_easy_getinfo = sym_curl_easy_getinfo; \
                _Pragma("GCC diagnostic pop");                                                     \
                curl_easy_getinfo(handle, info, arg);                                              \
        })
