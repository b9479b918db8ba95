/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "macro.h"
#include "settings.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

/* Bottlerocket allows 16 KiB of base64; we allow more, but a bound all the same: the whole document is
 * held in memory and parsed at every first boot. */
#define USERDATA_MAX_SIZE (1024 * 1024)
/* Errors listed per document. Past this the list ends with a count: the status is one API request body,
 * and a person fixes the first hundred before reading the rest. */
#define USERDATA_MAX_ERRORS 100

/* What a user data document holds, after parsing and checking against the model. */
typedef struct UserData {
        /* The [settings] table as plain JSON, without the `settings` wrapper; NULL if there are errors. */
        struct json_object *settings;
        /* Leaves under [settings] (a list counts as one), as the datastore counts keys. */
        size_t n_keys;
        /* One line per problem, without any prefix: "line 2, column 5: …" or "settings.motd: not a string".
         */
        char **errors;
        size_t n_errors;
        size_t n_dropped; /* errors past USERDATA_MAX_ERRORS, counted but not kept */
} UserData;

/* Parses a TOML user data document of len bytes and checks it against m, collecting every problem: TOML
 * syntax (one error, with line and column: the parser stops at the first), top-level tables other than
 * [settings], and each key the model refuses. Returns 0 with ret filled (ret->n_errors > 0 when the
 * document must not be applied), or -ENOMEM. ret is to be released with userdata_done(). */
int userdata_parse(const SettingsModel *m, const char *text, size_t len, UserData *ret);
/* Releases what ret holds; the struct may then be reused. Accepts a zeroed one. */
void userdata_done(UserData *u);
/* Adds a printf-formatted error to u. Returns 0 or -ENOMEM. */
int userdata_add_error(UserData *u, const char *fmt, ...) _printf_(2, 3);

/* Where user data comes from. Every path is overridable so tests need no VM and no root. */
typedef struct ProviderOptions {
        const char *fw_cfg_root;  /* sysfs directory of QEMU's fw_cfg, normally /sys/firmware/qemu_fw_cfg */
        const char *file;         /* the file on the data partition, normally /local/user-data.toml */
        const char *by_label_dir; /* udev's links to file systems by label, normally /dev/disk/by-label */
        const char *run_dir;      /* where a config drive is mounted while it is read, normally /run */
        const char *imds_url;     /* EC2's instance metadata service, normally http://169.254.169.254 */
} ProviderOptions;

typedef struct Provider {
        const char *name; /* as the status and the console messages name the source */
        /* Reads the user data. Returns 0 with a NUL-terminated malloc()ed buffer, -ENOENT when this source
         * has none (the next one is tried), -EFBIG past USERDATA_MAX_SIZE, or another negative errno; then
         * it may also set *ret_error to a malloc()ed sentence saying what failed, for the console and the
         * status (without it they show the errno's text). */
        int (*read)(const ProviderOptions *o, char **ret_data, size_t *ret_len, char **ret_error);
} Provider;

/* The sources in the order they are tried; the first that has user data wins. */
extern const Provider userdata_providers[];
extern const size_t userdata_n_providers;

/* Tries the providers in order. Returns 1 with the winner in ret_provider and its data in ret_data/ret_len;
 * 0 when no provider has user data; or a negative errno when the first present provider could not be read
 * (ret_provider then names it, ret_error may say what failed, and the others are not tried: they are not
 * what the user meant). */
int userdata_find(const ProviderOptions *o, const Provider **ret_provider, char **ret_data, size_t *ret_len,
                  char **ret_error);
