/* SPDX-License-Identifier: MIT */
/* User data sources, tried in order (DESIGN.md §3): QEMU fw_cfg and the data partition's file here, a
 * config drive and EC2 IMDSv2 in files of their own. Each row only has to say whether it has user data
 * and hand it over; the most specific source comes first, so that a blob a person put on this one machine
 * beats what a cloud hands every instance. */
#include <errno.h>
#include <stdio.h>

#include "fileio.h"
#include "userdata-provider.h"

/* The name QEMU's -fw_cfg name=opt/org.bulkhead/user-data,file=… gives the blob; the "opt/" prefix is
 * QEMU's namespace for names chosen by users. */
#define FW_CFG_USER_DATA "by_name/opt/org.bulkhead/user-data/raw"

static int read_path(const char *path, char **ret_data, size_t *ret_len) {
        int r = read_full_file(path, USERDATA_MAX_SIZE, ret_data, ret_len);

        /* A missing directory on the way means the same as a missing file: fw_cfg without our blob. */
        return r == -ENOTDIR ? -ENOENT : r;
}

static int read_fw_cfg(const ProviderOptions *o, char **ret_data, size_t *ret_len, char **ret_error) {
        _cleanup_free_ char *path = NULL;

        if (asprintf(&path, "%s/%s", o->fw_cfg_root, FW_CFG_USER_DATA) < 0)
                return -ENOMEM;
        return read_path(path, ret_data, ret_len);
}

static int read_local_file(const ProviderOptions *o, char **ret_data, size_t *ret_len, char **ret_error) {
        return read_path(o->file, ret_data, ret_len);
}

const Provider userdata_providers[] = {
        { "fw_cfg", read_fw_cfg },
        { "file", read_local_file },
        { "config-drive", provider_read_config_drive },
        { "imds", provider_read_imds },
};
const size_t userdata_n_providers = ELEMENTSOF(userdata_providers);

int userdata_find(const ProviderOptions *o, const Provider **ret_provider, char **ret_data, size_t *ret_len,
                  char **ret_error) {
        *ret_error = NULL;
        for (size_t i = 0; i < userdata_n_providers; i++) {
                int r = userdata_providers[i].read(o, ret_data, ret_len, ret_error);

                if (r == -ENOENT)
                        continue;
                *ret_provider = &userdata_providers[i];
                return r < 0 ? r : 1;
        }
        return 0;
}
