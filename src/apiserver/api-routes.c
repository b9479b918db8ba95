/* SPDX-License-Identifier: MIT */
#include "api-context.h"
#include "api-os.h"

const ApiRoute api_routes[] = {
        { "GET", "/os", api_get_os },
};
const size_t api_n_routes = ELEMENTSOF(api_routes);
