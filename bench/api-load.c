/* SPDX-License-Identifier: MIT */
/* api-load: an HTTP/1.1 load generator for a Unix socket, for `make bench-api`. N keep-alive connections
 * driven by one epoll loop, one request in flight on each: a single thread so that on a small machine the
 * client takes at most one core from the server it measures. An operation is one GET, or a PATCH with a
 * body followed by POST /tx/commit of the same transaction (each connection uses its own transaction, so
 * that one client's commit never takes another's changes). Prints one line of key=value pairs. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "http-response.h"
#include "log.h"

#define CLIENTS_MAX     256
#define IDLE_TIMEOUT_MS 10000 /* no answer on any connection for this long: the server is stuck */

static const char *arg_socket = NULL;
static unsigned arg_clients = 1;
static double arg_duration = 5.0;
static double arg_warmup = 0.0;
static uint64_t arg_ops = 0; /* 0: run for arg_duration */
static const char *arg_path = "/settings";
static bool arg_write = false;
static const char *arg_body = "{\"motd\":\"bench {n}\"}";
static const char *arg_tx = "bench";
static const char *arg_label = "run";
static bool arg_dump = false;
static long arg_pid = 0; /* the server, for its CPU time */

typedef struct Client {
        int fd;
        unsigned id;
        bool busy;         /* an operation is under way */
        bool committing;   /* its second request, the commit, is the one in flight */
        uint64_t op_start; /* ns */
        char *out;         /* the request being sent */
        size_t out_len, out_off;
        char in[HTTP_HEAD_MAX + 8192];
        size_t in_len;
} Client;

typedef struct Stats {
        uint64_t *lat_ns; /* one per operation completed after the warm-up */
        size_t n_lat, cap_lat;
        uint64_t requests, errors, reconnects;
        uint64_t ops_started;
        uint64_t seq; /* numbers the PATCH bodies */
} Stats;

typedef struct Load {
        int epoll_fd;
        Client *clients;
        Stats stats;
        uint64_t record_from; /* ns: operations completing before this are the warm-up */
        uint64_t cpu_from;    /* the server's CPU time at record_from; UINT64_MAX: unknown */
        bool cpu_read;        /* cpu_from was read */
        uint64_t deadline;    /* ns; UINT64_MAX in --ops mode */
} Load;

static void help(void) {
        printf("Usage: api-load --socket PATH [OPTIONS]\n"
               "Loads an HTTP/1.1 server on a Unix socket and prints one line: operations per second, "
               "requests\n"
               "per second, p50 and p99 latency of an operation in microseconds, errors (non-2xx or "
               "broken).\n\n"
               "  --socket PATH     the server's socket\n"
               "  --clients N       concurrent keep-alive connections (default 1, at most %d)\n"
               "  --duration SEC    measure for this long (default 5)\n"
               "  --warmup SEC      run this long first without measuring (default 0)\n"
               "  --ops N           or stop after N operations\n"
               "  --get PATH        an operation is GET PATH (default /settings)\n"
               "  --patch PATH      an operation is PATCH PATH?tx=TX-C with the body, then POST "
               "/tx/commit?tx=TX-C\n"
               "                    (C: the connection's number)\n"
               "  --body JSON       the PATCH body; {n} is replaced by a sequence number (default %s)\n"
               "  --tx NAME         transaction name prefix (default bench)\n"
               "  --label NAME      first field of the result line\n"
               "  --pid PID         also print the server's CPU time per request (from "
               "/proc/PID/schedstat)\n"
               "  --dump            GET PATH once and write the body to standard output\n"
               "  --help\n",
               CLIENTS_MAX, arg_body);
}

