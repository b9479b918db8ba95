/* SPDX-License-Identifier: MIT */
#pragma once

/* What bulkhead-ready keeps on the data partition from one boot to the next: which boots happened, which
 * failed and why, and which boot on trial has not been judged yet. Paths are arguments, so tests can use a
 * temporary directory. */

/* Appends a failed boot ("version=… set=… why") to the record at path. */
int record_failed_boot(const char *path, const char *what);

/* Marks the boot boot_id as on trial and not judged yet: "<boot_id> <what>". Written atomically before the
 * boot is judged; removed (by trial_take) when it is. */
int trial_mark(const char *path, const char *boot_id, const char *what);

/* Takes the trial mark at path away. Returns 1 and the mark's "what" in *ret_what (to free) if the mark was
 * left by another boot: that boot, on trial, never got judged (it hung until the watchdog rebooted it, or
 * lost power), so it counted as a failed try. Returns 0 if there was no mark or it is this boot's own, and
 * a negative errno if the mark could not be read or removed. */
int trial_take(const char *path, const char *boot_id, char **ret_what);
