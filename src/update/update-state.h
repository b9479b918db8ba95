/* SPDX-License-Identifier: MIT */
#pragma once

#include "tuf-time.h"
#include "update-version.h"

/* The agent's state (docs/decisions/0010-update-agent.md), kept as one small JSON file that the API
 * reports on /updates/status:
 *   idle      nothing to do, or the last check found nothing newer
 *   available a newer allowed version exists (version)
 *   staged    the inactive partitions hold that version, written and verified; no UKI yet
 *   ready     its UKI is on the ESP with boot tries: the next boot tries it
 *   error     the last operation failed (reason) */

#define UPDATE_STATE_PATH "/var/lib/bulkhead/update-state.json"
#define UPDATE_REASON_MAX 512

typedef enum UpdateStateKind {
        UPDATE_STATE_IDLE,
        UPDATE_STATE_AVAILABLE,
        UPDATE_STATE_STAGED,
        UPDATE_STATE_READY,
        UPDATE_STATE_ERROR,
        _UPDATE_STATE_MAX,
} UpdateStateKind;

typedef struct UpdateState {
        UpdateStateKind state;
        char version[UPDATE_VERSION_MAX + 1]; /* empty: none */
        char reason[UPDATE_REASON_MAX];       /* empty: none */
        char set;                             /* 'a', 'b' or 0: the set the version was written to */
        TufTime updated_at;
} UpdateState;

const char *update_state_name(UpdateStateKind k);

/* Reads the state file; a missing file is the idle state. Returns 0, -EBADMSG for a file that is not
 * a state we wrote, or another negative errno. */
int update_state_read(const char *path, UpdateState *ret);

/* Writes s atomically (temp file, fsync, rename), creating the directory if needed. */
int update_state_write(const char *path, const UpdateState *s);

/* Sets the fields of a new state; version and reason may be NULL. */
void update_state_set(UpdateState *s, UpdateStateKind k, const char *version, char set, const char *reason,
                      TufTime now);