static int parse_number(const char *opt, const char *s, double min, double max, double *ret) {
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (errno != 0 || end == s || *end || !(v >= min && v <= max)) {
                log_error("%s: '%s' is not a number in %g..%g", opt, s, min, max);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_SOCKET = 0x100,
                ARG_CLIENTS,
                ARG_DURATION,
                ARG_WARMUP,
                ARG_OPS,
                ARG_GET,
                ARG_PATCH,
                ARG_BODY,
                ARG_TX,
                ARG_LABEL,
                ARG_DUMP,
                ARG_PID
        };
        static const struct option options[] = {
                { "socket", required_argument, NULL, ARG_SOCKET },
                { "clients", required_argument, NULL, ARG_CLIENTS },
                { "duration", required_argument, NULL, ARG_DURATION },
                { "warmup", required_argument, NULL, ARG_WARMUP },
                { "ops", required_argument, NULL, ARG_OPS },
                { "get", required_argument, NULL, ARG_GET },
                { "patch", required_argument, NULL, ARG_PATCH },
                { "body", required_argument, NULL, ARG_BODY },
                { "tx", required_argument, NULL, ARG_TX },
                { "label", required_argument, NULL, ARG_LABEL },
                { "dump", no_argument, NULL, ARG_DUMP },
                { "pid", required_argument, NULL, ARG_PID },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        double v;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                r = 0;
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_SOCKET:
                        arg_socket = optarg;
                        break;
                case ARG_CLIENTS:
                        r = parse_number("--clients", optarg, 1, CLIENTS_MAX, &v);
                        arg_clients = (unsigned) v;
                        break;
                case ARG_DURATION:
                        r = parse_number("--duration", optarg, 0.01, 3600, &arg_duration);
                        break;
                case ARG_WARMUP:
                        r = parse_number("--warmup", optarg, 0, 3600, &arg_warmup);
                        break;
                case ARG_OPS:
                        r = parse_number("--ops", optarg, 1, 1e12, &v);
                        arg_ops = (uint64_t) v;
                        break;
                case ARG_GET:
                        arg_path = optarg;
                        arg_write = false;
                        break;
                case ARG_PATCH:
                        arg_path = optarg;
                        arg_write = true;
                        break;
                case ARG_BODY:
                        arg_body = optarg;
                        break;
                case ARG_TX:
                        arg_tx = optarg;
                        break;
                case ARG_LABEL:
                        arg_label = optarg;
                        break;
                case ARG_DUMP:
                        arg_dump = true;
                        break;
                case ARG_PID:
                        r = parse_number("--pid", optarg, 1, 1 << 22, &v);
                        arg_pid = (long) v;
                        break;
                default:
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        if (optind < argc) {
                log_error("unexpected argument '%s'", argv[optind]);
                return -EINVAL;
        }
        if (!arg_socket) {
                log_error("--socket is needed");
                return -EINVAL;
        }
        if (arg_path[0] != '/' || strpbrk(arg_path, " \r\n") || strpbrk(arg_tx, "&# \r\n")) {
                log_error("the path must start with '/', and neither it nor the transaction name may hold "
                          "spaces or line breaks");
                return -EINVAL;
        }
        return 1;
}

static uint64_t now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static int connect_unix(const char *path, int *ret_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;

        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return negative_errno();
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* body with each "{n}" replaced by n. */
static char *expand_body(const char *body, uint64_t n) {
        char num[24], *out, *p;
        size_t count = 0, len;

        snprintf(num, sizeof(num), "%" PRIu64, n);
        for (const char *s = strstr(body, "{n}"); s; s = strstr(s + 3, "{n}"))
                count++;
        len = strlen(body) + count * strlen(num);
        out = p = malloc(len + 1);
        if (!out)
                return NULL;
        for (const char *s = body; *s;) {
                if (strneq(s, "{n}", 3)) {
                        p = stpcpy(p, num);
                        s += 3;
                } else {
                        *p++ = *s++;
                }
        }
        *p = 0;
        return out;
}

/* The next request of c's operation, into c->out. */
static int build_request(Load *l, Client *c) {
        _cleanup_free_ char *body = NULL;
        int n;

        free(c->out);
        c->out = NULL;
        if (!arg_write)
                n = asprintf(&c->out, "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", arg_path);
        else if (c->committing)
                n = asprintf(
                        &c->out,
                        "POST /tx/commit?tx=%s-%u HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n",
                        arg_tx, c->id);
        else {
                body = expand_body(arg_body, l->stats.seq++);
                if (!body)
                        return -ENOMEM;
                n = asprintf(&c->out,
                             "PATCH %s%ctx=%s-%u HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                             "application/json\r\n"
                             "Content-Length: %zu\r\n\r\n%s",
                             arg_path, strchr(arg_path, '?') ? '&' : '?', arg_tx, c->id, strlen(body), body);
        }
        if (n < 0) {
                c->out = NULL;
                return -ENOMEM;
        }
        c->out_len = (size_t) n;
        c->out_off = 0;
        return 0;
}

/* Sends what is left of c->out; waits for EPOLLOUT when the socket is full. */
static int send_pending(Load *l, Client *c) {
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

        while (c->out_off < c->out_len) {
                ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n < 0)
                        return negative_errno();
                c->out_off += (size_t) n;
        }
        if (c->out_off < c->out_len)
                ev.events |= EPOLLOUT;
        return epoll_ctl(l->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) < 0 ? negative_errno() : 0;
}

static int client_connect(Load *l, Client *c) {
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
        int r;

        c->fd = safe_close(c->fd);
        c->in_len = 0;
        r = connect_unix(arg_socket, &c->fd);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to '%s': %m", arg_socket);
        if (epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
                return negative_errno();
        return 0;
}

static int start_op(Load *l, Client *c) {
        int r;

        if (arg_ops > 0 && l->stats.ops_started >= arg_ops) {
                c->busy = false;
                return 0;
        }
        l->stats.ops_started++;
        c->busy = true;
        c->committing = false;
        c->op_start = now_ns();
        r = build_request(l, c);
        return r < 0 ? r : send_pending(l, c);
}

static int record(Stats *s, uint64_t ns) {
        if (s->n_lat == s->cap_lat) {
                size_t cap = s->cap_lat ? s->cap_lat * 2 : 65536;
                uint64_t *p = realloc(s->lat_ns, cap * sizeof(*p));
                if (!p)
                        return -ENOMEM;
                s->lat_ns = p;
                s->cap_lat = cap;
        }
        s->lat_ns[s->n_lat++] = ns;
        return 0;
}

/* The operation ended, well or not; starts the next one. */
static int finish_op(Load *l, Client *c, bool failed, bool reconnect) {
        uint64_t t = now_ns();
        int r;

        if (t >= l->record_from) {
                if (failed)
                        l->stats.errors++;
                else {
                        r = record(&l->stats, t - c->op_start);
                        if (r < 0)
                                return r;
                }
        }
        if (reconnect) {
                (void) epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
                l->stats.reconnects++;
                r = client_connect(l, c);
                if (r < 0)
                        return r;
        }
        return start_op(l, c);
}

/* Reads what the server sent and acts on each whole response. */
static int on_readable(Load *l, Client *c) {
        HttpResponse resp;
        ssize_t n;
        int r;

        n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n <= 0 && !c->busy) { /* an idle connection timed out: only --ops mode leaves one idle */
                (void) epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
                c->fd = safe_close(c->fd);
                return 0;
        }
        if (n <= 0) /* closed or reset with the request unanswered */
                return finish_op(l, c, true, true);
        c->in_len += (size_t) n;

        r = http_response_parse(c->in, c->in_len, &resp);
        if (r == 0 && c->in_len == sizeof(c->in))
                r = -E2BIG;
        if (r == 0)
                return 0;
        if (r < 0) {
                log_error_errno(r, "Bad response on connection %u: %m", c->id);
                return finish_op(l, c, true, true);
        }
        if (!c->busy || c->in_len != resp.length) {
                log_error("Connection %u: the server sent more than one response", c->id);
                return finish_op(l, c, true, true);
        }
        c->in_len = 0;
        if (now_ns() >= l->record_from)
                l->stats.requests++;
        if (resp.status < 200 || resp.status > 299)
                return finish_op(l, c, true, resp.close);
        if (arg_write && !c->committing) {
                if (resp.close) {
                        r = client_connect(l, c);
                        if (r < 0)
                                return r;
                }
                c->committing = true;
                r = build_request(l, c);
                return r < 0 ? r : send_pending(l, c);
        }
        return finish_op(l, c, false, resp.close);
}

static int compare_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v, in microseconds. */
static double percentile_us(const uint64_t *v, size_t n, unsigned p) {
        size_t rank = (p * n + 99) / 100;

        return n == 0 ? 0 : (double) v[rank > 0 ? rank - 1 : 0] / 1000.0;
}

/* Nanoseconds the server has run on a CPU (the first field of schedstat), UINT64_MAX if unknown. Unlike
 * requests per second, CPU time per request hardly changes when other work shares the machine. */
static uint64_t server_cpu_ns(void) {
        char path[64];
        _cleanup_fclose_ FILE *f = NULL;
        uint64_t ns;

        if (arg_pid == 0)
                return UINT64_MAX;
        snprintf(path, sizeof(path), "/proc/%ld/schedstat", arg_pid);
        f = fopen(path, "re");
        if (!f || fscanf(f, "%" SCNu64, &ns) != 1)
                return UINT64_MAX;
        return ns;
}

static void print_result(const Stats *s, double seconds, uint64_t cpu_from, uint64_t cpu_to) {
        char cpu[32] = "-";

        if (cpu_from != UINT64_MAX && cpu_to != UINT64_MAX && cpu_to >= cpu_from && s->requests > 0)
                snprintf(cpu, sizeof(cpu), "%.1f",
                         (double) (cpu_to - cpu_from) / 1000.0 / (double) s->requests);
        qsort(s->lat_ns, s->n_lat, sizeof(*s->lat_ns), compare_u64);
        printf("label=%s clients=%u mode=%s ops=%zu requests=%" PRIu64 " errors=%" PRIu64
               " reconnects=%" PRIu64
               " seconds=%.3f ops_per_s=%.1f rps=%.1f p50_us=%.0f p99_us=%.0f max_us=%.0f"
               " server_cpu_us_per_req=%s\n",
               arg_label, arg_clients, arg_write ? "write" : "get", s->n_lat, s->requests, s->errors,
               s->reconnects, seconds, (double) s->n_lat / seconds, (double) s->requests / seconds,
               percentile_us(s->lat_ns, s->n_lat, 50), percentile_us(s->lat_ns, s->n_lat, 99),
               percentile_us(s->lat_ns, s->n_lat, 100), cpu);
}

static bool all_idle(const Load *l) {
        for (unsigned i = 0; i < arg_clients; i++)
                if (l->clients[i].busy)
                        return false;
        return true;
}

static int event_loop(Load *l) {
        struct epoll_event events[CLIENTS_MAX];
        uint64_t last_progress = now_ns(), answered = 0;
        int r;

        for (;;) {
                uint64_t t = now_ns();
                int timeout = IDLE_TIMEOUT_MS, n;

                if (!l->cpu_read && t >= l->record_from) {
                        l->cpu_from = server_cpu_ns();
                        l->cpu_read = true;
                }

                if (l->deadline != UINT64_MAX) {
                        if (t >= l->deadline)
                                return 0;
                        timeout = (int) MIN((l->deadline - t) / 1000000 + 1, (uint64_t) IDLE_TIMEOUT_MS);
                } else if (all_idle(l)) {
                        return 0;
                }
                n = epoll_wait(l->epoll_fd, events, (int) arg_clients, timeout);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                for (int i = 0; i < n; i++) {
                        Client *c = events[i].data.ptr;
                        if (events[i].events & EPOLLOUT)
                                r = send_pending(l, c);
                        else
                                r = on_readable(l, c);
                        if (r < 0)
                                return r;
                }
                t = now_ns();
                if (n > 0 || answered != l->stats.requests + l->stats.errors) {
                        answered = l->stats.requests + l->stats.errors;
                        last_progress = t;
                } else if (t - last_progress > (uint64_t) IDLE_TIMEOUT_MS * 1000000u)
                        return log_error_errno(-ETIMEDOUT, "No answer from the server in %d ms",
                                               IDLE_TIMEOUT_MS);
        }
}

static int run_load(void) {
        Load l = { .epoll_fd = -EBADF, .cpu_from = UINT64_MAX };
        uint64_t start, end;
        int r;

        l.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (l.epoll_fd < 0)
                return log_error_errno(negative_errno(), "Failed to create an epoll instance: %m");
        l.clients = calloc(arg_clients, sizeof(Client));
        if (!l.clients) {
                r = log_error_errno(-ENOMEM, "Out of memory");
                goto finish;
        }
        for (unsigned i = 0; i < arg_clients; i++) {
                l.clients[i].fd = -EBADF;
                l.clients[i].id = i;
                r = client_connect(&l, &l.clients[i]);
                if (r < 0)
                        goto finish;
        }
        start = now_ns();
        l.record_from = start + (uint64_t) (arg_warmup * 1e9);
        l.deadline = arg_ops > 0 ? UINT64_MAX : l.record_from + (uint64_t) (arg_duration * 1e9);
        for (unsigned i = 0; i < arg_clients; i++) {
                r = start_op(&l, &l.clients[i]);
                if (r < 0)
                        goto finish;
        }
        r = event_loop(&l);
        end = now_ns();
        if (r < 0) {
                log_error_errno(r, "Load failed: %m");
                goto finish;
        }
        print_result(&l.stats, (double) (end - MIN(l.record_from, end)) / 1e9, l.cpu_from, server_cpu_ns());
finish:
        for (unsigned i = 0; l.clients && i < arg_clients; i++) {
                safe_close(l.clients[i].fd);
                free(l.clients[i].out);
        }
        free(l.clients);
        free(l.stats.lat_ns);
        safe_close(l.epoll_fd);
        return r;
}

/* GET once, body to stdout: what the benchmark script sizes the static file by. */
static int dump(void) {
        size_t size = HTTP_HEAD_MAX + HTTP_BODY_MAX, len = 0;
        _cleanup_free_ char *buf = malloc(size), *req = NULL;
        _cleanup_close_ int fd = -EBADF;
        HttpResponse resp;
        int r, n;

        if (!buf)
                return log_error_errno(-ENOMEM, "Out of memory");
        r = connect_unix(arg_socket, &fd);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to '%s': %m", arg_socket);
        n = asprintf(&req, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", arg_path);
        if (n < 0)
                return log_error_errno(-ENOMEM, "Out of memory");
        if (send(fd, req, (size_t) n, MSG_NOSIGNAL) != n)
                return log_error_errno(negative_errno(), "Failed to send the request: %m");
        for (r = 0; r == 0;) {
                ssize_t k = recv(fd, buf + len, size - len, 0);
                if (k <= 0)
                        return log_error_errno(k < 0 ? negative_errno() : -EPIPE, "No answer to GET %s: %m",
                                               arg_path);
                len += (size_t) k;
                r = http_response_parse(buf, len, &resp);
                if (r == 0 && len == size)
                        r = -E2BIG;
        }
        if (r < 0)
                return log_error_errno(r, "Bad answer to GET %s: %m", arg_path);
        if (resp.status < 200 || resp.status > 299 || resp.chunked) {
                log_error("GET %s: status %u%s", arg_path, resp.status, resp.chunked ? ", chunked" : "");
                return -EPROTO;
        }
        return fwrite(buf + resp.body_off, 1, resp.body_len, stdout) == resp.body_len ? 0 : -EIO;
}

int main(int argc, char *argv[]) {
        int r;

        log_set_program("api-load");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        r = arg_dump ? dump() : run_load();
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
