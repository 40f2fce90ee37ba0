/* ExecSync: one more worker for a running container, its output collected here.
 * cmd[0] is a wasm module in the container's view, or (toolbox on) when it is none there and
 * names an applet, the built-in toolbox.wasm (toolbox_module.h) with argv = cmd.
 *
 * The daemon makes two pipes, hands their write ends to the zygote with the exec
 * request (SCM_RIGHTS), and reads both until they close or the timeout passes
 * (then the worker is killed). The exit code comes as an "exec" exit event, which
 * the zygote reader hands to the waiter in sb->execs.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "container_view.h"
#include "json_util.h"
#include "pod_ps.h"
#include "record.h"
#include "sandbox_int.h"
#include "toolbox_module.h"

#define EXEC_OUTPUT_MAX (8 * 1024 * 1024)

void sb_exec_exited(wc_sandbox *sb, const json_t *ev)
{
    const char *id = json_string_value(json_object_get(ev, "id")) ?: "";
    pthread_mutex_lock(&sb->mu);
    for (sb_exec *e = sb->execs; e; e = e->next)
        if (strcmp(e->id, id) == 0) {
            e->done = true;
            e->exit_code = (int)wc_json_int(ev, "exit_code", 0);
            sb_pod_ps_write(sb, e->pod_id);
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

static int append(char **buf, size_t *len, const char *data, size_t n)
{
    if (*len + n > EXEC_OUTPUT_MAX)
        n = EXEC_OUTPUT_MAX - *len;
    char *grown = realloc(*buf, *len + n + 1);
    if (grown == NULL)
        return -ENOMEM;
    memcpy(grown + *len, data, n);
    *len += n;
    grown[*len] = '\0';
    *buf = grown;
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads both pipes until EOF; false when the deadline (ms, 0: none) passed first. */
static bool collect(int fds[2], int64_t deadline, wc_exec_result *res)
{
    struct pollfd p[2] = {{.fd = fds[0], .events = POLLIN}, {.fd = fds[1], .events = POLLIN}};
    char buf[65536];
    while (p[0].fd >= 0 || p[1].fd >= 0) {
        int wait = deadline ? (int)(deadline - now_ms()) : -1;
        if (deadline && wait <= 0)
            return false;
        if (poll(p, 2, wait) <= 0)
            continue;
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !p[i].revents)
                continue;
            ssize_t n = read(p[i].fd, buf, sizeof(buf));
            if (n <= 0) {
                p[i].fd = -1;
                continue;
            }
            if (i == 0)
                append(&res->out, &res->out_len, buf, (size_t)n);
            else
                append(&res->err, &res->err_len, buf, (size_t)n);
        }
    }
    return true;
}

static void not_wasm(wc_exec_result *res, const char *cmd0, const char *why)
{
    char line[1024];
    int n =
        snprintf(line, sizeof(line),
                 "wasmcri: cannot exec %s: %s (exec runs WebAssembly programs only)\n", cmd0, why);
    res->exit_code = 126;
    append(&res->err, &res->err_len, line, n > 0 ? (size_t)n : 0);
}

/* The container's view with cmd[0] as the module, opened here (*ret_module_fd, the
 * caller's) so that the zygote runs the very file resolved in the view; mu held.
 * 1: not wasm (res filled). */
static int exec_spec(wc_sandbox *sb, const char *id, char *const *cmd, sb_exec *e,
                     worker_spec **ret_spec, int *ret_module_fd, wc_exec_result *res, wc_error *err)
{
    const char *exec_id = e->id;
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
            not_wasm(res, cmd[0], why.msg);
            return 1;
        }
        TRY(toolbox_module_fd(&fd, err)); /* no module there, and cmd[0] names an applet */
        snprintf(key, sizeof(key), "%s", toolbox_module_key());
    }
    memcpy(e->ctr_id, c->id, WC_ID_SIZE);
    memcpy(e->pod_id, pod->id, WC_ID_SIZE);
    int rc = cv_worker_spec(c, pod, cmd, exec_id, "", ret_spec, err);
    if (rc == 0 && wc_container_set(&(*ret_spec)->module_key, key) < 0)
        rc = wc_error_set(err, -ENOMEM, "out of memory");
    if (rc == 0 && sb_cgroup_join_list(sb, c, pod, &(*ret_spec)->cgroup_procs, err) < 0)
        rc = err->code;
    if (rc < 0) {
        worker_spec_free(*ret_spec);
        *ret_spec = NULL;
        close(fd);
        return rc;
    }
    *ret_module_fd = fd;
    return 0;
}

