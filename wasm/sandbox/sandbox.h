/* wc_sandbox: the runtime's pods and containers, the only state behind the CRI
 * RuntimeService's pod and container rpcs.
 *
 * Records live in memory and in the store (kv keys "pod/<id>", "ctr/<id>"); each
 * change is written to the store before the call returns. Every call is
 * thread-safe (one mutex; nothing slow runs under it but netns creation: CNI
 * plugins run without it).
 * Ids are 64 hex digits; calls taking an id also accept a unique prefix.
 * Getters return deep copies the caller owns.
 */
#ifndef WASMCRI_SANDBOX_SANDBOX_H
#define WASMCRI_SANDBOX_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "container.h"
#include "error.h"
#include "events.h"
#include "pod.h"
#include "store.h"
#include "zygote_client.h"

typedef struct wc_sandbox wc_sandbox;

/* Opens the registry: creates <root>/containers, <state>/pods and <state>/netns,
 * loads the records. cgroup_driver ("cgroupfs" | "systemd") says how kubelet names
 * pods' cgroup_parent. store is borrowed and must outlive the sandbox. */
int wc_sandbox_open(const char *root_dir, const char *state_dir, const char *cgroup_driver,
                    wc_store *store, wc_sandbox **ret_sb, wc_error *err);
void wc_sandbox_close(wc_sandbox *sb); /* NULL is fine; running workers keep running */

/* Whether a command (container command, ExecSync) that is no wasm module in the view and names an
 * applet runs the built-in toolbox.wasm (wasm/toolbox/toolbox_module.h; config key toolbox, true
 * by default). Call before serving. */
void wc_sandbox_set_toolbox(wc_sandbox *sb, bool on);

/* How long (ms) the zygote keeps a worker ready for a container's next exec after an exec of it
 * (wasm/zygote/ready.h; config key exec_ready_ms; 0: none). Call before serving. */
void wc_sandbox_set_exec_ready(wc_sandbox *sb, int ms);

/* Hands the zygote connection to the sandbox (it takes zc and closes it in
 * wc_sandbox_close): exits start to flow, and containers recorded as running
 * whose worker the zygote does not know are marked exited. */
int wc_sandbox_attach_zygote(wc_sandbox *sb, zc_client *zc, wc_error *err);

/* Gives pods that do not use the host network an IP from the node's CNI network:
 * the first config in conf_dir (read at each RunPodSandbox), plugins from bin_dirs
 * (n of them), each call killed after timeout_s. Without this call, or while
 * conf_dir holds no config, such pods have loopback only. Call before serving. */
int wc_sandbox_set_cni(wc_sandbox *sb, const char *conf_dir, char *const *bin_dirs, size_t n,
                       int timeout_s, wc_error *err);

/* What the metrics endpoint shows of the current state: pods and containers by state and
 * the zygote's compiled-module cache (cache_known false when the zygote did not answer). */
typedef struct wc_sandbox_gauges {
    size_t pods[2];       /* by wc_pod_state */
    size_t containers[4]; /* by wc_ctr_state */
    bool cache_known;
    uint64_t cache_bytes, cache_entries;
    uint64_t background_compiles; /* modules the zygote compiled off the start path */
    uint64_t start_compiles;      /* container starts that compiled their module */
} wc_sandbox_gauges;

void wc_sandbox_gauges_read(wc_sandbox *sb, wc_sandbox_gauges *g);

/* True while the zygote answers (containers can start); else reason (n bytes) says why. */
bool wc_sandbox_runtime_ready(wc_sandbox *sb, char *reason, size_t n);

/* After a pull: the module a container of image (a stored image's id or reference) runs by
 * default is compiled by the zygote in the background of its loop, and this waits for it
 * (module_prefetch.c). Errors (nothing wasm to run, an invalid module, no zygote) leave it to
 * CreateContainer, which compiles it then: an invalid module fails that create, not the pull. */
int wc_sandbox_prefetch_module(wc_sandbox *sb, const char *image, wc_error *err);

/* ---- pods ---- */

/* -EEXIST when a pod with the same name, namespace, uid and attempt exists. */
int wc_pod_run(wc_sandbox *sb, const wc_pod_spec *spec, char ret_id[WC_ID_SIZE], wc_error *err);
/* Stops the pod's containers, runs CNI DEL, releases its network namespace, marks
 * it NOTREADY. Idempotent; an unknown id (a removed pod: nothing left to reclaim)
 * is success, as the CRI asks. */
int wc_pod_stop(wc_sandbox *sb, const char *id, wc_error *err);
/* Stops and removes the pod's containers, then the pod. An unknown id is success. */
int wc_pod_remove(wc_sandbox *sb, const char *id, wc_error *err);
int wc_pod_get(wc_sandbox *sb, const char *id, wc_pod **ret_pod, wc_error *err);
/* UpdatePodSandboxResources: records the pod's new total limits and overhead and applies
 * their sum to the pod's cgroup (kubelet's, from cgroup_parent; nothing without one).
 * -EINVAL for a negative value, -ENOENT for an unknown pod. */
