/* SPDX-License-Identifier: MIT */
#pragma once

#include "api.h"

/* What the handlers work with. */
struct ApiContext {
        const char *os_release; /* path of the os-release file */
};

/* The server's routes (api-routes.c). */
extern const ApiRoute api_routes[];
extern const size_t api_n_routes;