/* fds: stdout, stderr, module (zygote_proto.h). */
static int send_exec(wc_sandbox *sb, worker_spec *spec, const int fds[3], int *ret_pid,
                     wc_error *err)
{
    json_t *js = worker_spec_encode(spec);
    json_auto_t *req =
        js ? json_pack("{s:s, s:s, s:o}", "op", "exec", "id", spec->id, "spec", js) : NULL;
    json_auto_t *reply = NULL;
    if (req == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (sb->zygote == NULL)
        return wc_error_set(err, -EAGAIN, "no zygote is connected");
    int rc = zc_request(sb->zygote, req, fds, 3, &reply, err);
    if (rc == -EINVAL) /* over one zygote packet: nothing was sent; say what is big */
        cv_explain_spec_size(spec, err);
    if (rc == 0)
        *ret_pid = (int)wc_json_int(reply, "pid", 0);
    return rc;
}

static void kill_exec(wc_sandbox *sb, const char *exec_id)
{
    sb_zygote_op(sb, "kill", exec_id, NULL, NULL);
}

/* Runs the exec worker and waits for its exit; the waiter e is linked in sb->execs. */
static int run_exec(wc_sandbox *sb, sb_exec *e, worker_spec *spec, int module_fd, int64_t timeout_s,
                    const char *cmd0, wc_exec_result *res, wc_error *err)
{
    int out[2], errp[2];
    if (pipe2(out, O_CLOEXEC) < 0)
        return wc_error_set_errno(err, -errno, "exec pipe");
    if (pipe2(errp, O_CLOEXEC) < 0) {
        close(out[0]);
        close(out[1]);
        return wc_error_set_errno(err, -errno, "exec pipe");
    }
    int wfds[3] = {out[1], errp[1], module_fd}, rfds[2] = {out[0], errp[0]};
    int pid = 0;
    int rc = send_exec(sb, spec, wfds, &pid, err);
    close(out[1]);
    close(errp[1]);
    if (rc == 0) {
        pthread_mutex_lock(&sb->mu);
        e->pid = pid;
        sb_pod_ps_write(sb, e->pod_id);
        pthread_mutex_unlock(&sb->mu);
    }
    bool in_time = true;
    if (rc == 0)
        in_time = collect(rfds, timeout_s > 0 ? now_ms() + timeout_s * 1000 : 0, res);
    close(out[0]);
    close(errp[0]);
    if (rc == -ENOEXEC) {
        not_wasm(res, cmd0, err->msg);
        return 0;
    }
    if (rc < 0)
        return rc;
    if (!in_time)
        kill_exec(sb, e->id);
    pthread_mutex_lock(&sb->mu);
    while (!e->done)
        pthread_cond_wait(&sb->changed, &sb->mu);
    res->exit_code = e->exit_code;
    pthread_mutex_unlock(&sb->mu);
    if (!in_time)
        return wc_error_set(err, -ETIMEDOUT, "exec %s timed out after %lld s", cmd0,
                            (long long)timeout_s);
    return 0;
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

static void unlink_exec(wc_sandbox *sb, sb_exec *e)
{
    pthread_mutex_lock(&sb->mu);
    for (sb_exec **p = &sb->execs; *p; p = &(*p)->next)
        if (*p == e) {
            *p = e->next;
            break;
        }
    pthread_mutex_unlock(&sb->mu);
}

int wc_container_exec(wc_sandbox *sb, const char *id, char *const *cmd, int64_t timeout_s,
                      wc_exec_result *res, wc_error *err)
{
    memset(res, 0, sizeof(*res));
    if (cmd == NULL || cmd[0] == NULL || *cmd[0] == '\0')
        return wc_error_set(err, -EINVAL, "exec: the command is empty");
    sb_exec e = {0};
    char rid[WC_ID_SIZE];
    if (rec_new_id(rid) < 0)
        return wc_error_set(err, -EIO, "no randomness for an exec id");
    snprintf(e.id, sizeof(e.id), "exec-%.32s", rid);
    worker_spec *spec = NULL;
    int module_fd = -1;
    int rc = ensure_layer(sb, id, err);
    if (rc < 0)
        return wc_error_wrap(err, "exec: the container's writable layer");
    pthread_mutex_lock(&sb->mu);
    e.argv = cmd;
    rc = exec_spec(sb, id, cmd, &e, &spec, &module_fd, res, err);
    if (rc == 0) {
        e.next = sb->execs;
        sb->execs = &e;
        e.started_ns = rec_now_ns();
        sb_pod_ps_write(sb, e.pod_id); /* fresh figures for the ps or top this exec may be, and
                                        * the exec itself, pid 0 until the zygote answers */
    }
    pthread_mutex_unlock(&sb->mu);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    rc = run_exec(sb, &e, spec, module_fd, timeout_s, cmd[0], res, err);
    close(module_fd);
    unlink_exec(sb, &e);
    worker_spec_free(spec);
    return rc;
}
