/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <json-c/json.h>
#include <sys/stat.h>

#include "template-internal.h"

int template_lookup_json(const char *name, void *userdata, char **ret_text) {
        struct json_object *v;
        const char *s;

        if (!json_object_object_get_ex(userdata, name, &v))
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return -EINVAL;
        s = json_object_get_string(v);
        /* A NUL would cut the template short without a word. */
        if (strlen(s) != (size_t) json_object_get_string_len(v))
                return -EINVAL;
        *ret_text = strdup(s);
        return *ret_text ? 1 : -ENOMEM;
}

static int read_partial(int fd, char **ret_text) {
        _cleanup_free_ char *text = NULL;
        struct stat st;
        size_t size = 0;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        /* Read one byte more than allowed, so that a file that grew since fstat() is still caught. */
        text = malloc(TEMPLATE_MAX_PARTIAL_SIZE + 2);
        if (!text)
                return -ENOMEM;
        for (;;) {
                ssize_t k = read(fd, text + size, TEMPLATE_MAX_PARTIAL_SIZE + 1 - size);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                if (k == 0)
                        break;
                size += (size_t) k;
                if (size > TEMPLATE_MAX_PARTIAL_SIZE)
                        return -EFBIG;
        }
        text[size] = 0;
        if (strlen(text) != size)
                return -EINVAL;
        *ret_text = TAKE_PTR(text);
        return 1;
}

int template_lookup_dir(const char *name, void *userdata, char **ret_text) {
        _cleanup_free_ char *file = NULL;
        _cleanup_close_ int fd = -EBADF;

        if (name[0] == '.' || strchr(name, '/'))
                return -EINVAL;
        if (asprintf(&file, "%s.mustache", name) < 0)
                return -ENOMEM;
        /* O_NONBLOCK: a FIFO put there must not hang the open; read_partial() refuses anything irregular. */
        fd = openat(*(const int *) userdata, file,
                    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return errno == ENOENT ? 0 : negative_errno();
        return read_partial(fd, ret_text);
}
