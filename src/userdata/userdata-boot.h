/* SPDX-License-Identifier: MIT */
#pragma once

#include "userdata.h"

typedef struct BootOptions {
        const char *socket;  /* the API server's socket */
        const char *models;  /* the settings model's directory */
        const char *variant; /* the model's variant, or NULL for the base model alone */
        const char *console; /* where errors are shown besides stderr, or NULL */
        ProviderOptions providers;
} BootOptions;

/* The first-boot run: unless the API already records a user data status, finds user data, checks it and
 * either commits it or records why not. Bad user data is not a failure of this program: the boot goes on
 * with the defaults and the status says what was wrong. Returns 0, or a negative errno (logged) when the
 * API server cannot be reached or the model cannot be loaded. */
int userdata_boot(const BootOptions *o);

/* settings_model_load() with its failure logged. Returns 0 or the negative errno it logged. */
int userdata_load_model(const char *dir, const char *variant, SettingsModel **ret);

/* Prints each of u's errors as "userdata: SOURCE: ERROR" on stderr and, when console is not NULL and can be
 * opened for writing, there too. */
void userdata_report(const UserData *u, const char *source, const char *console);
