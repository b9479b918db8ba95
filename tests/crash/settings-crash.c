/* SPDX-License-Identifier: MIT */
/* settings-crash [RUNS [SEED]]: kill -9 a process that is committing settings, many times, and check that
 * the store always holds a whole commit.
 *
 * A child commits numbered transactions in a loop, each writing KEYS keys with the same number, and
 * writes the number to a pipe after each commit returns. The parent kills it with SIGKILL after a random
 * delay, reopens the store and checks that every key holds the same number and that the number is the
 * last acknowledged one or the one after it (committed, but killed before the acknowledgement). The store
 * is kept from run to run, so each run also recovers the write-ahead log the previous kill left. */
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

#include "fileio.h"
#include "macro.h"
#include "settings-internal.h"
#include "settings-store.h"

#define KEYS         8
#define DEFAULT_RUNS 200
#define MAX_DELAY_US 15000

static char db_path[256];

static int build_tree(unsigned long n, struct json_object **ret) {
        char tree[512];
        size_t l = 0;

        l += (size_t) snprintf(tree + l, sizeof(tree) - l, "{\"motd\": \"%lu\", \"kernel\": {\"sysctl\": {",
                               n);
        for (int k = 1; k < KEYS; k++)
                l += (size_t) snprintf(tree + l, sizeof(tree) - l, "%s\"crash.key%d\": \"%lu\"",
                                       k > 1 ? ", " : "", k, n);
        if (l + 4 >= sizeof(tree))
                return -ENOBUFS;
        strcpy(tree + l, "}}}");
        *ret = json_tokener_parse(tree);
        return *ret ? 0 : -EINVAL;
}

/* The number all KEYS leaves of tree hold: 0 for an empty tree, -1 if they disagree or some are missing. */
static long tree_number(struct json_object *tree) {
        struct json_object *motd, *sysctl;
        long n;

        if (json_object_object_length(tree) == 0)
                return 0;
        if (!json_object_object_get_ex(tree, "motd", &motd) ||
            !json_object_object_get_ex(json_object_object_get(tree, "kernel"), "sysctl", &sysctl) ||
            json_object_object_length(sysctl) != KEYS - 1)
                return -1;
        n = strtol(json_object_get_string(motd), NULL, 10);
        json_object_object_foreach(sysctl, name, v) {
                (void) name;
                if (strtol(json_object_get_string(v), NULL, 10) != n)
                        return -1;
        }
        return n;
}

_noreturn_ static void child(int ack_fd, unsigned long start) {
        _cleanup_(settings_store_closep) SettingsStore *s = NULL;
        SettingsError error;

        if (settings_store_open(db_path, &s, &error) < 0) {
                fprintf(stderr, "settings-crash: child: %s\n", error.message);
                _exit(1);
        }
        for (unsigned long n = start + 1;; n++) {
                _cleanup_(json_object_putp) struct json_object *tree = NULL;
                uint32_t ack = (uint32_t) n;

                if (build_tree(n, &tree) < 0 || settings_store_set_pending(s, "crash", tree, &error) < 0 ||
                    settings_store_commit(s, "crash", NULL, NULL, &error) < 0) {
                        fprintf(stderr, "settings-crash: child: commit %lu: %s\n", n, error.message);
                        _exit(1);
                }
                if (loop_write(ack_fd, &ack, sizeof(ack)) < 0)
                        _exit(1);
        }
}

/* Reads the store as a new process would after the crash. Returns the committed number, or -1. */
static long check_store(unsigned long last_ack, unsigned run) {
        _cleanup_(settings_store_closep) SettingsStore *s = NULL;
        _cleanup_(json_object_putp) struct json_object *live = NULL, *pending = NULL;
        SettingsError error;
        long n, p;

        if (settings_store_open(db_path, &s, &error) < 0 ||
            settings_store_get_live(s, NULL, 0, &live, &error) < 0 ||
            settings_store_get_pending(s, "crash", &pending, &error) < 0) {
                fprintf(stderr, "settings-crash: run %u: cannot read the store: %s\n", run, error.message);
                return -1;
        }
        n = tree_number(live);
        p = tree_number(pending);
        if (n < 0 || (unsigned long) n < last_ack || (unsigned long) n > last_ack + 1) {
                fprintf(stderr, "settings-crash: run %u: acknowledged %lu, store holds %s\n", run, last_ack,
                        json_object_to_json_string_ext(live, JSON_C_TO_STRING_PLAIN));
                return -1;
        }
        /* A pending transaction is one write too: all of it or none. */
        if (p < 0) {
                fprintf(stderr, "settings-crash: run %u: torn pending transaction %s\n", run,
                        json_object_to_json_string_ext(pending, JSON_C_TO_STRING_PLAIN));
                return -1;
        }
        return n;
}

/* One run: start a child from committed number start, kill it after delay_us, return the last number it
 * acknowledged (start if none). */
static int run_once(unsigned long start, unsigned delay_us, unsigned long *ret_ack) {
        _cleanup_close_ int rfd = -EBADF;
        int fds[2], status;
        unsigned long last = start;
        uint32_t ack;
        pid_t pid;
        ssize_t k;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return negative_errno();
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                close(fds[0]);
                child(fds[1], start);
        }
        close(fds[1]);
        rfd = fds[0];
        usleep(delay_us);
        (void) kill(pid, SIGKILL);
        if (waitpid(pid, &status, 0) < 0)
                return negative_errno();
        if (!WIFSIGNALED(status)) {
                fprintf(stderr, "settings-crash: child exited on its own (status %d)\n",
                        WEXITSTATUS(status));
                return -ECHILD;
        }
        /* The child is gone, so the pipe holds every acknowledgement it wrote and then ends. */
        while ((k = read(rfd, &ack, sizeof(ack))) == (ssize_t) sizeof(ack))
                last = ack;
        if (k != 0)
                return -EIO;
        *ret_ack = last;
        return 0;
}

int main(int argc, char *argv[]) {
        unsigned runs = argc > 1 ? (unsigned) strtoul(argv[1], NULL, 10) : DEFAULT_RUNS;
        unsigned seed = argc > 2 ? (unsigned) strtoul(argv[2], NULL, 10)
                                 : (unsigned) time(NULL) ^ (unsigned) getpid();
        char dir[] = "/tmp/settings-crash.XXXXXX";
        unsigned long committed = 0, acked;
        unsigned ok = 0, advanced = 0;
        int r;

        if (!mkdtemp(dir) || !snprintf_ok(db_path, "%s/settings.sqlite", dir))
                return 1;
        srand(seed);
        for (unsigned i = 0; i < runs; i++) {
                long n;

                r = run_once(committed, (unsigned) rand() % MAX_DELAY_US, &acked);
                if (r < 0) {
                        fprintf(stderr, "settings-crash: run %u: %s (seed %u)\n", i, strerror(-r), seed);
                        break;
                }
                n = check_store(acked, i);
                if (n < 0) {
                        fprintf(stderr, "settings-crash: seed %u, store kept in %s\n", seed, dir);
                        break;
                }
                advanced += (unsigned long) n > committed;
                committed = (unsigned long) n;
                ok++;
        }
        printf("settings-crash: %u/%u runs consistent (%lu commits, %u runs committed something, seed %u)\n",
               ok, runs, committed, advanced, seed);
        if (ok == runs) {
                static const char *const suffixes[] = { "", "-wal", "-shm" };
                char path[300];

                for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                        if (snprintf_ok(path, "%s%s", db_path, suffixes[i]))
                                (void) unlink(path);
                (void) rmdir(dir);
        }
        return ok == runs ? 0 : 1;
}
