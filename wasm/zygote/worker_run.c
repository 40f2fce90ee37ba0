/* worker_run.h on wasm/engine + wasm/wasi: modules are compiled once in the
 * zygote (module_cache.h), or by the worker that runs them; a worker builds its WASI view and runs
 * `_start`, as a flat list of steps: mount table ("/" lazy until the first write) → CRI log
 * (reopened by a SIGHUP handler, for ReopenContainerLog) → WASI ctx (these as root) → the
 * container's user (privileges.h) → linker → instance (memory capped at the container's limit) →
 * `_start` → exit code, trap text, OOM. The steps are wasi_command_run's (wasm/wasi/command.c) with
 * the instance kept, because OOMKilled needs wasm_instance_hit_memory_cap.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "command.h"
#include "cri_log.h"
#include "layer.h"
#include "listeners.h"
#include "mount.h"
#include "privileges.h"
#include "wasi.h"
#include "wasm_engine.h"
#include "worker_run.h"
#include "zygote_proto.h"

struct wr_module {
    wasm_module *module;
    void *bytes; /* the file's mapping, when the module reads its bodies from it */
    size_t len;
};

int wr_module_decode_fd(int fd, const char *name, wr_load how, bool from_store,
                        wr_module **ret_module, wc_error *err)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return wc_error_set_errno(err, -errno, "cannot read the module %s", name);
    if (!S_ISREG(st.st_mode))
        return wc_error_set(err, -ENOEXEC, "%s is not a regular file", name);
    size_t len = (size_t)st.st_size;
    void *bytes = len >= 4 ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    if (bytes == MAP_FAILED || memcmp(bytes, "\0asm", 4) != 0) {
        if (bytes != MAP_FAILED)
            munmap(bytes, len);
        return wc_error_set(err, -ENOEXEC, "%s is not a WebAssembly module", name);
    }
    wr_module *m = calloc(1, sizeof(*m));
    wasm_limits lim = {.lazy_compile = how != WR_LOAD_EAGER,
                       .prevalidated = how == WR_LOAD_LAZY_VALIDATED,
                       .shared_code = how == WR_LOAD_EAGER};
    bool borrow = from_store && how != WR_LOAD_EAGER;
    int rc = m == NULL ? wc_error_set(err, -ENOMEM, "out of memory")
             : borrow  ? wasm_module_decode_borrowed(bytes, len, &lim, &m->module, err)
                       : wasm_module_decode(bytes, len, &lim, &m->module, err);
    if (rc == 0 && borrow)
        m->bytes = bytes, m->len = len;
    else
        munmap(bytes, len);
    if (rc < 0) {
        free(m);
        return rc == -EINVAL ? wc_error_wrap(err, "%s", name), -ENOEXEC : rc;
    }
    *ret_module = m;
    return 0;
}

int wr_module_prepare(wr_module *m, size_t max_bytes, const char *name, wc_error *err)
{
    int rc = wasm_module_prepare(m->module, max_bytes, err);
    return rc == -EINVAL ? wc_error_wrap(err, "%s", name), -ENOEXEC : rc;
}

int wr_module_load_fd(int fd, const char *name, wr_load how, bool from_store,
                      wr_module **ret_module, wc_error *err)
{
    wr_module *m = NULL;
    TRY(wr_module_decode_fd(fd, name, how, from_store, &m, err));
    int rc = wr_module_prepare(m, SIZE_MAX, name, err);
    if (rc < 0) {
        wr_module_free(m);
        return rc;
    }
    *ret_module = m;
    return 0;
}

bool wr_module_opens_sockets(const wr_module *m)
{
    for (uint32_t i = 0; i < wasm_module_import_count(m->module); i++) {
        const char *module, *name;
        wasm_extern_kind kind;
        if (wasm_module_import(m->module, i, &module, &name, &kind) == 0 &&
            kind == WASM_EXTERN_FUNC && strcmp(module, "wasi_snapshot_preview1") == 0 &&
            (strcmp(name, "sock_open") == 0 || strcmp(name, "sock_open_v2") == 0))
            return true;
    }
    return false;
}

