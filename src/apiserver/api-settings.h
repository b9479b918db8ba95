/* SPDX-License-Identifier: MIT */
#pragma once

#include "api.h"

void api_get_settings(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_patch_settings(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_patch_keypair(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_get_tx(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_delete_tx(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_get_tx_list(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_post_commit(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_post_apply(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_post_commit_and_apply(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_post_try(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_post_confirm(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
