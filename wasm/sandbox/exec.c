/* Exec sessions: one more worker for a running container, with live stdio.
 * cmd[0] is a wasm module in the container's view, or (toolbox on) when it is none there and
 * names an applet, the built-in toolbox.wasm (toolbox_module.h) with argv = cmd.
 *
 * The daemon makes the pipes, hands the worker's ends to the zygote with the exec
 * request (SCM_RIGHTS) and keeps the others for the session's user (ExecSync in
 * exec_sync.c collects the output; the streaming server pumps it to a client).
 * The exit code comes on the status pipe: the worker writes its worker_result there as soon as
 * its guest has ended, before its address space is torn down and the zygote reaps it. A worker
 * that ends without one (killed) is reported by the zygote's "exec" exit event, which the
 * zygote reader hands to the session's waiter in sb->execs.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container_view.h"
#include "json_util.h"
#include "log.h"
#include "record.h"
#include "sandbox_int.h"
#include "strv.h"
#include "terminal.h"
#include "toolbox_module.h"

struct wc_exec_session {
    sb_exec w;           /* first: sb->execs links it while the worker runs */
    bool linked;         /* in sb->execs */
    int in, out, err;    /* the daemon's ends: stdin's write end, stdout's and stderr's read ends */
    int status;          /* the status pipe's read end: the worker's worker_result */
    char tty_path[4096]; /* a tty's size file (terminal.h), or "" */
};

void sb_exec_exited(wc_sandbox *sb, const json_t *ev)
{
    const char *id = json_string_value(json_object_get(ev, "id")) ?: "";
    pthread_mutex_lock(&sb->mu);
    for (sb_exec *e = sb->execs; e; e = e->next)
        if (strcmp(e->id, id) == 0) {
            e->done = true;
            e->exit_code = (int)wc_json_int(ev, "exit_code", 0);
        }
    pthread_cond_broadcast(&sb->changed);
    pthread_mutex_unlock(&sb->mu);
}

void sb_exec_zygote_lost(wc_sandbox *sb)
{
    pthread_mutex_lock(&sb->mu);
    for (sb_exec *e = sb->execs; e; e = e->next)
        if (!e->done) {
            e->done = true;
            e->exit_code = 255;
        }
    pthread_cond_broadcast(&sb->changed);
    pthread_mutex_unlock(&sb->mu);
}

/* What a shell says of a file it cannot execute: a line on stderr (fd, the worker's
 * end, a pipe with room for it) and exit code 126. */
static void not_wasm(wc_exec_session *s, int fd, const char *cmd0, const char *why)
{
    char line[1024];
    int n =
        snprintf(line, sizeof(line),
                 "wasmcri: cannot exec %s: %s (exec runs WebAssembly programs only)\n", cmd0, why);
    if (n > 0 && write(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) < 0)
        wc_warn("sandbox", "exec %s: cannot write its error: %s", s->w.id, strerror(errno));
    s->w.done = true;
    s->w.exit_code = 126;
}

/* The worker spec of an exec in c of the module known by key: the tty's size file, the
 * view, the cgroups it joins; on failure *ret_spec may hold a part (the caller's to free). */
