/* A port forward over a streaming connection: each data/error channel pair the client
 * opens (SPDY: a requestid's two streams, announced through sink.open) becomes a TCP
 * connection to localhost:PORT inside the pod's network namespace; bytes go both ways
 * until either side closes, and a connection that fails is said on the error channel.
 * The session's thread joins the pod's namespace first (setns changes only the calling
 * thread), so every socket it opens is the pod's. */
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "stream_backlog.h"
#include "stream_session.h"

#define PF_PAIRS 32                /* as the SPDY connection's pair slots */
#define PF_CHUNK 32768             /* bytes read from the pod per turn */
#define PF_BACKLOG (1024 * 1024)   /* client bytes the pod has not taken yet, per pair */
#define PF_OUT_QUEUE (1024 * 1024) /* unsent bytes before the pod's side waits */

typedef struct forward {
    bool open_data, open_err; /* the client opened the pair's streams */
    int port;
    int fd; /* the TCP connection in the pod, -1 before (or after) it */
    bool connecting, failed;
    stream_backlog in; /* client bytes not written to fd yet */
    bool client_fin, pod_fin, shut_wr, done;
} forward;

typedef struct pf_session {
    const stream_env *env;
    stream_conn *conn;
    const stream_request *req;
    forward fw[PF_PAIRS];
    char setup_error[WC_ERROR_MSG_MAX]; /* the pod's namespace could not be joined: every pair fails
                                         */
    bool fixed; /* WebSocket: the pairs are req->ports', the session ends with them */
} pf_session;

/* Says why on the pair's error channel; the pair then ends. */
static void fail(pf_session *s, int k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(pf_session *s, int k, const char *fmt, ...)
{
    char msg[512];
    wc_error err = {0};
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n > 0)
        s->conn->ops->send(s->conn, 2 * k + 1, msg, strlen(msg), &err);
    s->fw[k].failed = true;
}

/* Starts the connection to localhost:port (non-blocking; POLLOUT says it is done). */
static void dial(pf_session *s, int k)
{
    forward *f = &s->fw[k];
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)f->port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    f->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (f->fd >= 0 &&
        (connect(f->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EINPROGRESS)) {
        f->connecting = true;
        return;
    }
    fail(s, k, "error forwarding port %d to pod %s: dial tcp4 127.0.0.1:%d: %s", f->port,
         s->req->pod_id, f->port, strerror(errno));
}

static bool port_allowed(const pf_session *s, int port)
{
    if (s->req->n_ports == 0)
        return true;
    for (size_t i = 0; i < s->req->n_ports; i++)
        if (s->req->ports[i] == port)
            return true;
    return false;
}

static int on_open(void *ctx, int ch, int port)
{
    pf_session *s = ctx;
    int k = ch / 2;
    if (k >= PF_PAIRS)
        return -1;
    forward *f = &s->fw[k];
    if (!f->open_data && !f->open_err) /* a new request in this slot */
        *f = (forward){.port = port, .fd = -1};
    if (ch % 2)
        f->open_err = true;
    else
        f->open_data = true;
    if (f->port != port)
        fail(s, k, "the data and error streams name ports %d and %d", f->port, port);
    if (!f->open_data || !f->open_err || f->fd >= 0 || f->failed)
        return 0;
    if (s->setup_error[0])
        fail(s, k, "error forwarding port %d: %s", port, s->setup_error);
    else if (!port_allowed(s, port))
        fail(s, k, "port %d was not asked for in the PortForward request", port);
    else
        dial(s, k);
    return 0;
}

static int on_data(void *ctx, int ch, const unsigned char *buf, size_t n)
{
    pf_session *s = ctx;
    forward *f = &s->fw[ch / 2 < PF_PAIRS ? ch / 2 : 0];
    if (n == 0 || ch / 2 >= PF_PAIRS || ch % 2 || f->failed || f->client_fin)
        return 0; /* the error stream carries nothing from the client */
    return stream_backlog_add(&f->in, buf, n, PF_BACKLOG);
}

static void on_eof(void *ctx, int ch)
{
    pf_session *s = ctx;
    if (ch / 2 < PF_PAIRS && ch % 2 == 0)
        s->fw[ch / 2].client_fin = true;
}

/* Closes what a finished pair holds and frees its slot for the next request. */
static void finish_pair(pf_session *s, int k)
{
    forward *f = &s->fw[k];
    wc_error err = {0};
    s->conn->ops->close_channel(s->conn, 2 * k, &err);
    s->conn->ops->close_channel(s->conn, 2 * k + 1, &err);
    if (f->fd >= 0)
        close(f->fd);
    stream_backlog_free(&f->in);
    *f = (forward){.fd = -1};
}

static long send_nosignal(int fd, const void *buf, size_t n)
{
    return send(fd, buf, n, MSG_NOSIGNAL); /* a closed peer is EPIPE, not SIGPIPE */
}

/* One pair's turn after poll: connect's end, bytes both ways, half-closes. */
static void pump_pair(pf_session *s, int k, short revents)
{
    forward *f = &s->fw[k];
    wc_error err = {0};
    if (f->connecting && revents) {
        int e = 0;
        socklen_t len = sizeof(e);
        getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &e, &len);
        f->connecting = false;
        if (e) {
            fail(s, k, "error forwarding port %d to pod %s: dial tcp4 127.0.0.1:%d: %s", f->port,
                 s->req->pod_id, f->port, strerror(e));
            return;
        }
    }
    if (f->connecting)
        return;
    stream_backlog_send(&f->in, f->fd, send_nosignal);
    if (f->client_fin && stream_backlog_len(&f->in) == 0 && !f->shut_wr) {
        shutdown(f->fd, SHUT_WR);
        f->shut_wr = true;
    }
    if ((revents & (POLLIN | POLLHUP | POLLERR)) && !f->pod_fin) {
        char buf[PF_CHUNK];
        ssize_t n = recv(f->fd, buf, sizeof(buf), 0);
        if (n > 0)
            s->conn->ops->send(s->conn, 2 * k, buf, (size_t)n, &err);
        else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            f->pod_fin = true; /* the pod's side is done: so is the data stream */
            s->conn->ops->close_channel(s->conn, 2 * k, &err);
        }
    }
}

