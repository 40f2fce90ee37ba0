/* Worker processes (see worker.h): the spec's field table (to add a field: the member
 * in worker.h and one line in spec_fields; common/record_table.h) and the child's
 * set-up, as a flat list of steps (the zygote has put it in its cgroups; as a spare it set its
 * signals and its death with the zygote) → join the pod netns → the writable directory of an image
 * without a rootfs → run (worker_run.c opens what only root may, then becomes the container's user:
 * privileges.h) → report → exit. To add a step, write `static int step_x(const worker_spec *,
 * wc_error *)` and call it from worker_main in order.
 */
#include "worker.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "layer.h"
#include "listeners.h"
#include "prefault.h"
#include "privileges.h"
#include "record.h"
#include "record_table.h"
#include "worker_run.h"

static const wc_field mount_fields[] = {
    WC_F_STR(worker_mount, guest, "guest"),
    WC_F_STR(worker_mount, host, "host"),
    WC_F_BOOL(worker_mount, readonly, "ro"),
};
static const wc_record_desc mount_desc = WC_RECORD_DESC(worker_mount, mount_fields);

static const wc_field listener_fields[] = {
    WC_F_U32(worker_listener, port, "port"),
};
static const wc_record_desc listener_desc = WC_RECORD_DESC(worker_listener, listener_fields);

static const wc_field spec_fields[] = {
    WC_F_STR(worker_spec, id, "id"),
    WC_F_STR(worker_spec, module_name, "module_name"),
    WC_F_STR(worker_spec, module_key, "module_key"),
    WC_F_STRV(worker_spec, argv, "argv"),
    WC_F_STRV(worker_spec, env, "env"),
    WC_F_ARRAY(worker_spec, mounts, n_mounts, "mounts", &mount_desc),
    WC_F_STR(worker_spec, log_path, "log_path"),
    WC_F_STR(worker_spec, netns, "netns"),
    WC_F_STRV(worker_spec, cgroup_procs, "cgroup_procs"),
    WC_F_U32(worker_spec, max_memory_pages, "max_memory_pages"),
    WC_F_CUSTOM(worker_spec, user, "user", &wc_user_codec),
    WC_F_STR(worker_spec, layer_dir, "layer_dir"),
    WC_F_STR(worker_spec, layer_lower, "layer_lower"),
    WC_F_ARRAY(worker_spec, listeners, n_listeners, "listeners", &listener_desc),
    WC_F_BOOL(worker_spec, terminal, "terminal"),
    WC_F_STR(worker_spec, pod, "pod"),
    WC_F_STR(worker_spec, name, "name"),
    WC_F_BOOL(worker_spec, stdin_pipe, "stdin_pipe"),
    WC_F_STR(worker_spec, container, "container"),
};
static const wc_record_desc spec_desc = WC_RECORD_DESC(worker_spec, spec_fields);

void worker_spec_free(worker_spec *s)
{
    wc_record_free(&spec_desc, s);
}

void worker_spec_freep(worker_spec **s)
{
    worker_spec_free(*s);
}

static json_t *encode_with(const worker_spec *s,
                           int (*to_json)(const wc_record_desc *, const void *, json_t *))
{
    json_t *o = json_object();
    if (o != NULL && to_json(&spec_desc, s, o) < 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *worker_spec_encode(const worker_spec *s)
{
    return encode_with(s, wc_record_to_json);
}

json_t *worker_spec_encode_set(const worker_spec *s)
{
    return encode_with(s, wc_record_to_json_set);
}

int worker_spec_decode(const json_t *o, worker_spec **ret_spec, wc_error *err)
{
    if (!json_is_object(o))
        return wc_error_set(err, -EINVAL, "worker spec is not an object");
    worker_spec *s = wc_record_load(&spec_desc, o);
    if (s == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
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

int worker_default_signals(void)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGHUP);
    for (size_t i = 0; i < sizeof(zygote_ignored) / sizeof(zygote_ignored[0]); i++)
        signal(zygote_ignored[i], SIG_DFL);
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

static void fail_result(worker_result *res, const wc_error *err)
{
    res->exit_code = 128;
    snprintf(res->reason, sizeof(res->reason), "Error");
    snprintf(res->message, sizeof(res->message), "worker set-up: %.200s", err->msg);
}

/* The steps before the module runs (the spare set the signals: worker_default_signals): the
 * pod's netns, the listening sockets (unless the module opens its own), the writable layer. */
static int prepare_worker(const worker_spec *spec, const wr_module *module, int *listen,
                          wc_error *err)
{
    TRY(step_join_netns(spec, err));
    if (listen == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    size_t n_listen = module == NULL || wr_module_opens_sockets(module) ? 0 : spec->n_listeners;
    for (size_t i = n_listen; i < spec->n_listeners; i++)
        listen[i] = -1;
    TRY(listeners_open(spec->listeners, n_listen, listen, err));
    return step_make_layer(spec, err);
}

/* An exec's guest runs deeper on the native stack than the set-up: how much of it a ready
 * worker faults in ahead (a probe's sh -c "cat FILE" used 4 pages more). */
#define STACK_WARM_BYTES (32 << 10)

struct worker_prepared {
    wr_view *view;
};

worker_prepared *worker_prepare(const worker_spec *setup, const wr_module *module,
                                const worker_fds *fds, bool exec)
{
    prctl(PR_SET_NAME, "wasmcri-ready");
    worker_prepared *p = calloc(1, sizeof(*p));
    int none = -1;
    if (p == NULL || setup->n_listeners != 0 || prepare_worker(setup, NULL, &none, NULL) < 0 ||
        wr_open_view(setup, fds, &p->view, NULL) < 0 ||
        worker_drop_privileges(&setup->user, NULL) < 0) {
        free(p); /* the exec does it all again, and says what failed */
        return NULL;
    }
    if (module) /* the last exec's module: most likely the next one's too (a probe's) */
        wr_instantiate_ahead(p->view, module, setup, exec, NULL);
    if (exec) /* a container's guest keeps only what it touches: the spare's stack is enough */
        prefault_stack(STACK_WARM_BYTES);
    return p;
}

void worker_main(const worker_spec *spec, const wr_module *module, const worker_fds *fds,
                 worker_prepared *prepared)
{
    worker_result res;
    wc_error err = {0};
    memset(&res, 0, sizeof(res));
    prctl(PR_SET_NAME, "wasmcri-worker"); /* its parent-death signal is the spare's */
    worker_fds with_listeners = *fds;
    int *listen = calloc(spec->n_listeners + 1, sizeof(int));
    with_listeners.listen = listen;
    if (prepared == NULL && prepare_worker(spec, module, listen, &err) < 0)
        fail_result(&res, &err);
    else
        wr_run(module, spec, &with_listeners, prepared ? prepared->view : NULL, &res);
    free(prepared);
    worker_report(fds, &res);
    _exit(res.exit_code & 0xff);
}

void worker_report(const worker_fds *fds, const worker_result *res)
{
    static bool reported;
    if (reported)
        return;
    reported = true;
    /* the zygote's first: when the daemon has the result, a ps asked of the zygote sees it */
    if (layer_send_exit(fds->layer, res) < 0)
        _exit(125);
    int stdio[3] = {fds->in, fds->out, fds->err};
    for (size_t i = 0; i < 3; i++) /* an exec's output ends now, not when the exit is done, */
        if (stdio[i] >= 0)         /* right before its status: one wake-up for the daemon */
            close(stdio[i]);
    if (fds->status >= 0 && write(fds->status, res, sizeof(*res)) < 0)
        _exit(125);
}