static int fill_exec_spec(wc_sandbox *sb, wc_container *c, wc_pod *pod, char *const *cmd, bool tty,
                          wc_exec_session *s, const char *key, worker_spec **ret_spec,
                          wc_error *err)
{
    char dir[4096];
    if (tty)
        TRY(sb_tty_path(s->tty_path, sizeof(s->tty_path), wc_pod_dir(pod, dir, sizeof(dir)),
                        s->w.id, err));
    TRY(cv_worker_spec(c, pod, cmd, s->w.id, "", ret_spec, err));
    if (wc_container_set(&(*ret_spec)->module_key, key) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (sb_cgroup_join_list(sb, c, pod, &(*ret_spec)->cgroup_procs, err) < 0)
        return err->code;
    return 0;
}

/* The container's view with cmd[0] as the module, opened here (*ret_module_fd, the
 * caller's) so that the zygote runs the very file resolved in the view; mu held.
 * 1: not wasm (said on err_fd, the worker's stderr end). */
static int exec_spec(wc_sandbox *sb, const char *id, char *const *cmd, bool tty, wc_exec_session *s,
                     int err_fd, worker_spec **ret_spec, int *ret_module_fd, wc_error *err)
{
    wc_container *c = NULL;
    wc_pod *pod = NULL;
    TRY(sb_find_ctr(sb, id, &c, err));
    if (c->state != WC_CTR_RUNNING)
        return wc_error_set(err, -EBUSY, "container %s is not running", c->id);
    TRY(sb_find_pod(sb, c->pod_id, &pod, err));
    char guest[4096], key[256];
    wc_error why = {0};
    int fd = -1;
    snprintf(guest, sizeof(guest), "%s%s%s", cmd[0][0] == '/' ? "" : c->working_dir,
             cmd[0][0] == '/' ? "" : "/", cmd[0]);
    if (cv_open_exec_module(c, guest, &fd, key, sizeof(key), &why) < 0) {
        if (!sb->toolbox || !toolbox_names_applet(cmd[0])) {
            not_wasm(s, err_fd, cmd[0], why.msg);
            return 1;
        }
        TRY(toolbox_module_fd(&fd, err)); /* no module there, and cmd[0] names an applet */
        snprintf(key, sizeof(key), "%s", toolbox_module_key());
    }
    int rc = fill_exec_spec(sb, c, pod, cmd, tty, s, key, ret_spec, err);
    if (rc < 0) {
        worker_spec_free(*ret_spec);
        *ret_spec = NULL;
        close(fd);
        return rc;
    }
    *ret_module_fd = fd;
    return 0;
}

/* fds: stdout, stderr, [stdin,] module (zygote_proto.h). */
static int send_exec(wc_sandbox *sb, worker_spec *spec, const int *fds, size_t nfds, wc_error *err)
{
    json_t *js = worker_spec_encode(spec);
    json_auto_t *req = js ? json_pack("{s:s, s:s, s:o, s:i}", "op", "exec", "id", spec->id, "spec",
                                      js, "keep_ms", sb->exec_ready_ms)
                          : NULL;
    json_auto_t *reply = NULL;
    if (req == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (sb->zygote == NULL)
        return wc_error_set(err, -EAGAIN, "no zygote is connected");
    int rc = zc_request(sb->zygote, req, fds, nfds, &reply, err);
    if (rc == -EINVAL) /* over one zygote packet: nothing was sent; say what is big */
        cv_explain_spec_size(spec, err);
    return rc;
}

/* An exec sees the container's whole view: the writable layer a container makes
 * on its first write (layer.h) is made now if it has not written yet. */
static int ensure_layer(wc_sandbox *sb, const char *id, wc_error *err)
{
    wc_container *c = NULL;
    char cid[WC_ID_SIZE];
    pthread_mutex_lock(&sb->mu);
    bool need =
        sb_find_ctr(sb, id, &c, NULL) == 0 && c->state == WC_CTR_RUNNING && !cv_rootfs_ready(c);
    if (need)
        memcpy(cid, c->id, WC_ID_SIZE);
    pthread_mutex_unlock(&sb->mu);
    int rc = need ? sb_zygote_op(sb, "layer", cid, NULL, err) : 0;
    return rc == -ESRCH ? 0 : rc; /* it has just exited: exec_spec says so */
}

/* The worker's ends of the pipes: [stdout, stderr, stdin, status]; the session keeps the
 * others. */
static int make_pipes(wc_exec_session *s, const wc_exec_io *io, int child[4], wc_error *err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return wc_error_set_errno(err, -errno, "exec pipe");
    s->status = p[0];
    child[3] = p[1];
    if (pipe2(p, O_CLOEXEC) < 0)
        return wc_error_set_errno(err, -errno, "exec pipe");
    s->out = p[0];
    child[0] = p[1];
    if (io->tty) { /* a terminal has one output: stderr goes where stdout goes */
        child[1] = p[1];
    } else {
        if (pipe2(p, O_CLOEXEC) < 0)
            return wc_error_set_errno(err, -errno, "exec pipe");
        s->err = p[0];
        child[1] = p[1];
    }
    if (io->in) {
        if (pipe2(p, O_CLOEXEC) < 0)
            return wc_error_set_errno(err, -errno, "exec pipe");
        s->in = p[1];
        child[2] = p[0];
    }
    return 0;
}

static void close_child(int child[4])
{
    if (child[1] >= 0 && child[1] != child[0])
        close(child[1]);
    for (size_t i = 0; i < 4; i++)
        if (i != 1 && child[i] >= 0)
            close(child[i]);
    child[0] = child[1] = child[2] = child[3] = -1;
}

static void unlink_session(wc_sandbox *sb, wc_exec_session *s)
{
    pthread_mutex_lock(&sb->mu);
    for (sb_exec **p = &sb->execs; *p; p = &(*p)->next)
        if (*p == &s->w) {
            *p = s->w.next;
            break;
        }
    s->linked = false;
    pthread_mutex_unlock(&sb->mu);
}

/* The exec's request to the zygote: the tty's size first, then the spec with the child's
 * stdio, its status pipe and the module (zygote_proto.h). */
static int send_spec(wc_sandbox *sb, worker_spec *spec, const wc_exec_io *io, const char *tty_path,
                     const int child[4], int module_fd, wc_error *err)
{
    if (io->tty)
        TRY(sb_tty_spec(spec, tty_path, io->cols, io->rows, err));
    int fds[5] = {child[0], child[1], child[3], child[2], module_fd};
    if (child[2] < 0)
        fds[3] = module_fd;
    return send_exec(sb, spec, fds, child[2] >= 0 ? 5 : 4, err);
}

/* Up to the worker's start: the spec, the pipes, the request; mu is not held. */
static int start_session(wc_sandbox *sb, const char *id, char *const *cmd, const wc_exec_io *io,
                         wc_exec_session *s, int child[4], wc_error *err)
{
    TRY(make_pipes(s, io, child, err));
    int rc = ensure_layer(sb, id, err);
    if (rc < 0)
        return wc_error_wrap(err, "exec: the container's writable layer");
    worker_spec *spec = NULL;
    int module_fd = -1;
    pthread_mutex_lock(&sb->mu);
    rc = exec_spec(sb, id, cmd, io->tty, s, child[1], &spec, &module_fd, err);
    if (rc == 0) {
        s->w.next = sb->execs;
        sb->execs = &s->w;
        s->linked = true;
    }
    pthread_mutex_unlock(&sb->mu);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    rc = send_spec(sb, spec, io, s->tty_path, child, module_fd, err);
    close(module_fd);
    worker_spec_free(spec);
    if (rc < 0) /* no worker: no exit will come */
        unlink_session(sb, s);
    if (rc == -ENOEXEC) {
        not_wasm(s, child[1], cmd[0], err->msg);
        rc = 0;
    }
    return rc;
}

int wc_exec_start(wc_sandbox *sb, const char *id, char *const *cmd, const wc_exec_io *io,
                  wc_exec_session **ret_session, wc_error *err)
{
    if (cmd == NULL || cmd[0] == NULL || *cmd[0] == '\0')
        return wc_error_set(err, -EINVAL, "exec: the command is empty");
    char rid[WC_ID_SIZE];
    if (rec_new_id(rid) < 0)
        return wc_error_set(err, -EIO, "no randomness for an exec id");
    wc_exec_session *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    s->in = s->out = s->err = s->status = -1;
    snprintf(s->w.id, sizeof(s->w.id), "exec-%.32s", rid);
    int child[4] = {-1, -1, -1, -1};
    int rc = start_session(sb, id, cmd, io, s, child, err);
    close_child(child); /* the worker has its copies; the pipes end when it exits */
    if (rc < 0) {
        wc_exec_free(sb, s);
        return rc;
    }
    *ret_session = s;
    return 0;
}

int wc_exec_resize(wc_exec_session *s, unsigned cols, unsigned rows, wc_error *err)
{
    if (*s->tty_path == '\0')
        return wc_error_set(err, -EINVAL, "exec %s has no terminal", s->w.id);
    return sb_tty_write(s->tty_path, cols, rows, err);
}

int wc_exec_stdin(const wc_exec_session *s)
{
    return s->in;
}

int wc_exec_stdout(const wc_exec_session *s)
{
    return s->out;
}

int wc_exec_stderr(const wc_exec_session *s)
{
    return s->err;
}

int sb_exec_status_fd(const wc_exec_session *s)
{
    return s->status;
}

void wc_exec_close_stdin(wc_exec_session *s)
{
    if (s->in >= 0)
        close(s->in);
    s->in = -1;
}

void wc_exec_kill(wc_sandbox *sb, wc_exec_session *s)
{
    if (s->linked)
        sb_zygote_op(sb, "kill", s->w.id, NULL, NULL);
}

/* The worker's result from the status pipe (blocking until the worker wrote it or ended
 * without it); false when it ended without one. */
static bool read_status(wc_exec_session *s, int *ret_code)
{
    worker_result res;
    size_t got = 0;
    while (s->status >= 0 && got < sizeof(res)) {
        ssize_t n = read(s->status, (char *)&res + got, sizeof(res) - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (s->status >= 0)
        close(s->status);
    s->status = -1;
    if (got != sizeof(res))
        return false;
    *ret_code = res.exit_code;
    return true;
}

int wc_exec_wait(wc_sandbox *sb, wc_exec_session *s)
{
    int code = 0;
    if (read_status(s, &code)) { /* the zygote's exit event, when it comes, finds no session */
        pthread_mutex_lock(&sb->mu);
        s->w.done = true;
        s->w.exit_code = code;
        pthread_mutex_unlock(&sb->mu);
        unlink_session(sb, s);
        return code;
    }
    pthread_mutex_lock(&sb->mu);
    while (!s->w.done)
        pthread_cond_wait(&sb->changed, &sb->mu);
    code = s->w.exit_code;
    pthread_mutex_unlock(&sb->mu);
    return code;
}

void wc_exec_free(wc_sandbox *sb, wc_exec_session *s)
{
    if (s == NULL)
        return;
    if (s->linked) {
        pthread_mutex_lock(&sb->mu);
        bool done = s->w.done;
        pthread_mutex_unlock(&sb->mu);
        if (!done)
            wc_exec_kill(sb, s); /* no worker outlives its session */
        wc_exec_wait(sb, s);
        unlink_session(sb, s);
    }
    wc_exec_close_stdin(s);
    if (*s->tty_path)
        unlink(s->tty_path);
    if (s->out >= 0)
        close(s->out);
    if (s->err >= 0)
        close(s->err);
    if (s->status >= 0)
        close(s->status);
    free(s);
}
