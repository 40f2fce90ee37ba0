/* StartContainer, and the worker CreateContainer makes for it.
 *
 * As runc's create does, CreateContainer's last step has the zygote make the container's
 * process (sb_create_worker): the worker spec is made then (the pod's files, the user file, the
 * view, the layer, the cgroups), the zygote puts a spare in the container's cgroups and the
 * worker joins the pod's netns, opens its view, takes the container's user, capabilities and
 * seccomp filter and instantiates the module, then waits (wasm/zygote/ready.h). StartContainer
 * then only wakes it: no spec to make or send, no cgroup to join, nothing to instantiate on the
 * start's path (issue 14: a cached start in 1 ms). Best effort: a container with a terminal, or
 * whose module the zygote does not hold compiled, gets none, and a start that finds none (the
 * daemon or the zygote restarted, it waited too long, its limits changed) does every step as
 * before. The steps of that start: the container is created and its pod ready → the worker
 * spec and the module → the zygote's start (with the mutex released: `starting` keeps a second
 * start out) → record the outcome; an exit that arrives before the start reply is processed is
 * recorded all the same.
 */
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "container_view.h"
#include "ctr_user_file.h"
#include "record.h"
#include "sandbox_int.h"
#include "terminal.h"

/* How long a create waits for its worker's set-up (a few hundred us for a small module) */
#define CREATED_WAIT_MS 1000

/* Sends the zygote a start request (taken; NULL: out of memory) with nfds descriptors and
 * takes the worker's pid (0: a created start whose worker the zygote does not have). */
