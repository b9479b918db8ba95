/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "api-context.h"

/* POST /actions/update/{check,apply,cancel} and /actions/rollback start the agent and answer 202;
 * GET /updates/status is its state file plus "running": the verb in progress or null. apply takes
 * ?reboot=true, ?version=V and ?allow-downgrade=true; check and apply take ?bundle=PATH, an update bundle on
 * the node (docs/decisions/0013-update-bundles.md) read instead of the repository. */
void api_post_update_check(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_post_update_apply(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_post_update_cancel(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_post_rollback(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_get_update_status(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);

/* POST /actions/update/auto (api-update-auto.c, docs/decisions/0012-automatic-updates.md): with
 * settings.updates.automatic on and inside settings.updates.maintenance-window, what `update apply` would
 * install, then a reboot while the window is still open; 202. Otherwise 200 and when the window opens. */
void api_post_update_auto(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);

/* Between api-updates.c and api-update-auto.c. */

/* One run of the agent. */
typedef struct ApiUpdateRun {
        const char *verb;         /* check, apply, cancel or rollback */
        const char *version;      /* apply: this version; NULL: the one check would offer */
        bool allow_downgrade;     /* apply */
        const char *skip_version; /* check, apply: never offer this one */
        const char *bundle;       /* check, apply: an update bundle on the node instead of the repository */
        ApiUpdateReboot reboot;   /* apply */
} ApiUpdateRun;

/* Starts the agent with its arguments from settings.updates, os-release and the kernel command line.
 * Returns 0, or a negative errno with the reason in *ret_error (malloc()ed). */
int api_update_spawn(ApiContext *ctx, const ApiUpdateRun *run, char **ret_error);

/* The agent's state file, the fields the server acts on. */
typedef struct ApiUpdateState {
        char state[16];     /* idle, available, staged, ready, error */
        char version[64];   /* empty: none */
        int64_t updated_at; /* unix seconds; -1: not given */
} ApiUpdateState;

/* Reads it; a missing file is the idle state. Returns 0, -EBADMSG for a file that is not a state, or
 * another negative errno. */
int api_update_state_read(ApiContext *ctx, ApiUpdateState *ret);

/* The version the node runs: VERSION_ID of os-release. Returns 0 or -ENOENT. */
int api_update_running_version(ApiContext *ctx, char *ret, size_t size);

/* Reboots in a few seconds: the client that asked sees the answer first. */
void api_update_reboot_soon(ApiContext *ctx);

/* Whether automatic updates may reboot the node now: on, and now inside the maintenance window. */
bool api_update_auto_may_reboot(ApiContext *ctx);
