/* SPDX-License-Identifier: MIT */
#pragma once

#include "api.h"

void api_get_services(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_get_configuration_files(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_get_affected_services(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_get_templates(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_put_user_data_status(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
void api_post_reboot(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