size_t wr_module_mapped_bytes(const wr_module *m)
{
    return wasm_module_shared_code_bytes(m->module) + wasm_module_body_copy_bytes(m->module);
}

void wr_module_free(wr_module *m)
{
    if (m == NULL)
        return;
    wasm_module_free(m->module);
    if (m->bytes)
        munmap(m->bytes, m->len);
    free(m);
}

/* The worker's log, for the SIGHUP handler: ReopenContainerLog has the daemon open
 * the new file (the worker, as the container's user, may not create it in the node's
 * log directory) and the zygote keep it for this worker, then send SIGHUP; the handler asks
 * the zygote for it on the layer socket and takes it, so the worker needs no thread and the
 * zygote holds no descriptor per worker (layer.h). */
static cri_log *volatile reopen_target;
static int reopen_layer = -1;
static int reopen_reply[2] = {-1, -1}; /* the answers come on [0]; [1] goes with each ask */

/* The reopened log the zygote keeps for this worker, or -1. Async-signal-safe (no
 * allocation): {"op":"log"} with the reply pair's one end, then the status and the file on
 * the other (the zygote always answers: it never waits on a worker). */
static int take_reopened_log(void)
{
    static const char ask[] = "{\"op\":\"log\"}";
    if (zp_send_fd(reopen_layer, ask, sizeof(ask) - 1, reopen_reply[1], 0) < 0)
        return -1;
    int32_t status = -EIO;
    int fd = -1;
    if (zp_recv_fd(reopen_reply[0], &status, sizeof(status), &fd) != sizeof(status))
        status = -EIO;
    if (fd >= 0 && status != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void on_sighup(int sig)
{
    (void)sig;
    int saved = errno;
    int fd = reopen_target ? take_reopened_log() : -1;
    if (fd >= 0)
        cri_log_replace_fd(reopen_target, fd);
    errno = saved;
}

int wr_reopen_pair(void)
{
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, reopen_reply) < 0 ? -errno : 0;
}

/* SIGHUP is blocked from the fork on (worker.c): one sent early waits until now. The reply
 * pair is the spare's (wr_reopen_pair). */
static void handle_reopen(cri_log *log, int layer)
{
    reopen_layer = layer;
    reopen_target = log;
    struct sigaction sa = {.sa_handler = on_sighup, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void outcome(wasm_instance *inst, wasm_trap trap, worker_result *res)
{
    res->exit_code = 0;
    snprintf(res->reason, sizeof(res->reason), "Completed");
    if (trap == WASM_TRAP_EXIT)
        res->exit_code = wasm_instance_exit_code(inst);
    else if (trap != WASM_TRAP_NONE) {
        res->exit_code = WASI_TRAP_EXIT_CODE;
        snprintf(res->message, sizeof(res->message), "trap: %s", wasm_instance_trap_message(inst));
    }
    if (res->exit_code != 0)
        snprintf(res->reason, sizeof(res->reason), "Error");
    if (wasm_instance_hit_memory_cap(inst)) {
        res->oom = 1;
        snprintf(res->reason, sizeof(res->reason), "OOMKilled");
    }
}

/* ---- the writable layer, on the first write (layer.h) ---- */

/* The container's layer directory is reached from its parent (<root>/containers,
 * opened as root: the user may not search <root>), so the worker, as the user, can
 * still see whether the layer is mounted and open its root. */
typedef struct layer_hook {
    int parent_fd;           /* O_PATH of the layer directory's parent, or -1 (no overlay) */
    char name[NAME_MAX + 1]; /* the layer directory's name in it (a copy: a worker made at create
                              * frees the spec it opened its view with) */
    int zygote_sock;
} layer_hook;

static int layer_hook_open(const worker_spec *spec, int zygote_sock, layer_hook *h)
{
    *h = (layer_hook){.parent_fd = -1, .zygote_sock = zygote_sock};
    const char *slash = strrchr(spec->layer_dir, '/');
    if (*spec->layer_lower == '\0' || slash == NULL)
        return 0;
    char parent[4096];
    size_t len = (size_t)(slash - spec->layer_dir), name_len = strlen(slash + 1);
    if (len >= sizeof(parent) || name_len >= sizeof(h->name))
        return -ENAMETOOLONG;
    memcpy(h->name, slash + 1, name_len + 1);
    memcpy(parent, spec->layer_dir, len); /* no snprintf on the start's path (layer.c) */
    parent[len] = '\0';
    h->parent_fd = open(len ? parent : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return h->parent_fd < 0 ? -errno : 0;
}

/* Whether the container's layer is mounted: seen from its parent, opened for the hook (a short
 * walk where the whole path was walked again). */
static bool hook_layer_mounted(const layer_hook *h, const worker_spec *spec)
{
    return h->parent_fd >= 0 ? layer_mounted_at(h->parent_fd, h->name)
                             : layer_mounted(spec->layer_dir);
}

/* Sends msg (taken) with a pipe's write end to the zygote, which knows this worker by its pid
 * (layer.h), and reads its answer: 0 or -errno, then up to cap bytes of text into buf
 * (*ret_len; buf may be NULL). */
static int ask_zygote(int sock, json_t *msg, char *buf, size_t cap, size_t *ret_len)
{
    int p[2];
    if (sock < 0 || msg == NULL) {
        json_decref(msg);
        return sock < 0 ? -ENOTCONN : -ENOMEM;
    }
    if (pipe2(p, O_CLOEXEC) < 0) {
        json_decref(msg);
        return -errno;
    }
    int rc = zp_send(sock, msg, &p[1], 1, NULL);
    json_decref(msg);
    close(p[1]);
    int32_t status = -EIO;
    if (rc == 0 && read(p[0], &status, sizeof(status)) != (ssize_t)sizeof(status))
        status = -EIO;
    size_t len = 0;
    ssize_t n = 1;
    while (status == 0 && buf && len < cap && (n = read(p[0], buf + len, cap - len)) > 0)
        len += (size_t)n;
    close(p[0]);
    if (ret_len)
        *ret_len = len;
    return rc < 0 ? rc : status;
}

/* wasi_options.make_writable: the overlay's root once mounted (by us, or by the
 * zygote for an ExecSync). */
static int make_writable(void *arg, bool create, int *ret_fd)
{
    layer_hook *h = arg;
    if (h->parent_fd < 0)
        return -EROFS;
    if (!layer_mounted_at(h->parent_fd, h->name)) {
        if (!create)
            return -EAGAIN;
        int rc = ask_zygote(h->zygote_sock, json_pack("{s:s}", "op", "layer"), NULL, 0, NULL);
        if (rc < 0)
            return rc;
    }
    char root[4096 + 8];
    snprintf(root, sizeof(root), "%s/rootfs", h->name);
    int fd = openat(h->parent_fd, root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    *ret_fd = fd;
    return 0;
}

/* ---- the guest's pod: ps and kill (wasi_options.pod_ps, pod_kill) ---- */

/* At most one question to the zygote per POD_ASK_MS from a worker: a guest asking in a loop
 * is slowed down, not the zygote that every container of the node needs. */
#define POD_ASK_MS 10

static void pace_pod_asks(void)
{
    static struct timespec last;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ms = (now.tv_sec - last.tv_sec) * 1000LL + (now.tv_nsec - last.tv_nsec) / 1000000;
    if (last.tv_sec != 0 && ms >= 0 && ms < POD_ASK_MS) {
        struct timespec wait = {0, (POD_ASK_MS - ms) * 1000000L};
        nanosleep(&wait, NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
    }
    last = now;
}

static int pod_ps(void *arg, char *buf, size_t cap, size_t *ret_len)
{
    pace_pod_asks();
    return ask_zygote(((layer_hook *)arg)->zygote_sock, json_pack("{s:s}", "op", "ps"), buf, cap,
                      ret_len);
}

static int pod_kill(void *arg, int pid, int signo)
{
    pace_pod_asks();
    return ask_zygote(((layer_hook *)arg)->zygote_sock,
                      json_pack("{s:s, s:i, s:i}", "op", "kill", "pid", pid, "signal", signo), NULL,
                      0, NULL);
}

/* "/" is the image snapshot, read-only and lazy, until the layer exists. */
static int build_mounts(const worker_spec *spec, const layer_hook *hook, wasi_mounts *mounts,
                        wc_error *err)
{
    bool lazy = *spec->layer_lower && !hook_layer_mounted(hook, spec);
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const worker_mount *m = &spec->mounts[i];
        bool root = lazy && strcmp(m->guest, "/") == 0;
        int rc = wasi_mounts_add(mounts, root ? spec->layer_lower : m->host, m->guest,
                                 root || m->readonly, err);
        if (rc < 0)
            return wc_error_wrap(err, "mount %s", m->guest);
        mounts->items[mounts->count - 1].lazy = root;
    }
    return 0;
}

/* Still root: the mounts' host sides and the log, as kubelet set them up, and the
 * parent of the writable layer. */
static int open_as_root(const worker_spec *spec, const worker_fds *fds, wasi_mounts *mounts,
                        cri_log **log, layer_hook *hook, wc_error *err)
{
    int rc = layer_hook_open(spec, fds->layer, hook);
    if (rc < 0)
        return wc_error_set_errno(err, rc, "open the parent of %s", spec->layer_dir);
    TRY(build_mounts(spec, hook, mounts, err));
    if (*spec->log_path) {
        TRY(cri_log_open(spec->log_path, log, err));
        handle_reopen(*log, fds->layer);
    }
    return 0;
}

/* The WASI context (its preopens dup the mounts' host sides, opened as root as kubelet set them
 * up), the container's user (before any guest code runs), then the linker and the instance, its
 * segments applied. On failure the caller frees what was made. */
static int instantiate(const wasm_module *module, const wasi_options *opts, const worker_spec *spec,
                       wasi_ctx **ctx, wasm_linker **linker, wasm_instance **inst, wc_error *err)
{
    wasm_instance_opts iopts = {.max_memory_pages = spec->max_memory_pages};
    TRY(wasi_ctx_create(opts, ctx, err));
    TRY(worker_drop_privileges(&spec->user, err));
    TRY(wasm_linker_new(linker, err));
    TRY(wasi_define_imports(*linker, *ctx, module, err));
    return wasm_instantiate(module, *linker, &iopts, inst, err);
}

/* The view and, when it was made ahead for this module, its instance (wr_instantiate_ahead). */
struct wr_view {
    wasi_mounts mounts;
    cri_log *log;
    layer_hook hook;
    const wasm_module *made_for; /* the instance's module, or NULL */
    wasi_ctx *ctx;
    wasm_linker *linker;
    wasm_instance *inst;
};

static int run_command(const wasm_module *module, const wasi_options *opts, const worker_spec *spec,
                       const worker_fds *fds, wr_view *view, worker_result *res, wc_error *err)
{
    _cleanup_(wasi_ctx_destroyp) wasi_ctx *ctx = NULL;
    _cleanup_(wasm_linker_freep) wasm_linker *linker = NULL;
    _cleanup_(wasm_instance_freep) wasm_instance *inst = NULL;
    if (view && view->made_for == module) { /* made ahead: this exec's argv, env and stdio */
        ctx = take_ptr(view->ctx);
        linker = take_ptr(view->linker);
        inst = take_ptr(view->inst);
        view->made_for = NULL;
        TRY(wasi_ctx_set_command(ctx, opts, err));
    } else {
        TRY(instantiate(module, opts, spec, &ctx, &linker, &inst, err));
    }
    wasm_func *start = wasm_instance_export_func(inst, "_start");
    if (start == NULL)
        return wc_error_set(err, -ENOEXEC,
                            "the module exports no _start: it is not a WASI command");
    outcome(inst, wasm_call(inst, start, NULL, 0, NULL, 0), res);
    wasi_ctx_end_output(ctx); /* the guest's stdio closed (and log flushed): its output ends */
    worker_report(fds, res);  /* before the rest of its fds, the instance and the process */
    return 0;
}

/* The spec's command in view (NULL: an empty one), with no stdio, sockets or listeners yet. */
static wasi_options command_options(const worker_spec *spec, wr_view *view, wasi_mounts *mounts,
                                    cri_log *log)
{
    size_t argc = 0;
    while (spec->argv[argc])
        argc++;
    return (wasi_options){.argv = (const char *const *)spec->argv,
                          .argc = argc,
                          .env = (const char *const *)spec->env,
                          .mounts = mounts,
                          .stdin_fd = -1,
                          .terminal = spec->terminal,
                          .stdout_fd = -1,
                          .stderr_fd = -1,
                          .log = log,
                          .make_writable = make_writable,
                          .make_writable_arg = view ? &view->hook : NULL,
                          .pod_ps = pod_ps,
                          .pod_kill = pod_kill,
                          .pod_arg = view ? &view->hook : NULL};
}

int wr_instantiate_ahead(wr_view *view, const wr_module *m, const worker_spec *spec,
                         bool warm_whole, wc_error *err)
{
    if (wasm_module_has_start(m->module)) /* its start function is guest code */
        return 0;
    wasi_options opts = command_options(spec, view, &view->mounts, view->log);
    int rc = instantiate(m->module, &opts, spec, &view->ctx, &view->linker, &view->inst, err);
    if (rc == 0) {
        view->made_for = m->module;
        wasm_instance_warm(view->inst, warm_whole); /* on failure its call makes them */
    }
    return rc;
}

static void view_free(wr_view *v)
{
    if (v == NULL)
        return;
    wasm_instance_free(v->inst);
    wasm_linker_free(v->linker);
    wasi_ctx_destroy(v->ctx);
    reopen_target = NULL; /* a late SIGHUP must not reopen a closed log */
    cri_log_close(v->log);
    wasi_mounts_clear(&v->mounts);
    if (v->hook.parent_fd >= 0)
        close(v->hook.parent_fd);
    free(v);
}

int wr_open_view(const worker_spec *spec, const worker_fds *fds, wr_view **ret_view, wc_error *err)
{
    wr_view *v = calloc(1, sizeof(*v));
    if (v == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    v->hook.parent_fd = -1;
    int rc = open_as_root(spec, fds, &v->mounts, &v->log, &v->hook, err);
    if (rc < 0) {
        view_free(v);
        return rc;
    }
    *ret_view = v;
    return 0;
}

void wr_run(const wr_module *m, const worker_spec *spec, const worker_fds *fds, wr_view *view,
            worker_result *res)
{
    wc_error err = {0};
    int rc = view ? 0 : wr_open_view(spec, fds, &view, &err);
    wasi_mounts none = {0};
    wasi_mounts *mounts = view ? &view->mounts : &none;
    cri_log *log = view ? view->log : NULL;
    size_t nsock = 0;
    int *sockets = calloc(spec->n_listeners + 1, sizeof(int));
    for (size_t i = 0; sockets && fds->listen && i < spec->n_listeners; i++)
        if (fds->listen[i] >= 0)
            sockets[nsock++] = fds->listen[i];
    char **env = fds->listen
                     ? listeners_env(spec->env, spec->listeners, fds->listen, spec->n_listeners)
                     : NULL;
    bool made = sockets != NULL && (fds->listen == NULL || env != NULL);
    wasi_options opts = command_options(spec, view, mounts, log);
    if (env)
        opts.env = (const char *const *)env;
    opts.socket_fds = sockets;
    opts.socket_count = nsock;
    opts.stdin_fd = fds->in;
    opts.stdout_fd = fds->out;
    opts.stderr_fd = fds->err;
    if (rc == 0)
        rc = made ? run_command(m->module, &opts, spec, fds, view, res, &err)
                  : wc_error_set(&err, -ENOMEM, "out of memory");
    if (rc < 0) {
        res->exit_code = 128;
        snprintf(res->reason, sizeof(res->reason), "Error");
        snprintf(res->message, sizeof(res->message), "%.250s", err.msg);
        if (log)
            cri_log_write(log, CRI_LOG_STDERR, res->message, strlen(res->message), NULL),
                cri_log_write(log, CRI_LOG_STDERR, "\n", 1, NULL);
    }
    listeners_env_free(env, spec->env);
    free(sockets);
    view_free(view);
}
