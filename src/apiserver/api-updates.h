/* SPDX-License-Identifier: MIT */
#pragma once

#include "api.h"

/* POST /actions/update/{check,apply,cancel} and /actions/rollback start the agent and answer 202;
 * GET /updates/status is its state file plus "running": the verb in progress or null. apply takes
 * ?reboot=true, ?version=V and ?allow-downgrade=true; check and apply take ?bundle=PATH, an update bundle on
 * the node (docs/decisions/0013-update-bundles.md) read instead of the repository. */
void api_post_update_check(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_post_update_apply(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_post_update_cancel(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_post_rollback(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_get_update_status(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
