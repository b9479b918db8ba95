/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "tuf.h"
#include "update-repo.h"
#include "update-version.h"

/* The UKIs on the ESP, in systemd-boot's Type #2 directory EFI/Linux, named
 * bulkhead-<version>-<set>[+LEFT[-DONE]].efi: LEFT boot tries left and DONE made (boot counting; a
 * blessed UKI has no counter, one with LEFT 0 is "bad" and sorted last). systemd-boot boots the newest
 * version that is not bad; decision 0010. */

#define UPDATE_UKI_TRIES 3
#define UPDATE_ESP_DIR   "EFI/Linux"

typedef struct UkiName {
        char version[UPDATE_VERSION_MAX + 1];
        char set;
        bool counted;
        unsigned left, done;
} UkiName;

/* Every change below ends with sync_file_system() on the ESP: on vfat, fsync of a renamed file's
 * directory leaves the new entry with size 0 until the file's inode is written back, and a power cut in
 * between left a 0-byte UKI under its final name (the power-cut test, decision 0010). */

/* Calls f for each of our UKIs in the directory dir_fd (EFI/Linux). f returns <0 to stop with that error. */
typedef int (*UkiVisitor)(int dir_fd, const char *name, const UkiName *u, void *userdata);
int update_esp_for_each_uki(int dir_fd, UkiVisitor f, void *userdata);

/* Parses a file name; -EINVAL for a name that is not one of our UKIs. */
int update_uki_name_parse(const char *name, UkiName *ret);

/* Removes every UKI of set (the set about to be overwritten: its UKIs would boot half-written
 * partitions). Returns the number removed and the bytes freed. */
int update_esp_remove_set(const char *esp, char set, uint64_t *ret_freed, char **ret_error);

/* Gives every UKI of set that is out of tries (+0-N: failed, or marked by a rollback or a downgrade) its
 * blessed name back. The running set is the fallback of whatever is installed next: were it left "bad",
 * a new version that fails its tries would sort above it (systemd-boot orders bad entries by version
 * too) and boot again and again. Returns the number renamed. */
int update_esp_restore_set(const char *esp, char set, char **ret_error);

/* Checks that the ESP has room for a UKI of size bytes: "ESP has N bytes free, the UKI needs M".
 * free_override >= 0 replaces the file system's answer (a test hook). */
int update_esp_check_space(const char *esp, uint64_t size, int64_t free_override, char **ret_error);

/* A UKI downloaded to a temporary name in EFI/Linux (".bulkhead-<version>-<set>+3.efi.tmp", which
 * systemd-boot does not boot), verified and fsynced: staged, but not yet bootable. */
typedef struct UpdateStagedUki {
        int dir_fd;               /* EFI/Linux */
        int file_fd;              /* the UKI, to sync once renamed */
        char tmp[128], name[128]; /* tmp empty once placed */
} UpdateStagedUki;

#define UPDATE_STAGED_UKI_NULL \
        { .dir_fd = -EBADF, .file_fd = -EBADF }

/* Downloads the UKI target to its temporary name: the ESP's free space checked, every byte verified by
 * TUF, the file fsynced. */
int update_esp_stage_uki(UpdateRepo *repo, const TufTarget *uki, const char *esp, const char *version,
                         char set, int64_t free_override, UpdateStagedUki *ret, char **ret_error);

/* Renames a staged UKI to bulkhead-<version>-<set>+3.efi and syncs the file and the ESP: from here the
 * set boots, and its name is on the disk when this returns. */
int update_esp_place_uki(UpdateStagedUki *s, const char *esp, char **ret_error);

/* Removes a staged UKI that was not placed; closes the directory. */
void update_staged_uki_done(UpdateStagedUki *s);

/* Removes the UKI of version/set if it still has all its tries (never booted). 1 if removed, 0 if not
 * there or already tried. */
int update_esp_remove_untried(const char *esp, const char *version, char set, char **ret_error);

/* Makes the other set's newest UKI the next boot: every UKI of current_set is renamed to LEFT 0 ("bad"),
 * which systemd-boot sorts after all good entries. *ret_version receives the version that will boot. */
int update_esp_rollback(const char *esp, char current_set, char ret_version[static UPDATE_VERSION_MAX + 1],
                        char **ret_error);
