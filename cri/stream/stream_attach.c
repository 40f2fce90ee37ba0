/* An attach over a streaming connection: the running container's output as it is written,
 * and its stdin.
 * The worker writes every line into the CRI log itself (wasm/wasi/cri_log.h), so the log
 * keeps every line whoever is attached; the session follows that file (inotify; a file
 * ReopenContainerLog moved away is followed to the new one at the same path) and sends each
 * record's text on the channel of its stream (a tty container's partial lines, a prompt, are
 * P records written at once). The log is the buffer: a client that reads slowly makes the
 * session read the file later, never queue more than OUT_QUEUE_MAX.
 * A container created with stdin: what the client sends goes into the pipe the zygote keeps
 * (wc_container_stdin; container_attach.c); with stdin_once, the end of this session's stdin
 * (the client closes it, or goes) closes the container's. A tty container's resize messages
 * reach the guest's /run/wasmcri/tty, and what its client types goes through a terminal's line
 * discipline (stream_tty.c). It ends when the container exits, with kubelet's
 * Success status. */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "stream_session.h"
#include "stream_stdin.h"
#include "stream_tty.h"

#define RECORD_MAX (20 * 1024)      /* a CRI log record: 16 KiB of text and its prefix */
#define STATE_CHECK_MS 100          /* how often the container's state is looked at */
#define OUT_QUEUE_MAX (1024 * 1024) /* unsent bytes before the log is read further */

typedef struct tail {
    const char *path;
    int fd, watch_fd;
    char line[RECORD_MAX];
    size_t n; /* bytes of a record not yet complete */
} tail;

static int open_tail(tail *t, bool at_end)
{
    t->fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (t->fd < 0)
        return -errno;
    if (at_end)
        lseek(t->fd, 0, SEEK_END);
    t->n = 0;
    inotify_add_watch(t->watch_fd, t->path, IN_MODIFY | IN_MOVE_SELF | IN_DELETE_SELF);
    return 0;
}

/* "<time> stdout|stderr P|F <text>": the text on its stream's channel, a newline after F. */
static void send_record(stream_conn *c, const stream_request *req, const char *rec, size_t n,
                        wc_error *err)
{
    const char *sp1 = memchr(rec, ' ', n);
    if (sp1 == NULL || (size_t)(rec + n - sp1) < 10)
        return;
    bool out = strncmp(sp1 + 1, "stdout ", 7) == 0, errs = strncmp(sp1 + 1, "stderr ", 7) == 0;
    const char *tag = sp1 + 8;
    if ((!out && !errs) || (tag[0] != 'P' && tag[0] != 'F') || tag[1] != ' ')
        return;
    const char *text = tag + 2;
    size_t len = (size_t)(rec + n - text);
    int ch = out || req->tty ? CH_STDOUT : CH_STDERR; /* a terminal has one output */
    if ((ch == CH_STDOUT && !req->out) || (ch == CH_STDERR && !req->err))
        return;
    char *buf = malloc(len + 1);
    if (buf == NULL)
        return;
    memcpy(buf, text, len);
    buf[len] = '\n';
    if (req->tty)
        tty_send_output(c, ch, buf, len + (tag[0] == 'F'), err);
    else
        c->ops->send(c, ch, buf, len + (tag[0] == 'F'), err);
    free(buf);
}

/* Sends the complete records the file has gained, until the client's queue is full; true when
 * it got to the end of the file. */
static bool read_new(tail *t, stream_conn *c, const stream_request *req, wc_error *err)
{
    while (c->ops->queued(c) < OUT_QUEUE_MAX) {
        if (t->n == sizeof(t->line))
            t->n = 0; /* no record is this long: not a CRI log, drop it */
        ssize_t got = t->fd >= 0 ? read(t->fd, t->line + t->n, sizeof(t->line) - t->n) : 0;
        if (got <= 0)
            return true;
        t->n += (size_t)got;
        size_t start = 0;
        for (char *nl; (nl = memchr(t->line + start, '\n', t->n - start));) {
            send_record(c, req, t->line + start, (size_t)(nl - t->line) - start, err);
            start = (size_t)(nl - t->line) + 1;
        }
        memmove(t->line, t->line + start, t->n - start);
        t->n -= start;
    }
    return false;
}

