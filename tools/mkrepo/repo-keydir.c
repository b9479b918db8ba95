/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "repo.h"

char *keydir_path(const char *dir, TufRoleType role) {
        char *p;

        if (asprintf(&p, "%s/%s.pem", dir, tuf_role_type_name(role)) < 0)
                return NULL;
        return p;
}

bool keydir_has(const KeyDir *kd, TufRoleType role) {
        _cleanup_free_ char *p = keydir_path(kd->dir, role);

        return p && access(p, F_OK) == 0;
}

int keydir_get(KeyDir *kd, TufRoleType role, RepoKey **ret) {
        _cleanup_free_ char *path = NULL;
        int r;

        if (kd->keys[role]) {
                *ret = kd->keys[role];
                return 0;
        }
        if (!kd->dir)
                return log_error_errno(-EINVAL,
                                       "%s: signing needs the %s key, but no key directory was given",
                                       tuf_role_type_name(role), tuf_role_type_name(role));
        if (kd->fallback && !keydir_has(kd, role))
                return keydir_get(kd->fallback, role, ret);
        path = keydir_path(kd->dir, role);
        if (!path)
                return log_oom();
        r = repo_key_load(path, &kd->keys[role]);
        if (r == -EPERM)
                return log_error_errno(r, "%s: private key is readable by group or others; chmod 600 it",
                                       path);
        if (r == -EBADMSG)
                return log_error_errno(r,
                                       "%s: not an unencrypted ed25519, ECDSA P-256 or RSA (>= 2048 bits) "
                                       "private key in PEM",
                                       path);
        if (r < 0)
                return log_error_errno(r, "%s: cannot read the %s key: %m", path, tuf_role_type_name(role));
        *ret = kd->keys[role];
        return 0;
}

void keydir_done(KeyDir *kd) {
        for (int i = 0; i < _TUF_ROLE_TYPE_MAX; i++)
                kd->keys[i] = repo_key_free(kd->keys[i]);
}
