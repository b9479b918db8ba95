/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api-http.h"
#include "log.h"

struct ApiServer {
        struct MHD_Daemon *mhd;
        sd_event_source *io;
        sd_event_source *timer;
        ApiContext *ctx;
        const ApiRoute *routes;
        size_t n_routes;
};

/* What MHD keeps for one request between its calls of the access handler. */
typedef struct Pending {
        char *body;
        size_t len;
        bool too_large;
} Pending;

static enum MHD_Result collect_query(void *userdata, enum MHD_ValueKind kind, const char *key,
                                     const char *value) {
        (void) kind;
        json_object_object_add(userdata, key, json_object_new_string(value ? value : ""));
        return MHD_YES;
}

static void peer_credentials(struct MHD_Connection *c, ApiRequest *req) {
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct ucred cred;
        socklen_t len = sizeof(cred);

        req->pid = -1;
        req->uid = (uid_t) -1;
        req->gid = (gid_t) -1;
        if (info && getsockopt(info->connect_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
                req->pid = cred.pid;
                req->uid = cred.uid;
                req->gid = cred.gid;
        }
}

static enum MHD_Result queue(struct MHD_Connection *c, const ApiResponse *resp) {
        const char *body = resp->body ? resp->body : "";
        struct MHD_Response *r =
                MHD_create_response_from_buffer(strlen(body), (void *) body, MHD_RESPMEM_MUST_COPY);
        enum MHD_Result ret;

        if (!r)
                return MHD_NO;
        if (resp->body)
                MHD_add_response_header(r, "Content-Type", "application/json");
        ret = MHD_queue_response(c, resp->status, r);
        MHD_destroy_response(r);
        return ret;
}

static enum MHD_Result on_request(void *userdata, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
        ApiServer *s = userdata;
        Pending *p = *con_cls;
        ApiResponse resp = { .status = 500 };
        ApiRequest req = { .method = method, .path = url };
        enum MHD_Result ret;

        (void) version;
        if (!p) {
                p = calloc(1, sizeof(*p));
                if (!p)
                        return MHD_NO;
                *con_cls = p;
                return MHD_YES;
        }
        if (*upload_data_size > 0) {
                /* Keep reading a body that is too large, but not its bytes: the answer is a 413. */
                if (p->too_large || p->len + *upload_data_size > API_MAX_BODY) {
                        p->too_large = true;
                } else {
                        char *b = realloc(p->body, p->len + *upload_data_size + 1);
                        if (!b)
                                return MHD_NO;
                        memcpy(b + p->len, upload_data, *upload_data_size);
                        p->body = b;
                        p->len += *upload_data_size;
                        p->body[p->len] = 0;
                }
                *upload_data_size = 0;
                return MHD_YES;
        }

        peer_credentials(c, &req);
        if (p->too_large) {
                api_respond_error(&resp, 413, NULL, "request body is larger than %d bytes", API_MAX_BODY);
        } else {
                req.query = json_object_new_object();
                MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_query, req.query);
                req.body = p->body ? p->body : "";
                req.body_len = p->len;
                api_dispatch(s->ctx, s->routes, s->n_routes, &req, &resp);
                json_object_put(req.query);
        }
        log_info("%s %s from pid %d uid %u: %u", method, url, (int) req.pid, (unsigned) req.uid,
                 resp.status);
        ret = queue(c, &resp);
        api_response_done(&resp);
        return ret;
}

static void on_completed(void *userdata, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode code) {
        Pending *p = *con_cls;

        (void) userdata, (void) c, (void) code;
        if (p) {
                free(p->body);
                free(p);
        }
        *con_cls = NULL;
}

static int arm_timer(ApiServer *s);

static int on_io(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        ApiServer *s = userdata;

        (void) src, (void) fd, (void) revents;
        MHD_run(s->mhd);
        return arm_timer(s);
}

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata) {
        ApiServer *s = userdata;

        (void) src, (void) usec;
        MHD_run(s->mhd);
        return arm_timer(s);
}

/* MHD's own timeouts (idle connections) need it to run even without I/O. */
static int arm_timer(ApiServer *s) {
        MHD_UNSIGNED_LONG_LONG ms;

        if (MHD_get_timeout(s->mhd, &ms) != MHD_YES)
                return sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
        (void) sd_event_source_set_time_relative(s->timer, ms * 1000);
        return sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
}

int api_server_new(sd_event *e, int listen_fd, ApiContext *ctx, const ApiRoute *routes, size_t n_routes,
                   ApiServer **ret) {
        _cleanup_(api_server_freep) ApiServer *s = calloc(1, sizeof(*s));
        const union MHD_DaemonInfo *info;
        int r;

        if (!s) {
                close(listen_fd);
                return -ENOMEM;
        }
        s->ctx = ctx;
        s->routes = routes;
        s->n_routes = n_routes;
        s->mhd = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET,
                                  listen_fd, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 30, MHD_OPTION_CONNECTION_LIMIT,
                                  (unsigned) 64, MHD_OPTION_END);
        if (!s->mhd) {
                close(listen_fd);
                return -EIO;
        }
        info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
        if (!info)
                return -EIO;
        r = sd_event_add_io(e, &s->io, info->epoll_fd, EPOLLIN, on_io, s);
        if (r < 0)
                return r;
        r = sd_event_add_time(e, &s->timer, CLOCK_MONOTONIC, UINT64_MAX /* not armed yet */, 0, on_timer, s);
        if (r < 0)
                return r;
        r = arm_timer(s);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

ApiServer *api_server_free(ApiServer *s) {
        if (!s)
                return NULL;
        sd_event_source_unref(s->io);
        sd_event_source_unref(s->timer);
        if (s->mhd)
                MHD_stop_daemon(s->mhd);
        free(s);
        return NULL;
}

int api_listen_unix(const char *path, unsigned mode, gid_t gid, int *ret_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;

        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return negative_errno();
        (void) unlink(path);
        /* Who may talk to the API is the socket's mode (and group): the umask makes it so from the moment
         * the socket exists, with no window in which a wider mode applies. */
        mode_t old = umask(~mode & 0777);
        int r = bind(fd, (struct sockaddr *) &sa, sizeof(sa));
        int e = errno;
        umask(old);
        if (r < 0)
                return -e;
        /* The group is given before listen(): until then nobody can connect. */
        if (gid != (gid_t) -1 && chown(path, (uid_t) -1, gid) < 0)
                return negative_errno();
        if (listen(fd, 64) < 0)
                return negative_errno();
        *ret_fd = TAKE_FD(fd);
        return 0;
}
