/* SPDX-License-Identifier: MIT */
/* Paths and shapes: docs/decisions/0004-settings-api.md. */
#include "api-context.h"
#include "api-meta.h"
#include "api-os.h"
#include "api-settings.h"
#include "api-updates.h"

const ApiRoute api_routes[] = {
        { "GET", "/settings", api_get_settings },
        { "PATCH", "/settings", api_patch_settings },
        { "PATCH", "/settings/keypair", api_patch_keypair },
        { "GET", "/tx", api_get_tx },
        { "DELETE", "/tx", api_delete_tx },
        { "GET", "/tx/list", api_get_tx_list },
        { "POST", "/tx/commit", api_post_commit },
        { "POST", "/tx/apply", api_post_apply },
        { "POST", "/tx/commit_and_apply", api_post_commit_and_apply },
        { "POST", "/tx/try", api_post_try },
        { "POST", "/tx/confirm", api_post_confirm },
        { "GET", "/os", api_get_os },
        { "PUT", "/os/user-data", api_put_user_data_status },
        { "GET", "/services", api_get_services },
        { "GET", "/configuration-files", api_get_configuration_files },
        { "GET", "/metadata/affected-services", api_get_affected_services },
        { "GET", "/metadata/templates", api_get_templates },
        { "POST", "/actions/reboot", api_post_reboot },
        { "GET", "/updates/status", api_get_update_status },
        { "POST", "/actions/update/check", api_post_update_check },
        { "POST", "/actions/update/apply", api_post_update_apply },
        { "POST", "/actions/update/cancel", api_post_update_cancel },
        { "POST", "/actions/update/auto", api_post_update_auto },
        { "POST", "/actions/rollback", api_post_rollback },
};
const size_t api_n_routes = ELEMENTSOF(api_routes);
