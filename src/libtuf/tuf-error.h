/* SPDX-License-Identifier: MIT */
#pragma once

#include "error.h"

/* Refusals carry a human message for the operator ("snapshot.json: version 3 is older than trusted
 * version 4 (rollback)"). Library functions hand it back through their last parameter, char **ret_error,
 * which may be NULL when the caller only wants the errno. */

/* Formats the message into *ret_error unless ret_error is NULL or already holds an earlier (more specific)
 * message, and returns r, so that `return tuf_error(ret_error, -EBADMSG, "...");` is one statement. */
#define tuf_error error_message
