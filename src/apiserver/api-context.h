/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "api.h"
#include "settings-store.h"

#define API_TRY_SNAPSHOT "try" /* the snapshot a "try" commit keeps until confirmed or reverted */

/* What a successful `update apply` leads to. */
typedef enum ApiUpdateReboot {
        API_UPDATE_REBOOT_NO,
        API_UPDATE_REBOOT_YES,       /* POST /actions/update/apply?reboot=true */
        API_UPDATE_REBOOT_IN_WINDOW, /* automatic: only while automatic updates are on and the window open */
} ApiUpdateReboot;

/* What the handlers work with. */
struct ApiContext {
        const char *os_release; /* path of the os-release file */
        const char *cmdline;    /* the kernel command line: /proc/cmdline, a file in tests */
        SettingsStore *store;
        SettingsModel *model;
        const char *templates_dir; /* where the configuration file templates are */
        const char *root;          /* rendered files go under it: "/" on a node, a directory in tests */
        sd_bus *bus;               /* systemd, for restarting units and rebooting; NULL: not done */
        sd_event *event;
        sd_event_source *try_timer;      /* armed while a "try" commit waits for its confirmation */
        uint64_t try_deadline;           /* unix seconds */
        struct json_object *file_status; /* configuration file name -> last render's outcome */
        /* GET /settings answers by query, as text. Reads vastly outnumber writes, and assembling the tree
         * from the datastore is most of a read's cost; every commit or revert empties it. */
        struct json_object *settings_cache;
        /* The update agent (src/update) and the one run of it that may be in progress. */
        const char *update_program;
        const char *update_root;           /* the trusted root.json shipped in the image */
        const char *update_state;          /* the agent's state file */
        const char *update_metadata_cache; /* the TUF metadata the agent keeps between runs */
        const char *update_esp;            /* where the ESP is mounted */
        const char *update_disk; /* the boot disk; NULL: the disk the running root partition is on */
        sd_event_source *update_child;
        char update_verb[16];
        struct stat update_state_before; /* the state file when the running agent started (st_ino 0: none) */
        ApiUpdateReboot update_reboot;   /* what a success of the running apply leads to */
};

/* The server's routes (api-routes.c). */
extern const ApiRoute api_routes[];
extern const size_t api_n_routes;

/* Answers with the store's or model's error: status and the key path it names. */
void api_respond_settings_error(ApiResponse *resp, unsigned status, int r, const SettingsError *e);

/* Renders the configuration files the keys affect (keys: JSON array of key paths; NULL: every file) and
 * try-restarts their services' units. Returns 0 or the first error; every file's outcome is recorded in
 * ctx->file_status either way. */
int api_apply(ApiContext *ctx, struct json_object *keys, char **ret_error);

/* Forgets cached answers: the live settings changed. */
void api_settings_changed(ApiContext *ctx);

/* Reverts an unconfirmed "try" commit (at its deadline, or left over from before a restart). */
int api_try_revert(ApiContext *ctx);
