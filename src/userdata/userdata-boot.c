/* SPDX-License-Identifier: MIT */
/* First boot: user data from the first provider that has some, checked against the model, then committed
 * through the API in one transaction or refused with every reason on the console. */
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>

#include "fileio.h"
#include "log.h"
#include "userdata-api.h"
#include "userdata-boot.h"

void userdata_report(const UserData *u, const char *source, const char *console) {
        _cleanup_close_ int fd = -EBADF;

        /* The console is where a person booting a machine looks; stderr reaches the journal. O_NOCTTY so
         * that opening it never makes it our controlling terminal. */
        if (console)
                fd = open(console, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
        for (size_t i = 0; i <= u->n_errors; i++) {
                _cleanup_free_ char *line = NULL;
                int n;

                if (i < u->n_errors)
                        n = asprintf(&line, "userdata: %s: %s\n", source, u->errors[i]);
                else if (u->n_dropped > 0)
                        n = asprintf(&line, "userdata: %s: ... and %zu more errors\n", source, u->n_dropped);
                else
                        break;
                if (n < 0)
                        return;
                fputs(line, stderr);
                if (fd >= 0)
                        (void) loop_write(fd, line, (size_t) n);
        }
}

int userdata_load_model(const char *dir, const char *variant, SettingsModel **ret) {
        SettingsError e = {};
        int r;

        r = settings_model_load(dir, variant, ret, &e);
        if (r < 0)
                return log_error_errno(
                        r, "Failed to load the settings model from '%s' (variant %s): %s%s%s: %m", dir,
                        variant ?: "none", e.key, e.key[0] ? ": " : "", e.message);
        return 0;
}

static struct json_object *status_new(const char *status, const char *source) {
        struct json_object *o = json_object_new_object();

        if (!o || json_object_object_add(o, "status", json_object_new_string(status)) < 0 ||
            (source && json_object_object_add(o, "source", json_object_new_string(source)) < 0))
                return json_object_put(o), NULL;
        return o;
}

/* {"status": "invalid", "source": …, "errors": […]}: the lines the console showed, without prefix. */
static struct json_object *status_invalid(const UserData *u, const char *status, const char *source) {
        _cleanup_(json_object_putp) struct json_object *o = status_new(status, source);
        struct json_object *errors = json_object_new_array();
        char more[64];

        if (!o || !errors || json_object_object_add(o, "errors", errors) < 0)
                return json_object_put(errors), NULL;
        for (size_t i = 0; i < u->n_errors; i++)
                if (json_object_array_add(errors, json_object_new_string(u->errors[i])) < 0)
                        return NULL;
        if (u->n_dropped > 0 && snprintf_ok(more, "... and %zu more errors", u->n_dropped) &&
            json_object_array_add(errors, json_object_new_string(more)) < 0)
                return NULL;
        return TAKE_PTR(o);
}

static int put_status(const BootOptions *o, struct json_object *status) {
        _cleanup_free_ char *error = NULL;
        int r;

        if (!status)
                return log_error_errno(-ENOMEM, "Failed to build the user data status: %m");
        r = userdata_api_put_status(o->socket, status, &error);
        json_object_put(status);
        if (r < 0)
                return log_error_errno(r, "Failed to record the user data status: %s",
                                       error ? error : strerror(-r));
        return 0;
}

/* Shows the errors and records them; what the user sent is not applied, and the boot goes on. */
static int refuse(const BootOptions *o, const UserData *u, const char *source) {
        userdata_report(u, source, o->console);
        log_warning("user data from %s refused with %zu errors; booting with the default settings", source,
                    u->n_errors + u->n_dropped);
        return put_status(o, status_invalid(u, "invalid", source));
}

static int check_and_apply(const BootOptions *o, const char *source, const char *text, size_t len) {
        _cleanup_(settings_model_freep) SettingsModel *m = NULL;
        _cleanup_(userdata_done) UserData u = {};
        _cleanup_free_ char *error = NULL;
        struct json_object *status;
        int r;

        r = userdata_load_model(o->models, o->variant, &m);
        if (r < 0)
                return r;
        r = userdata_parse(m, text, len, &u);
        if (r < 0)
                return log_error_errno(r, "Failed to check the user data from %s: %m", source);
        if (u.n_errors > 0)
                return refuse(o, &u, source);

        if (u.n_keys > 0) {
                r = userdata_api_apply(o->socket, u.settings, &error);
                if (r == -EINVAL) {
                        /* The server's model disagrees with ours (a different --models): its word counts. */
                        r = userdata_add_error(&u, "%s", error ?: "refused by the API server");
                        return r < 0 ? log_error_errno(r, "%m") : refuse(o, &u, source);
                }
                if (r < 0) {
                        log_error_errno(r, "Failed to apply the user data from %s: %s", source,
                                        error ?: strerror(-r));
                        (void) userdata_add_error(&u, "not applied: %s", error ?: strerror(-r));
                        (void) put_status(o, status_invalid(&u, "failed", source));
                        return r;
                }
        }
        log_info("user data from %s applied: %zu keys", source, u.n_keys);
        status = status_new("applied", source);
        if (status && json_object_object_add(status, "keys", json_object_new_int64((int64_t) u.n_keys)) < 0)
                status = (json_object_put(status), NULL);
        return put_status(o, status);
}

int userdata_boot(const BootOptions *o) {
        _cleanup_free_ char *status = NULL, *error = NULL, *text = NULL, *read_error = NULL;
        const Provider *provider = NULL;
        size_t len = 0;
        int r;

        r = userdata_api_get_status(o->socket, &status, &error);
        if (r == -EIO)
                return log_error_errno(r, "No answer from the API server: %s", error ?: o->socket);
        if (r < 0)
                return log_error_errno(r, "Failed to ask the API server for the user data status: %s",
                                       error ?: strerror(-r));
        /* User data is read at first boot only: afterwards the settings belong to the API. */
        if (!streq(status, "none")) {
                log_info("user data status is already '%s': not the first boot, nothing to do", status);
                return 0;
        }

        r = userdata_find(&o->providers, &provider, &text, &len, &read_error);
        if (r == 0) {
                log_info("no user data provided; booting with the default settings");
                return put_status(o, status_new("none-provided", NULL));
        }
        if (r < 0) {
                _cleanup_(userdata_done) UserData u = {};

                if (r == -EFBIG)
                        r = userdata_add_error(&u, "larger than the limit of %d bytes", USERDATA_MAX_SIZE);
                else if (read_error)
                        r = userdata_add_error(&u, "%s", read_error);
                else
                        r = userdata_add_error(&u, "cannot read: %s", strerror(-r));
                return r < 0 ? log_error_errno(r, "%m") : refuse(o, &u, provider->name);
        }
        return check_and_apply(o, provider->name, text, len);
}