static bool pair_done(const pf_session *s, const forward *f)
{
    /* a WebSocket client cannot half-close: its pair ends with the pod's side */
    return (f->open_data || f->open_err) &&
           (f->failed || (f->pod_fin && (s->fixed || f->client_fin || f->shut_wr)));
}

/* Runs until the client goes (or stays idle for the idle timeout). */
static void pump(pf_session *s, wc_error *err)
{
    stream_conn *c = s->conn;
    for (;;) {
        struct pollfd pf[1 + PF_PAIRS];
        bool backlog = false, room = c->ops->queued(c) < PF_OUT_QUEUE;
        int live = 0;
        for (int k = 0; k < PF_PAIRS; k++) {
            forward *f = &s->fw[k];
            if (pair_done(s, f))
                finish_pair(s, k);
            live += f->open_data || f->open_err;
            bool pending = stream_backlog_len(&f->in) > 0;
            backlog |= stream_backlog_len(&f->in) > PF_BACKLOG / 2;
            pf[1 + k] = (struct pollfd){
                .fd = f->fd,
                .events = (short)((f->connecting || pending ? POLLOUT : 0) |
                                  (!f->connecting && !f->pod_fin && room ? POLLIN : 0))};
            if (pf[1 + k].events == 0)
                pf[1 + k].fd = -1;
        }
        if (s->fixed && live == 0)
            return; /* every port's connection has ended */
        pf[0] = (struct pollfd){
            .fd = c->sock,
            .events = (short)((backlog ? 0 : POLLIN) | (c->ops->want_write(c) ? POLLOUT : 0))};
        int n = poll(pf, 1 + PF_PAIRS, s->env->idle_ms > 0 ? s->env->idle_ms : -1);
        if (n == 0) {
            wc_error_set(err, -ETIMEDOUT, "idle for %d ms", s->env->idle_ms);
            return;
        }
        if (n < 0)
            continue;
        if ((pf[0].revents & POLLOUT) && c->ops->flush(c, err) < 0)
            return;
        if ((pf[0].revents & (POLLIN | POLLHUP | POLLERR)) && c->ops->read(c, err) < 0)
            return;
        for (int k = 0; k < PF_PAIRS; k++)
            if (s->fw[k].fd >= 0 && !s->fw[k].failed)
                pump_pair(s, k, pf[1 + k].revents);
    }
}

/* Joins the pod's network namespace (this thread only); "" is the host's. */
static int join_pod_netns(const stream_env *env, const char *pod_id, wc_error *err)
{
    wc_pod *pod = NULL;
    TRY(wc_pod_get(env->sb, pod_id, &pod, err));
    int rc =
        pod->state == WC_POD_READY ? 0 : wc_error_set(err, -EBUSY, "pod %s is not ready", pod->id);
    if (rc == 0 && pod->netns_path[0]) {
        int fd = open(pod->netns_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
            rc = wc_error_set_errno(err, -errno, "join the network namespace of pod %s", pod->id);
        if (fd >= 0)
            close(fd);
    }
    wc_pod_free(pod);
    return rc;
}

/* WebSocket: the request's ports are the pairs, each announced by its port number. */
static void open_fixed_pairs(pf_session *s)
{
    wc_error err = {0};
    for (size_t i = 0; i < s->req->n_ports && i < PF_PAIRS; i++) {
        int k = (int)i, port = s->req->ports[i];
        unsigned char le[2] = {(unsigned char)port, (unsigned char)(port >> 8)};
        s->conn->ops->send(s->conn, 2 * k, le, 2, &err);
        s->conn->ops->send(s->conn, 2 * k + 1, le, 2, &err);
        on_open(s, 2 * k, port);
        on_open(s, 2 * k + 1, port);
    }
}

void stream_portforward_run(const stream_env *env, stream_conn *conn, const stream_request *req,
                            bool fixed_channels)
{
    pf_session *s = calloc(1, sizeof(*s));
    wc_error err = {0};
    if (s == NULL)
        return;
    *s = (pf_session){.env = env, .conn = conn, .req = req, .fixed = fixed_channels};
    for (int k = 0; k < PF_PAIRS; k++)
        s->fw[k].fd = -1;
    conn->sink = (stream_sink){.ctx = s, .data = on_data, .eof = on_eof, .open = on_open};
    if (join_pod_netns(env, req->pod_id, &err) < 0) {
        wc_info("stream", "port forward to %.12s: %s", req->pod_id, err.msg);
        memcpy(s->setup_error, err.msg, sizeof(s->setup_error));
        err = (wc_error){0};
    }
    if (s->fixed)
        open_fixed_pairs(s);
    pump(s, &err);
    for (int k = 0; k < PF_PAIRS; k++)
        if (s->fw[k].open_data || s->fw[k].open_err)
            finish_pair(s, k);
    stream_drain(conn); /* a WebSocket close frame would overtake queued data */
    conn->ops->finish(conn);
    stream_drain(conn);
    free(s);
}
