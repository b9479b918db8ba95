/* SPDX-License-Identifier: MIT */
/* Replays a libFuzzer corpus without libFuzzer: every regular file under the directories given on the
 * command line is passed once to LLVMFuzzerTestOneInput. A crash or sanitizer report fails the test. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_path(const char *path, unsigned *count) {
        struct stat st;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "fuzz-replay: cannot stat '%s': %m\n", path);
                return -1;
        }
        if (S_ISDIR(st.st_mode)) {
                struct dirent **names = NULL;
                int n = scandir(path, &names, NULL, alphasort), rc = 0;

                if (n < 0) {
                        fprintf(stderr, "fuzz-replay: cannot list '%s': %m\n", path);
                        return -1;
                }
                for (int i = 0; i < n; i++) {
                        if (names[i]->d_name[0] != '.' && rc == 0) {
                                _cleanup_free_ char *child = NULL;
                                if (asprintf(&child, "%s/%s", path, names[i]->d_name) < 0)
                                        rc = -1;
                                else
                                        rc = replay_path(child, count);
                        }
                        free(names[i]);
                }
                free(names);
                return rc;
        }

        _cleanup_free_ char *data = NULL;
        size_t size;
        if (read_full_file(path, 16 * 1024 * 1024, &data, &size) < 0) {
                fprintf(stderr, "fuzz-replay: cannot read '%s'\n", path);
                return -1;
        }
        LLVMFuzzerTestOneInput((const uint8_t *) data, size);
        (*count)++;
        return 0;
}

int main(int argc, char *argv[]) {
        unsigned count = 0;

        for (int i = 1; i < argc; i++)
                if (replay_path(argv[i], &count) < 0)
                        return 1;
        printf("replayed %u inputs\n", count);
        return count > 0 ? 0 : 1;
}
