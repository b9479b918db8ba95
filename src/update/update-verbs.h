/* SPDX-License-Identifier: MIT */
#pragma once

#include "update-args.h"
#include "update-repo.h"
#include "update-select.h"
#include "update-state.h"

/* Verbs of the update program. Each takes the arguments after the verb name (argv[0] is the verb) and
 * returns an exit status. */
int verb_verify(int argc, char *argv[]);
int verb_check(int argc, char *argv[]);
int verb_apply(int argc, char *argv[]);
int verb_cancel(int argc, char *argv[]);
int verb_rollback(int argc, char *argv[]);

/* Shared by the verbs (update-verb-check.c). */
int update_policy_from_args(const UpdateArgs *a, UpdatePolicy *ret, char **ret_error);
/* The repository of --repo, or the bundle of --bundle. */
int update_repo_open_args(const UpdateArgs *a, UpdateRepo **ret, char **ret_error);
int update_record(const UpdateArgs *a, UpdateStateKind k, const char *version, char set, const char *reason);
/* Prints "error: <why>", records the error state, returns EXIT_FAILURE. why may be NULL (strerror(r)). */
int update_fail(const UpdateArgs *a, int r, const char *why);
