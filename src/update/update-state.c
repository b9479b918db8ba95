/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"
#include "tuf-json.h"
#include "update-state.h"

#define STATE_MAX_SIZE (16 * 1024)

static const char *const names[_UPDATE_STATE_MAX] = {
        [UPDATE_STATE_IDLE] = "idle",     [UPDATE_STATE_AVAILABLE] = "available",
        [UPDATE_STATE_STAGED] = "staged", [UPDATE_STATE_READY] = "ready",
        [UPDATE_STATE_ERROR] = "error",
};

const char *update_state_name(UpdateStateKind k) {
        return k >= 0 && k < _UPDATE_STATE_MAX ? names[k] : NULL;
}

static int state_from_name(const char *s, UpdateStateKind *ret) {
        for (int k = 0; k < _UPDATE_STATE_MAX; k++)
                if (streq(s, names[k])) {
                        *ret = (UpdateStateKind) k;
                        return 0;
                }
        return -EBADMSG;
}

void update_state_set(UpdateState *s, UpdateStateKind k, const char *version, char set, const char *reason,
                      TufTime now) {
        *s = (UpdateState){ .state = k, .set = set, .updated_at = now };
        snprintf(s->version, sizeof(s->version), "%s", version ?: "");
        snprintf(s->reason, sizeof(s->reason), "%s", reason ?: "");
}

/* A string member copied into buf; absent or null leaves buf empty. */
static int get_string(json_object *o, const char *key, char *buf, size_t size) {
        json_object *v;

        buf[0] = 0;
        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_string) || (size_t) json_object_get_string_len(v) >= size)
                return -EBADMSG;
        memcpy(buf, json_object_get_string(v), (size_t) json_object_get_string_len(v) + 1);
        return 0;
}

int update_state_read(const char *path, UpdateState *ret) {
        _cleanup_(json_object_putp) json_object *o = NULL;
        _cleanup_free_ char *data = NULL;
        char kind[16], set[4], when[TUF_TIME_MAX];
        UpdateState s = {};
        size_t size;
        int r;

        r = read_full_file(path, STATE_MAX_SIZE, &data, &size);
        if (r == -ENOENT) {
                *ret = s;
                return 0;
        }
        if (r < 0)
                return r;
        if (tuf_json_parse(data, size, &o, NULL) < 0)
                return -EBADMSG;
        if (get_string(o, "state", kind, sizeof(kind)) < 0 || state_from_name(kind, &s.state) < 0 ||
            get_string(o, "version", s.version, sizeof(s.version)) < 0 ||
            get_string(o, "reason", s.reason, sizeof(s.reason)) < 0 ||
            get_string(o, "set", set, sizeof(set)) < 0 ||
            get_string(o, "updated_at", when, sizeof(when)) < 0)
                return -EBADMSG;
        if (set[0] && (set[1] || (set[0] != 'a' && set[0] != 'b')))
                return -EBADMSG;
        s.set = set[0];
        if (when[0] && tuf_time_parse(when, &s.updated_at) < 0)
                return -EBADMSG;
        *ret = s;
        return 0;
}

static int add(json_object *o, const char *key, const char *value) {
        json_object *v = value && value[0] ? json_object_new_string(value) : NULL;

        if (value && value[0] && !v)
                return -ENOMEM;
        return json_object_object_add(o, key, v) < 0 ? -ENOMEM : 0;
}

/* The directory of the state file may not exist on a fresh data partition; its parent must. */
static int make_parent(const char *path) {
        _cleanup_free_ char *dir = strdup(path);
        char *slash;

        if (!dir)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        if (!slash || slash == dir)
                return 0;
        *slash = 0;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        return 0;
}

int update_state_write(const char *path, const UpdateState *s) {
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        char set[2] = { s->set, 0 }, when[TUF_TIME_MAX];
        const char *text;
        int r;

        if (!o || !update_state_name(s->state))
                return o ? -EINVAL : -ENOMEM;
        if ((r = add(o, "state", update_state_name(s->state))) < 0 ||
            (r = add(o, "version", s->version)) < 0 || (r = add(o, "reason", s->reason)) < 0 ||
            (r = add(o, "set", set)) < 0 ||
            (r = add(o, "updated_at", tuf_time_format(s->updated_at, when))) < 0)
                return r;
        text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!text)
                return -ENOMEM;
        r = make_parent(path);
        if (r < 0)
                return r;
        _cleanup_free_ char *line = NULL;
        if (asprintf(&line, "%s\n", text) < 0)
                return -ENOMEM;
        return write_file_atomic(path, line, strlen(line), 0644);
}