/* The log moved away (ReopenContainerLog) or went: the rest of it, then the new file. */
static void on_inotify(tail *t, stream_conn *c, const stream_request *req, wc_error *err)
{
    char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    bool moved = false;
    for (ssize_t n; (n = read(t->watch_fd, ev, sizeof(ev))) > 0;)
        for (char *p = ev; p < ev + n;
             p += sizeof(struct inotify_event) + ((struct inotify_event *)p)->len)
            moved |= (((struct inotify_event *)p)->mask & (IN_MOVE_SELF | IN_DELETE_SELF)) != 0;
    read_new(t, c, req, err);
    if (moved || t->fd < 0) {
        if (t->fd >= 0)
            close(t->fd);
        open_tail(t, false); /* the worker's new file, from its start; absent: next time */
        read_new(t, c, req, err);
    }
}

static bool still_running(const stream_env *env, const char *id)
{
    wc_container *ctr = NULL;
    bool running = wc_container_get(env->sb, id, &ctr, NULL) == 0 && ctr->state == WC_CTR_RUNNING;
    wc_container_free(ctr);
    return running;
}

typedef struct attach {
    const stream_env *env;
    const stream_request *req;
    stream_conn *conn;
    stdin_pump in;
    tty_ldisc tty; /* a tty container's: what is typed goes through it */
} attach;

static int on_data(void *ctx, int ch, const unsigned char *buf, size_t n)
{
    attach *a = ctx;
    unsigned cols, rows;
    if (ch == CH_RESIZE && a->req->tty && stream_parse_resize(buf, n, &cols, &rows))
        wc_container_resize(a->env->sb, a->req->container_id, cols, rows, NULL);
    if (ch != CH_STDIN || n == 0 || a->in.fd < 0)
        return 0;    /* no stdin (any more): nobody reads it */
    if (a->req->tty) /* typed: the terminal's line discipline */
        return tty_input(&a->tty, buf, n, &a->in, a->conn);
    return stdin_pump_add(&a->in, buf, n); /* over the budget: the client ignored the backlog */
}

static void on_eof(void *ctx, int ch)
{
    attach *a = ctx;
    if (ch == CH_STDIN && a->req->tty)
        tty_input_end(&a->tty, &a->in);
    if (ch == CH_STDIN)
        a->in.eof = true;
}

/* This session's stdin is over (the client closed it, or the session ends): with stdin_once
 * the container's is too. */
static void end_stdin(attach *a)
{
    wc_error err = {0};
    if (a->req->stdin_once && wc_container_close_stdin(a->env->sb, a->req->container_id, &err) < 0)
        wc_warn("stream", "attach to %.12s: cannot close stdin: %s", a->req->container_id, err.msg);
}

/* The session's copy of the container's stdin; without one (closed by an earlier stdin_once
 * session) it goes on with output only. */
static void open_stdin(attach *a)
{
    wc_error err = {0};
    if (a->req->in && wc_container_stdin(a->env->sb, a->req->container_id, &a->in.fd, &err) < 0)
        wc_info("stream", "attach to %.12s without stdin: %s", a->req->container_id, err.msg);
}

static void send_exit(stream_conn *conn, wc_error *err)
{
    size_t len = 0;
    char *status = stream_exit_status(0, &len);
    if (status)
        conn->ops->send(conn, CH_ERROR, status, len, err);
    free(status);
}

