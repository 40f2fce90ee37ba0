/* Worker processes (see worker.h): the spec codec and the child's set-up, as a
 * flat list of steps (the zygote has put it in its cgroups): die with the zygote →
 * default signals → join the pod netns → the writable directory of an image without
 * a rootfs → the container's user → drop privileges (privileges.h) → run → report →
 * exit.
 * To add a step, write `static int step_x(const worker_spec *, wc_error *)` and
 * call it from worker_main in order.
 */
#include "worker.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "layer.h"
#include "privileges.h"
#include "record.h"
#include "worker_run.h"

void worker_spec_free(worker_spec *s)
{
    if (s == NULL)
        return;
    free(s->id);
    free(s->module_path);
    free(s->module_key);
    wc_strv_free(s->argv);
    wc_strv_free(s->env);
    for (size_t i = 0; i < s->n_mounts; i++) {
        free(s->mounts[i].guest);
        free(s->mounts[i].host);
    }
    free(s->mounts);
    free(s->log_path);
    free(s->netns);
    wc_strv_free(s->cgroup_procs);
    free(s->layer_dir);
    free(s->layer_lower);
    free(s);
}

json_t *worker_spec_encode(const worker_spec *s)
{
    json_t *o = json_object();
    json_t *mounts = json_array();
    int rc = o && mounts ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < s->n_mounts; i++)
        rc = json_array_append_new(mounts,
                                   json_pack("{s:s, s:s, s:b}", "guest", s->mounts[i].guest, "host",
                                             s->mounts[i].host, "ro", s->mounts[i].readonly));
    rc = rc ?: rec_set_str(o, "id", s->id);
    rc = rc ?: rec_set_str(o, "module_path", s->module_path);
    rc = rc ?: rec_set_str(o, "module_key", s->module_key);
    rc = rc ?: rec_set_strv(o, "argv", s->argv);
    rc = rc ?: rec_set_strv(o, "env", s->env);
    rc = rc ?: rec_set_str(o, "log_path", s->log_path);
    rc = rc ?: rec_set_str(o, "netns", s->netns);
    rc = rc ?: rec_set_strv(o, "cgroup_procs", s->cgroup_procs);
    rc = rc ?: rec_set_int(o, "max_memory_pages", s->max_memory_pages);
    rc = rc ?: rec_set_user(o, "user", &s->user);
    rc = rc ?: rec_set_str(o, "layer_dir", s->layer_dir);
    rc = rc ?: rec_set_str(o, "layer_lower", s->layer_lower);
    if (rc == 0 && json_object_set(o, "mounts", mounts) < 0)
        rc = -ENOMEM;
    json_decref(mounts);
    if (rc < 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int decode_mounts(const json_t *o, worker_spec *s)
{
    json_t *a = json_object_get(o, "mounts");
    size_t n = json_array_size(a);
    s->mounts = calloc(n ? n : 1, sizeof(*s->mounts));
    if (s->mounts == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        json_t *m = json_array_get(a, i);
        s->mounts[i].guest = rec_dup_str(m, "guest");
        s->mounts[i].host = rec_dup_str(m, "host");
        s->mounts[i].readonly = rec_bool(m, "ro");
        s->n_mounts++;
        if (!s->mounts[i].guest || !s->mounts[i].host)
            return -ENOMEM;
    }
    return 0;
}

int worker_spec_decode(const json_t *o, worker_spec **ret_spec, wc_error *err)
{
    if (!json_is_object(o))
        return wc_error_set(err, -EINVAL, "worker spec is not an object");
    worker_spec *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    s->id = rec_dup_str(o, "id");
    s->module_path = rec_dup_str(o, "module_path");
    s->module_key = rec_dup_str(o, "module_key");
    s->argv = rec_dup_strv(o, "argv");
    s->env = rec_dup_strv(o, "env");
    s->log_path = rec_dup_str(o, "log_path");
    s->netns = rec_dup_str(o, "netns");
    s->cgroup_procs = rec_dup_strv(o, "cgroup_procs");
    s->max_memory_pages = (uint32_t)rec_int(o, "max_memory_pages");
    rec_user(o, "user", &s->user);
    s->layer_dir = rec_dup_str(o, "layer_dir");
    s->layer_lower = rec_dup_str(o, "layer_lower");
    int rc = decode_mounts(o, s);
    if (rc < 0 || !s->id || !s->module_path || !s->module_key || !s->argv || !s->env ||
        !s->log_path || !s->netns || !s->cgroup_procs || !s->layer_dir || !s->layer_lower) {
        worker_spec_free(s);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    *ret_spec = s;
    return 0;
}

int worker_join_cgroups(pid_t pid, char *const *procs, wc_error *err)
{
    char text[32];
    int n = snprintf(text, sizeof(text), "%d", (int)pid);
    for (size_t i = 0; procs[i]; i++) {
        int fd = open(procs[i], O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, text, (size_t)n) != n) {
            int e = errno;
            if (fd >= 0)
                close(fd);
            return wc_error_set_errno(err, -e, "cannot move worker %s into %s", text, procs[i]);
        }
        close(fd);
    }
    return 0;
}

/* ---- the child's steps ---- */

/* Default dispositions; only SIGHUP stays blocked: it asks for a log reopen
 * (worker_run.c handles it once the log is open), and one sent early must wait, not kill. */
static int step_default_signals(void)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGHUP);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    return sigprocmask(SIG_SETMASK, &mask, NULL);
}