static int send_start(wc_sandbox *sb, json_t *req, const int *fds, size_t nfds, int *ret_pid,
                      wc_error *err)
{
    json_auto_t *owned = req;
    json_auto_t *reply = NULL;
    if (owned == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (sb->zygote == NULL)
        return wc_error_set(err, -EAGAIN, "no zygote is connected");
    TRY(zc_request(sb->zygote, owned, fds, nfds, &reply, err));
    *ret_pid = (int)json_integer_value(json_object_get(reply, "pid"));
    return 0;
}

static int start_request(wc_sandbox *sb, worker_spec *spec, int module_fd, int *ret_pid,
                         wc_error *err)
{
    json_t *js = worker_spec_encode_set(spec);
    return send_start(
        sb, js ? json_pack("{s:s, s:s, s:o}", "op", "start", "id", spec->id, "spec", js) : NULL,
        &module_fd, 1, ret_pid, err);
}

/* The start of the worker made at create: -ESRCH when the zygote has none for cid. */
static int created_start_request(wc_sandbox *sb, const char *cid, int *ret_pid, wc_error *err)
{
    TRY(send_start(sb, json_pack("{s:s, s:s, s:b}", "op", "start", "id", cid, "created", 1), NULL,
                   0, ret_pid, err));
    return *ret_pid > 0 ? 0 : -ESRCH;
}

/* The container exists and is created, its pod is ready; mu held. */
static int find_startable(wc_sandbox *sb, const char *id, wc_container **ret_c, wc_pod **ret_pod,
                          wc_error *err)
{
    TRY(sb_find_ctr(sb, id, ret_c, err));
    const wc_container *c = *ret_c;
    if (c->stopped) /* a StartContainer the kubelet sent first may come after the stop */
        return wc_error_set(err, -EBUSY, "container %s was stopped before it started", c->id);
    if (c->state != WC_CTR_CREATED || c->starting)
        return wc_error_set(err, -EBUSY, "container %s is %s, not created", c->id,
                            c->starting                  ? "starting"
                            : c->state == WC_CTR_RUNNING ? "running"
                                                         : "exited");
    TRY(sb_find_pod(sb, c->pod_id, ret_pod, err));
    if ((*ret_pod)->state != WC_POD_READY || (*ret_pod)->reclaims)
        return wc_error_set(err, -EBUSY, "pod %s of container %s is %s", (*ret_pod)->id, c->id,
                            (*ret_pod)->reclaims ? "being stopped or removed" : "not ready");
    return 0;
}

/* The worker spec of c's start, and its module opened; mu held. */
static int start_spec(wc_sandbox *sb, wc_container *c, wc_pod *pod, worker_spec **ret_spec,
                      int *ret_module_fd, wc_error *err)
{
    _cleanup_(worker_spec_freep) worker_spec *spec = NULL;
    _cleanup_close_ int module_fd = -1;
    TRY(sb_pod_files(pod, err));
    sb_ctr_user_write(sb, c, pod); /* the toolbox's /run/wasmcri/user (ctr_user_file.h) */
    TRY(cv_worker_spec(c, pod, NULL, c->id, c->log_path, &spec, err));
    TRY(cv_layer(sb->store, c, spec, err));
    spec->stdin_pipe = c->stdin; /* kept open by the zygote (container_attach.c) */
    if (c->tty) {
        char tty[4096], dir[4096];
        TRY(sb_tty_path(tty, sizeof(tty), wc_pod_dir(pod, dir, sizeof(dir)), c->id, err));
        TRY(sb_tty_spec(spec, tty, 0, 0, err));
    }
    TRY(cv_open_start_module(c, spec, &module_fd, err));
    TRY(sb_cgroup_prepare(sb, c, pod, spec, err));
    *ret_spec = take_ptr(spec);
    *ret_module_fd = take_fd(module_fd);
    return 0;
}

/* The spec of container cid's start, made again: the zygote had no worker created for it. */
static int respec(wc_sandbox *sb, const char *cid, worker_spec **ret_spec, int *ret_module_fd,
                  wc_error *err)
{
    wc_container *c = NULL;
    wc_pod *pod = NULL;
    pthread_mutex_lock(&sb->mu);
    int rc = sb_find_ctr(sb, cid, &c, err);
    if (rc == 0)
        rc = sb_find_pod(sb, c->pod_id, &pod, err);
    if (rc == 0)
        rc = start_spec(sb, c, pod, ret_spec, ret_module_fd, err);
    pthread_mutex_unlock(&sb->mu);
    return rc;
}

void sb_create_worker(wc_sandbox *sb, const char *cid)
{
    wc_container *c = NULL;
    wc_pod *pod = NULL;
    _cleanup_(worker_spec_freep) worker_spec *spec = NULL;
    int module_fd = -1;
    pthread_mutex_lock(&sb->mu);
    bool made = sb->zygote && find_startable(sb, cid, &c, &pod, NULL) == 0 && !c->tty &&
                start_spec(sb, c, pod, &spec, &module_fd, NULL) == 0;
    pthread_mutex_unlock(&sb->mu);
    if (module_fd >= 0) /* the zygote makes one only with a module it holds */
        close(module_fd);
    json_t *js = made ? worker_spec_encode_set(spec) : NULL;
    json_auto_t *req =
        js ? json_pack("{s:s, s:s, s:o}", "op", "create", "id", cid, "spec", js) : NULL;
    json_auto_t *reply = NULL;
    _cleanup_close_ int done = -1;
    if (req == NULL || zc_request_fd(sb->zygote, req, NULL, 0, &reply, &done, NULL) < 0 ||
        !json_is_true(json_object_get(reply, "created")))
        return;
    /* its set-up done (the worker closed the pipe's other end): a start that follows at once
     * (a kubelet's) does not compete with it for the CPU; a set-up that takes longer goes on
     * while the start waits for it */
    struct pollfd pfd = {.fd = done, .events = POLLIN};
    if (done >= 0)
        poll(&pfd, 1, CREATED_WAIT_MS);
    pthread_mutex_lock(&sb->mu);
    if (sb_find_ctr(sb, cid, &c, NULL) == 0)
        c->worker_created = true;
    pthread_mutex_unlock(&sb->mu);
}

/* Marks the container starting, and makes the worker spec and opens the module unless a
 * worker was created for it (*ret_spec NULL then). mu held. */
static int prepare_start(wc_sandbox *sb, const char *id, wc_container **ret_c,
                         worker_spec **ret_spec, int *ret_module_fd, wc_error *err)
{
    wc_container *c = NULL;
    wc_pod *pod = NULL;
    TRY(find_startable(sb, id, &c, &pod, err));
    if (!c->worker_created)
        TRY(start_spec(sb, c, pod, ret_spec, ret_module_fd, err));
    c->worker_created = false;
    c->starting = true;
    c->started_at = rec_now_ns(); /* before the fork: an early exit finishes after it */
    *ret_c = c;
    return 0;
}

/* Records how the start went (start_rc: the zygote's answer, pid on success) and
 * returns the start's outcome; mu held. */
static int record_start(wc_sandbox *sb, const char *cid, int start_rc, int pid, wc_error *err)
{
    wc_container *c = NULL;
    if (sb_find_ctr(sb, cid, &c, NULL) < 0) /* not so: remove waits for starting */
        return start_rc;
    c->starting = false;
    if (start_rc < 0) {
        c->state = WC_CTR_EXITED;
        c->exit_code = 128;
        c->finished_at = c->started_at;
        wc_container_set(&c->reason, "StartError");
        wc_container_set(&c->message, err->msg);
    } else {
        c->pid = pid;
        if (c->state == WC_CTR_CREATED)
            c->state = WC_CTR_RUNNING;
    }
    sb_emit(sb, WC_EVENT_STARTED, c);
    if (c->state == WC_CTR_EXITED) /* a start error, or an exit that came first */
        sb_emit(sb, WC_EVENT_STOPPED, c);
    int save_rc = sb_save_ctr(sb, c, start_rc < 0 ? NULL : err);
    pthread_cond_broadcast(&sb->changed);
    return start_rc < 0 ? start_rc : save_rc;
}

int wc_container_start(wc_sandbox *sb, const char *id, wc_error *err)
{
    wc_container *c = NULL;
    worker_spec *spec = NULL;
    char cid[WC_ID_SIZE];
    int pid = 0, module_fd = -1;
    pthread_mutex_lock(&sb->mu);
    int rc = prepare_start(sb, id, &c, &spec, &module_fd, err);
    pthread_mutex_unlock(&sb->mu);
    if (rc < 0)
        return rc;
    memcpy(cid, c->id, WC_ID_SIZE);
    if (spec == NULL) /* made at create: without it (restarted, expired), every step now */
        rc = created_start_request(sb, cid, &pid, err);
    if (spec == NULL && rc == -ESRCH)
        rc = respec(sb, cid, &spec, &module_fd, err);
    if (spec && rc == 0)
        rc = start_request(sb, spec, module_fd, &pid, err);
    if (rc == -EINVAL && spec) /* over one zygote packet: nothing was sent; say what is big */
        cv_explain_spec_size(spec, err);
    if (module_fd >= 0)
        close(module_fd);
    worker_spec_free(spec);
    pthread_mutex_lock(&sb->mu);
    rc = record_start(sb, cid, rc, pid, err);
    pthread_mutex_unlock(&sb->mu);
    return rc;
}
