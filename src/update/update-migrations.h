/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

#include "update-repo.h"

/* Downloads, through TUF, the settings migrations on the way from current to target and back (as
 * migration_plan() finds them in the signed manifest), checks that `migrate` can run each, and leaves them
 * in dir with index.json, the variant's migration list. A way that does not exist is not an error: most
 * versions need no migrations. Written before the UKI that makes the new set bootable. */
int update_migrations_stage(UpdateRepo *repo, json_object *manifest, const char *variant,
                            const char *current, const char *target, const char *dir, char **ret_error);