static int step_join_netns(const worker_spec *s, wc_error *err)
{
    if (*s->netns == '\0')
        return 0;
    int fd = open(s->netns, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return wc_error_set_errno(err, -errno, "open the pod network namespace %s", s->netns);
    int rc = setns(fd, CLONE_NEWNET);
    int e = errno;
    close(fd);
    return rc < 0 ? wc_error_set_errno(err, -e, "join the pod network namespace") : 0;
}

/* Images without a rootfs: the writable directory now. An overlay waits for the
 * first write (layer.h). */
static int step_make_layer(const worker_spec *s, wc_error *err)
{
    if (*s->layer_dir == '\0' || *s->layer_lower != '\0')
        return 0;
    return layer_make(s->layer_dir, "", err);
}

/* The container's user, for every file the guest touches: fsuid, fsgid and the
 * supplementary groups (the kernel checks those). The real and effective ids stay
 * 0, with every capability gone for a non-root user (privileges.c): the worker
 * can then still open the node's CRI log as 0 (worker_run.c), and go back to the
 * user, which is its saved id. */
static int step_identity(const worker_spec *s, wc_error *err)
{
    const wc_user *u = &s->user;
    gid_t groups[WC_MAX_GROUPS];
    for (uint32_t i = 0; i < u->n_groups && i < WC_MAX_GROUPS; i++)
        groups[i] = u->groups[i];
    if (setgroups(u->n_groups, groups) < 0)
        return wc_error_set_errno(err, -errno, "set the supplementary groups");
    if (setresgid(0, 0, u->gid) < 0 || setresuid(0, 0, u->uid) < 0)
        return wc_error_set_errno(err, -errno, "run as %u:%u", u->uid, u->gid);
    setfsgid(u->gid);
    setfsuid(u->uid);
    if ((uid_t)setfsuid((uid_t)-1) != u->uid || (gid_t)setfsgid((gid_t)-1) != u->gid)
        return wc_error_set(err, -EPERM, "run as %u:%u: the file ids did not change", u->uid,
                            u->gid);
    return 0;
}

static void fail_result(worker_result *res, const wc_error *err)
{
    res->exit_code = 128;
    snprintf(res->reason, sizeof(res->reason), "Error");
    snprintf(res->message, sizeof(res->message), "worker set-up: %.200s", err->msg);
}

void worker_main(const worker_spec *spec, const wr_module *module, const worker_fds *fds)
{
    worker_result res;
    wc_error err = {0};
    memset(&res, 0, sizeof(res));
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_NAME, "wasmcri-worker");
    int rc = step_default_signals() < 0 ? wc_error_set_errno(&err, -errno, "signal mask") : 0;
    rc = rc ?: step_join_netns(spec, &err);
    rc = rc ?: step_make_layer(spec, &err);
    rc = rc ?: step_identity(spec, &err);
    rc = rc ?: worker_drop_privileges(spec->user.uid == 0, &err);
    if (rc < 0)
        fail_result(&res, &err);
    else
        wr_run(module, spec, fds, &res);
    if (write(fds->result, &res, sizeof(res)) != (ssize_t)sizeof(res))
        _exit(125);
    _exit(res.exit_code & 0xff);
}
