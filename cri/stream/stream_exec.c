/* An exec over a streaming connection: a fresh worker (wc_exec_start) whose stdin,
 * stdout and stderr are pumped to and from the client's channels, then its exit
 * status on the error channel, as kubelet reports it. With a tty, what the client types goes
 * through a terminal's line discipline (stream_tty.c), and the client's resize messages reach
 * the guest's /run/wasmcri/tty (wc_exec_resize). */
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "stream_session.h"
#include "stream_stdin.h"
#include "stream_tty.h"

#define OUT_CHUNK 32768
#define OUT_QUEUE_MAX (1024 * 1024) /* unsent bytes before the guest's output waits */
#define TTY_SIZE_WAIT_MS 200        /* for a terminal's first size before the start */

typedef struct exec_pump {
    const stream_env *env;
    stream_conn *conn;
    const stream_request *req;
    wc_exec_session *ex;
    stdin_pump in; /* before the start, what comes waits here for the pipe */
    tty_ldisc tty; /* with a tty: what is typed goes through it */
    unsigned cols, rows;
} exec_pump;

char *stream_error_status(const char *message, size_t *ret_len)
{
    json_auto_t *st = json_pack("{s:{}, s:s, s:s, s:s, s:i}", "metadata", "status", "Failure",
                                "message", message, "reason", "InternalError", "code", 500);
    char *s = st ? json_dumps(st, JSON_COMPACT) : NULL;
    *ret_len = s ? strlen(s) : 0;
    return s;
}

char *stream_exit_status(int exit_code, size_t *ret_len)
{
    json_auto_t *st = NULL;
    if (exit_code == 0) {
        st = json_pack("{s:{}, s:s}", "metadata", "status", "Success");
    } else {
        char msg[96], code[16];
        snprintf(msg, sizeof(msg), "command terminated with non-zero exit code: exit code %d",
                 exit_code);
        snprintf(code, sizeof(code), "%d", exit_code);
        st = json_pack("{s:{}, s:s, s:s, s:s, s:{s:[{s:s, s:s}]}}", "metadata", "status", "Failure",
                       "message", msg, "reason", "NonZeroExitCode", "details", "causes", "reason",
                       "ExitCode", "message", code);
    }
    char *s = st ? json_dumps(st, JSON_COMPACT) : NULL;
    *ret_len = s ? strlen(s) : 0;
    return s;
}

static int on_data(void *ctx, int ch, const unsigned char *buf, size_t n)
{
    exec_pump *p = ctx;
    if (ch == CH_RESIZE && stream_parse_resize(buf, n, &p->cols, &p->rows) && p->ex)
        wc_exec_resize(p->ex, p->cols, p->rows, NULL); /* the guest reads it when it wants */
    bool closed = p->ex && p->in.fd < 0;
    if (n == 0 || ch != CH_STDIN || !p->req->in || p->in.eof || closed)
        return 0;    /* nobody reads it */
    if (p->req->tty) /* typed: the terminal's line discipline */
        return tty_input(&p->tty, buf, n, &p->in, p->conn);
    return stdin_pump_add(&p->in, buf, n); /* over the budget: the client ignored the backlog */
}

static void on_eof(void *ctx, int ch)
{
    exec_pump *p = ctx;
    if (ch == CH_STDIN && p->req->tty)
        tty_input_end(&p->tty, &p->in);
    if (ch == CH_STDIN)
        p->in.eof = true;
}

/* Reads one chunk of a guest output pipe onto channel ch; false at EOF. */
static bool pump_out(exec_pump *p, int fd, int ch, bool wanted, wc_error *err)
{
    char buf[OUT_CHUNK];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return true;
    if (n <= 0)
        return false;
    if (wanted && (p->req->tty ? tty_send_output(p->conn, ch, buf, (size_t)n, err)
                               : p->conn->ops->send(p->conn, ch, buf, (size_t)n, err)) < 0)
        return false;
    return true;
}

/* A terminal waits (after its streams) for the client's size: client-go sends it first
 * thing, and the guest reads it once, from COLUMNS and LINES. */