/* Follows the log and feeds stdin until the container exits (0) or the client goes. */
static int follow(attach *a, stream_conn *conn, tail *t, wc_error *err)
{
    int64_t idle = 0, checked = stream_now_ms();
    bool exited = false; /* then the rest of the log goes out before the status */
    for (;;) {
        bool backlog = stdin_pump_backlog(&a->in), room = conn->ops->queued(conn) < OUT_QUEUE_MAX;
        struct pollfd pf[3] = {
            {.fd = conn->sock,
             /* a client that does not read what it is sent (a tty's echo too) is not read */
             .events =
                 (backlog || !room ? 0 : POLLIN) | (conn->ops->want_write(conn) ? POLLOUT : 0)},
            {.fd = room ? t->watch_fd : -1, .events = POLLIN},
            {.fd = backlog ? a->in.fd : -1, .events = POLLOUT}};
        int n = poll(pf, 3, STATE_CHECK_MS);
        idle = n > 0 ? 0 : idle + STATE_CHECK_MS;
        if (a->env->idle_ms > 0 && idle >= a->env->idle_ms)
            return wc_error_set(err, -ETIMEDOUT, "idle for %d ms", a->env->idle_ms);
        if ((pf[0].revents & POLLOUT) && conn->ops->flush(conn, err) < 0)
            return err->code;
        if ((pf[0].revents & (POLLIN | POLLHUP | POLLERR)) && conn->ops->read(conn, err) < 0)
            return err->code;
        if (pf[1].revents)
            on_inotify(t, conn, a->req, err);
        else if (room && !conn->ops->want_write(conn))
            read_new(t, conn, a->req, err); /* what waited while the client was behind */
        if (a->in.fd >= 0 && stdin_pump_feed(&a->in))
            end_stdin(a); /* the client closed stdin and all of it went in */
        if (stream_now_ms() - checked < STATE_CHECK_MS)
            continue;
        checked = stream_now_ms();
        if (t->fd < 0 && open_tail(t, false) == 0) /* the worker has made it: from its start */
            read_new(t, conn, a->req, err);
        exited = exited || !still_running(a->env, a->req->container_id);
        if (exited && read_new(t, conn, a->req, err)) { /* its last lines, all of them */
            send_exit(conn, err);
            return 0;
        }
    }
}

void stream_attach_run(const stream_env *env, stream_conn *conn, const stream_request *req)
{
    tail t = {.fd = -1, .watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)};
    attach a = {.env = env, .req = req, .conn = conn, .in = {.fd = -1}};
    wc_container *ctr = NULL;
    wc_error err = {0};
    conn->sink = (stream_sink){.ctx = &a, .data = on_data, .eof = on_eof};
    open_stdin(&a); /* before any read: a WebSocket client's stdin may come with the upgrade */
    int rc = stream_await_ready(conn, NULL, NULL, 0, &err);
    if (rc == 0)
        rc = wc_container_get(env->sb, req->container_id, &ctr, &err);
    if (rc == 0 && (t.path = ctr->log_path, t.watch_fd < 0))
        rc = wc_error_set_errno(&err, -errno, "follow the log of container %.12s",
                                req->container_id);
    int opened = rc == 0 ? open_tail(&t, true) : 0; /* absent (not made yet, or rotated away */
    if (opened < 0 && opened != -ENOENT)            /* and not reopened yet): looked for later */
        rc = wc_error_set_errno(&err, opened, "follow the log %s", t.path);
    if (rc == 0)
        rc = follow(&a, conn, &t, &err);
    if (rc < 0)
        wc_info("stream", "attach to %.12s ended: %s", req->container_id, err.msg);
    bool stdin_open = a.in.fd >= 0; /* the client went without closing it: it ends with it */
    stdin_pump_free(&a.in);
    if (stdin_open)
        end_stdin(&a);
    wc_container_free(ctr);
    if (t.fd >= 0)
        close(t.fd);
    if (t.watch_fd >= 0)
        close(t.watch_fd);
    stream_drain(conn); /* a WebSocket close frame would overtake queued data */
    conn->ops->finish(conn);
    stream_drain(conn);
}