int wc_pod_update_resources(wc_sandbox *sb, const char *id, const wc_resources *res,
                            const wc_resources *overhead, wc_error *err);

typedef struct wc_pod_filter {
    const char *id;      /* NULL or "": any; else the id or a prefix of it */
    int state;           /* -1: any; else a wc_pod_state */
    char *const *labels; /* NULL or k,v pairs that must all match */
} wc_pod_filter;

/* *ret_pods: an array of n copies, free with wc_pod_list_free. */
int wc_pod_list(wc_sandbox *sb, const wc_pod_filter *f, wc_pod ***ret_pods, size_t *ret_n,
                wc_error *err);

/* Calls fn for each pod matching f, under the sandbox's lock (for a few pods: a list of
 * them all is a walk, below). fn must be quick and must not call back into the sandbox; a
 * negative return stops the walk and is returned. */
typedef int (*wc_pod_fn)(void *ctx, const wc_pod *p);
int wc_pod_each(wc_sandbox *sb, const wc_pod_filter *f, wc_pod_fn fn, void *ctx);

/* ---- stats ---- */

/* The least time between two samples of the stats sampler (stats_sampler.c). */
#define WC_STATS_PERIOD_MS 1000

/* Starts the stats sampler: every container's usage (wc_container.usage) and every pod's
 * interface counters (wc_pod.net) are read again each period, for the list stats rpcs to
 * answer from. Stopped by wc_sandbox_close. */
int wc_sandbox_start_stats(wc_sandbox *sb, wc_error *err);

/* ---- containers ---- */

/* -EEXIST for a second (pod, name, attempt); -ENOENT for an unknown pod or image;
 * -ENOEXEC when the image has nothing wasm to run. */
int wc_container_create(wc_sandbox *sb, const wc_container_spec *spec, char ret_id[WC_ID_SIZE],
                        wc_error *err);
/* -EBUSY unless the container is CREATED. */
int wc_container_start(wc_sandbox *sb, const char *id, wc_error *err);
/* Ends the worker at once (a wasm guest has no signal handlers) and waits for its
 * exit to be recorded. Idempotent; an unknown id (removed) is success. */
int wc_container_stop(wc_sandbox *sb, const char *id, wc_error *err);
/* StopContainer: with timeout_s > 0, a graceful stop with the container's stop signal
 * (stop_signal.h says what that does to a guest); with 0, wc_container_stop. */
int wc_container_stop_graceful(wc_sandbox *sb, const char *id, int64_t timeout_s, wc_error *err);
/* Stops, then removes the record, the writable layer and the rootfs. An unknown id is success. */
int wc_container_remove(wc_sandbox *sb, const char *id, wc_error *err);
int wc_container_get(wc_sandbox *sb, const char *id, wc_container **ret_ctr, wc_error *err);

typedef struct wc_container_filter {
    const char *id, *pod_id; /* NULL or "": any; else an id or a prefix */
    int state;               /* -1: any; else a wc_ctr_state */
    char *const *labels;     /* NULL or k,v pairs that must all match */
} wc_container_filter;

int wc_container_list(wc_sandbox *sb, const wc_container_filter *f, wc_container ***ret_ctrs,
                      size_t *ret_n, wc_error *err);

/* As wc_pod_each, for containers; a whole pod id in f visits that pod's containers only. */
typedef int (*wc_container_fn)(void *ctx, const wc_container *c);
int wc_container_each(wc_sandbox *sb, const wc_container_filter *f, wc_container_fn fn, void *ctx);
/* fn for the one container id names (an id or a unique prefix), under the lock; -ENOENT
 * when there is none, else fn's result. */
int wc_container_with(wc_sandbox *sb, const char *id, wc_container_fn fn, void *ctx, wc_error *err);

/* ---- walks, for the list rpcs (record_walk.c) ---- */

/* A container as a walk sees it: the record, of which a walk reads only what never
 * changes once it is published (ids, name, attempt, image, image_ref, labels, annotations,
 * dir, created_at), and the parts that change as they were when the walk noted it. */
typedef struct wc_ctr_seen {
    const wc_container *c;
    wc_ctr_state state;
    wc_usage usage;
} wc_ctr_seen;

/* A pod as a walk sees it, likewise: its state, its interfaces' last reading (net.items
 * belong to the walk) and, when asked for, its containers. */
typedef struct wc_pod_seen {
    const wc_pod *p;
    wc_pod_state state;
    wc_net_ifaces net;
    int64_t net_at;
    const wc_ctr_seen *ctrs;
    size_t n_ctrs;
} wc_pod_seen;

/* Calls fn for each container matching f (a whole pod id in f: that pod's containers
 * only), as the records were when the walk began, WITHOUT the sandbox's lock: it is held
 * only to note them, so a list of 10,000 holds no create or start for the time it takes
 * to pack (issue 18). A record removed meanwhile stays readable until the walk ends. A
 * negative return of fn stops the walk and is returned; -ENOMEM. */
