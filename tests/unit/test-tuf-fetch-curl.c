/* SPDX-License-Identifier: MIT */
/* The curl fetcher loads libcurl the first time one is made (dlopen) and initializes it per fetcher: threads
 * that make, use and free fetchers at once, over file:// URLs, must each get every byte, with the load done
 * once and libcurl's global state never set up or torn down by two of them together. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "tuf-fetch.h"

#define THREADS   4
#define ROUNDS    8
#define FILE_SIZE (256 * 1024 + 7)

static char dir[] = "/tmp/test-tuf-fetch-curl-XXXXXX";
static uint8_t content[FILE_SIZE];

typedef struct Collected {
        size_t size;
        bool same; /* every byte so far equals content's */
} Collected;

static int collect(const void *data, size_t size, void *userdata) {
        Collected *c = userdata;

        if (c->size + size > FILE_SIZE || memcmp(content + c->size, data, size) != 0)
                c->same = false;
        c->size += size;
        return 0;
}

/* cmocka's asserts are not for threads: each thread counts its failures, the test checks the counts. */
static void *make_fetch_free(void *userdata) {
        char metadata[128], targets[128];
        size_t failures = 0;

        if (!snprintf_ok(metadata, "file://%s/metadata", dir) ||
            !snprintf_ok(targets, "file://%s/targets", dir))
                return (void *) (uintptr_t) 1;
        for (int i = 0; i < ROUNDS; i++) {
                Collected c = { .same = true };
                TufFetcher *f = NULL;
                char *why = NULL;

                if (tuf_fetcher_curl_new(metadata, targets, &f, &why) < 0 ||
                    f->fetch(f, TUF_AREA_TARGETS, "file.bin", FILE_SIZE, collect, &c, &why) < 0 ||
                    c.size != FILE_SIZE || !c.same) {
                        fprintf(stderr, "round %d: %s\n", i, why ? why : "wrong bytes");
                        failures++;
                }
                free(why);
                tuf_fetcher_free(f);
        }
        return (void *) (uintptr_t) failures;
}

static void threads_at_once(void **state) {
        pthread_t threads[THREADS];

        for (int i = 0; i < THREADS; i++)
                assert_int_equal(pthread_create(&threads[i], NULL, make_fetch_free, NULL), 0);
        for (int i = 0; i < THREADS; i++) {
                void *failures;

                assert_int_equal(pthread_join(threads[i], &failures), 0);
                assert_int_equal((uintptr_t) failures, 0);
        }
}

static int setup(void **state) {
        char path[128];
        FILE *f;

        for (size_t i = 0; i < FILE_SIZE; i++)
                content[i] = (uint8_t) (i * 131 + i / 1000);
        if (!mkdtemp(dir))
                return -1;
        if (!snprintf_ok(path, "%s/metadata", dir) || mkdir(path, 0755) < 0)
                return -1;
        if (!snprintf_ok(path, "%s/targets", dir) || mkdir(path, 0755) < 0)
                return -1;
        if (!snprintf_ok(path, "%s/targets/file.bin", dir))
                return -1;
        f = fopen(path, "we");
        if (!f)
                return -1;
        if (fwrite(content, 1, FILE_SIZE, f) != FILE_SIZE) {
                fclose(f);
                return -1;
        }
        return fclose(f) == 0 ? 0 : -1;
}

static int teardown(void **state) {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return system(cmd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(threads_at_once),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