static bool wants_size(void *ctx)
{
    const exec_pump *p = ctx;
    return p->req->tty && p->cols == 0;
}

/* Pumps until both outputs end (true) or the client goes or stays idle (false). */
static bool pump(exec_pump *p, wc_error *err)
{
    int out = wc_exec_stdout(p->ex), errfd = wc_exec_stderr(p->ex);
    if (wc_exec_stdin(p->ex) >= 0) { /* the pump's own copy */
        p->in.fd = fcntl(wc_exec_stdin(p->ex), F_DUPFD_CLOEXEC, 3);
        if (p->in.fd >= 0)
            fcntl(p->in.fd, F_SETFL, O_NONBLOCK);
        wc_exec_close_stdin(p->ex);
    }
    stdin_pump_feed(&p->in); /* what came before the start, maybe its end too */
    while (out >= 0 || errfd >= 0) {
        stream_conn *c = p->conn;
        bool room = c->ops->queued(c) < OUT_QUEUE_MAX;
        bool backlog = stdin_pump_backlog(&p->in);
        struct pollfd pf[4] = {
            {.fd = c->sock,
             /* a client that does not read what it is sent (a tty's echo too) is not read */
             .events = (backlog || !room ? 0 : POLLIN) | (c->ops->want_write(c) ? POLLOUT : 0)},
            {.fd = room ? out : -1, .events = POLLIN},
            {.fd = room ? errfd : -1, .events = POLLIN},
            {.fd = backlog ? p->in.fd : -1, .events = POLLOUT},
        };
        int n = poll(pf, 4, p->env->idle_ms > 0 ? p->env->idle_ms : -1);
        if (n == 0) {
            wc_error_set(err, -ETIMEDOUT, "idle for %d ms", p->env->idle_ms);
            return false;
        }
        if (n < 0)
            continue;
        if ((pf[0].revents & POLLOUT) && c->ops->flush(c, err) < 0)
            return false;
        if ((pf[0].revents & (POLLIN | POLLHUP | POLLERR)) && c->ops->read(c, err) < 0)
            return false;
        if (pf[1].revents && !pump_out(p, out, CH_STDOUT, p->req->out, err))
            out = -1;
        if (pf[2].revents && !pump_out(p, errfd, CH_STDERR, p->req->err, err))
            errfd = -1;
        if (err->code)
            return false;
        stdin_pump_feed(&p->in);
    }
    return true;
}

void stream_exec_run(const stream_env *env, stream_conn *conn, const stream_request *req)
{
    exec_pump p = {.env = env, .conn = conn, .req = req, .in = {.fd = -1}};
    conn->sink = (stream_sink){.ctx = &p, .data = on_data, .eof = on_eof};
    wc_error err = {0};
    if (stream_await_ready(conn, wants_size, &p, TTY_SIZE_WAIT_MS, &err) < 0) {
        wc_info("stream", "exec in %.12s: %s", req->container_id, err.msg);
        stdin_pump_free(&p.in);
        return;
    }
    wc_exec_io io = {.in = req->in, .tty = req->tty, .cols = p.cols, .rows = p.rows};
    char *status = NULL;
    size_t n = 0;
    if (wc_exec_start(env->sb, req->container_id, req->cmd, &io, &p.ex, &err) < 0)
        status = stream_error_status(err.msg, &n);
    else if (pump(&p, &err))
        status = stream_exit_status(wc_exec_wait(env->sb, p.ex), &n);
    else
        wc_info("stream", "exec in %.12s ended early: %s", req->container_id, err.msg);
    if (status)
        conn->ops->send(conn, CH_ERROR, status, n, &err);
    free(status);
    stdin_pump_free(&p.in);
    wc_exec_free(env->sb, p.ex); /* kills a worker still running */
    conn->ops->close_channel(conn, CH_ERROR, &err);
    stream_drain(conn); /* a WebSocket close frame would overtake queued data */
    conn->ops->finish(conn);
    stream_drain(conn);
}
