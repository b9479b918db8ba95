/* SPDX-License-Identifier: MIT */
#pragma once

#include "api.h"

/* GET /os: the running image's identity from os-release, and the machine's architecture. */
void api_get_os(ApiContext *ctx, const ApiRequest *req, ApiResponse *resp);