typedef int (*wc_ctr_seen_fn)(void *ctx, const wc_ctr_seen *s);
int wc_container_walk(wc_sandbox *sb, const wc_container_filter *f, wc_ctr_seen_fn fn, void *ctx);
/* As wc_container_walk, for pods (with their containers when with_ctrs). */
typedef int (*wc_pod_seen_fn)(void *ctx, const wc_pod_seen *s);
int wc_pod_walk(wc_sandbox *sb, const wc_pod_filter *f, bool with_ctrs, wc_pod_seen_fn fn,
                void *ctx);
/* fn for the one pod id names (an id or a unique prefix) with its containers, under the
 * lock; -ENOENT when there is none, else fn's result. */
int wc_pod_with_ctrs(wc_sandbox *sb, const char *id, wc_pod_seen_fn fn, void *ctx, wc_error *err);

/* The worker reopens its CRI log file (kubelet renamed the old one); returns once
 * the new file exists. -EBUSY unless the container runs. */
int wc_container_reopen_log(wc_sandbox *sb, const char *id, wc_error *err);

/* ---- attach (container_attach.c) ---- */

/* A copy of the write end of the stdin pipe of a running container created with stdin (the
 * zygote keeps the pipe open: the guest reads EOF only after wc_container_close_stdin and once
 * every copy is closed). *ret_fd is the caller's, non-blocking. -EPIPE once it was closed,
 * -EINVAL for a container created without stdin, -EBUSY unless it runs. */
int wc_container_stdin(wc_sandbox *sb, const char *id, int *ret_fd, wc_error *err);
/* stdin_once: the zygote closes its write end. A container that is gone is fine. */
int wc_container_close_stdin(wc_sandbox *sb, const char *id, wc_error *err);
/* A tty container's new size, seen by the guest in /run/wasmcri/tty. -EINVAL without a tty. */
int wc_container_resize(wc_sandbox *sb, const char *id, unsigned cols, unsigned rows,
                        wc_error *err);

/* Records new resource limits; a running container's cgroup gets the memory limit
 * at once (later growth is capped). -EBUSY for an exited container. */
int wc_container_update(wc_sandbox *sb, const char *id, const wc_resources *res, wc_error *err);

/* ---- events ---- */

/* A new subscriber receives every container event from now on. -ENOMEM. */
int wc_events_subscribe(wc_sandbox *sb, wc_event_sub **ret_sub);
/* The next event: 1 with *ret_ev set (the caller frees ret_ev->ctr), 0 when
 * timeout_ms passed without one. */
int wc_events_next(wc_sandbox *sb, wc_event_sub *sub, wc_event *ret_ev, int timeout_ms);
void wc_events_unsubscribe(wc_sandbox *sb, wc_event_sub *sub); /* NULL is fine */

/* ---- exec ---- */

typedef struct wc_exec_result {
    int exit_code;
    char *out, *err; /* malloc'd, NUL-terminated; the caller frees */
    size_t out_len, err_len;
} wc_exec_result;

/* Runs cmd[0], a .wasm file in the container's view, as a fresh instance with the
 * container's env and mounts; collects stdout and stderr. timeout_s > 0 ends it
 * after that many seconds (-ETIMEDOUT). A cmd that is not wasm is exit code 126
 * with a line on stderr, not an error. -EBUSY unless the container runs. */
int wc_container_exec(wc_sandbox *sb, const char *id, char *const *cmd, int64_t timeout_s,
                      wc_exec_result *res, wc_error *err);

/* An exec with live stdio (the streaming server's Exec): the worker runs cmd as
 * wc_container_exec does; the session holds the daemon's ends of its pipes. */
typedef struct wc_exec_session wc_exec_session;

typedef struct wc_exec_io {
    bool in;             /* the guest gets a stdin pipe (else /dev/null) */
    bool tty;            /* stderr goes to stdout; TERM, COLUMNS and LINES are set, and the
                          * size is in the guest's /run/wasmcri/tty (terminal.c) */
    unsigned cols, rows; /* the terminal's size (0: 80x24) */
} wc_exec_io;

/* Starts the worker. A cmd that is not wasm is a session whose stderr says so and
 * whose exit code is 126. -EBUSY unless the container runs. */
int wc_exec_start(wc_sandbox *sb, const char *id, char *const *cmd, const wc_exec_io *io,
                  wc_exec_session **ret_session, wc_error *err);
int wc_exec_stdin(const wc_exec_session *s);  /* write end, -1 without stdin or once closed */
int wc_exec_stdout(const wc_exec_session *s); /* read end: EOF once the guest has exited */
int wc_exec_stderr(const wc_exec_session *s); /* read end; -1 with a tty */
void wc_exec_close_stdin(wc_exec_session *s); /* the guest reads EOF */
/* A tty's new size, seen by the guest in /run/wasmcri/tty. -EINVAL without a tty. */
int wc_exec_resize(wc_exec_session *s, unsigned cols, unsigned rows, wc_error *err);
void wc_exec_kill(wc_sandbox *sb, wc_exec_session *s);
int wc_exec_wait(wc_sandbox *sb, wc_exec_session *s); /* blocks until the exit; its code */
/* Kills a worker still running, waits for it and closes the pipes. NULL is fine. */
void wc_exec_free(wc_sandbox *sb, wc_exec_session *s);

#endif
