/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

#include "repo.h"

#define MANIFEST_TARGET "manifest.json"

/* The next targets "signed" object and manifest: staged ones if add ran since the last sign, else copies
 * of the published ones (the manifest read back from its target file and checked). */
int repo_stage_load(const Repo *r, json_object **ret_targets, json_object **ret_manifest);
int repo_stage_save(const Repo *r, json_object *targets, json_object *manifest);

/* If something is staged: stores the manifest as a target, lists it in the staged targets, and makes
 * those the targets document to publish. Returns 1 if it did, 0 if nothing was staged. */
int repo_stage_apply(Repo *r);
/* Removes the staged files once they are published. */
int repo_stage_clear(const Repo *r);
