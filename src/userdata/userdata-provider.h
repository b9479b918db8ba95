/* SPDX-License-Identifier: MIT */
#pragma once

/* The providers that take more than a file read, each in its own file; the table is in
 * userdata-provider.c, and each follows Provider.read's contract (userdata.h). */
#include "userdata.h"

/* A CIDATA (cloud-init NoCloud) or config-2 (OpenStack) drive: userdata-config-drive.c. */
int provider_read_config_drive(const ProviderOptions *o, char **ret_data, size_t *ret_len, char **ret_error);
/* EC2's instance metadata service, IMDSv2: userdata-imds.c. */
int provider_read_imds(const ProviderOptions *o, char **ret_data, size_t *ret_len, char **ret_error);
