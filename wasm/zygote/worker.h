/* A worker: the process the zygote forks for one started container (or one
 * ExecSync). It applies the container's view and runs the module's `_start`.
 *
 * worker_spec is what the daemon decides at CreateContainer and sends in the
 * zygote's start/exec request (JSON, worker_spec_encode/decode): the module's name
 * and cache key (the module itself comes as a descriptor: zygote_proto.h), argv, env, the mount
 * table (guest path → host path, "/" first), the CRI log path (or, for exec, the passed fds), the
 * pod netns file, the cgroup.procs files the zygote puts the worker in, the linear memory cap, and
 * the container's writable layer, which the worker makes (off the StartContainer
 * path: its mkdirs and overlay mount cost more than the rest of a start).
 *
 * The worker sends a worker_result on the layer socket to the zygote before it exits
 * (layer_send_exit), so the zygote can report the trap text and OOM next to the exit code; an
 * exec's worker then also writes it to its status pipe, so that the daemon has it before the
 * worker has been torn down and reaped.
 */
#ifndef WASMCRI_SANDBOX_WORKER_H
#define WASMCRI_SANDBOX_WORKER_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "record.h"

typedef struct worker_mount {
    char *guest, *host;
    bool readonly;
} worker_mount;

/* A TCP port of the pod that the worker listens on for the guest (listeners.h). */
typedef struct worker_listener {
    uint32_t port;
} worker_listener;

typedef struct worker_spec {
    char *id;
    char *module_name; /* the program as the guest names it (for messages) */
    char *module_key;  /* the zygote's cache key */
    char **argv, **env;
    worker_mount *mounts;
    size_t n_mounts;
    char *log_path;             /* "" → the stdout/stderr fds given to worker_main */
    char *netns;                /* "" → the host's network */
    char **cgroup_procs;        /* cgroup.procs files the zygote writes the worker's pid into */
    uint32_t max_memory_pages;  /* 0: no cap beyond the module's */
    wc_user user;               /* file access as this uid, gid and groups */
    char *layer_dir;            /* "" or the container's directory (layer.h) */
    char *layer_lower;          /* "" (an image without a rootfs: layer_dir/upper is "/", made at
                                 * start) or the image snapshot: "/" until the first write, then
                                 * the overlay the zygote mounts when the worker asks (layer.h) */
    worker_listener *listeners; /* the pod's TCP ports, pre-opened at fd 3 upwards */
    size_t n_listeners;
    bool terminal;   /* an exec or container with a tty: its stdio is a terminal to the guest
                      * (isatty); a container's stderr goes to its log as stdout */
    bool stdin_pipe; /* a container with stdin: its stdin is a pipe the zygote keeps open */
    char *pod;       /* the pod's id: a guest's ps and kill see the workers of its pod only */
    char *container; /* the container's id (an exec's container; a start's is its id) */
    char *name;      /* the container's name, for the pod's process table (pod_procs.h) */
} worker_spec;

typedef struct worker_result {
    int32_t exit_code;
    uint8_t oom;       /* the memory cap stopped a memory.grow */
    char reason[16];   /* "Completed" | "Error" | "OOMKilled" */
    char message[256]; /* the trap text, or "" */
} worker_result;

json_t *worker_spec_encode(const worker_spec *s); /* NULL on ENOMEM */
/* The same without the fields at their default, which decode gives back: a start's smaller
 * request. Not for an exec: a ready worker (ready.h) takes the per-exec fields an exec sends. */
json_t *worker_spec_encode_set(const worker_spec *s);
int worker_spec_decode(const json_t *o, worker_spec **ret_spec, wc_error *err);
void worker_spec_free(worker_spec *s);   /* NULL is fine */
void worker_spec_freep(worker_spec **s); /* for _cleanup_ */

typedef struct wr_module wr_module;

/* The signals the zygote ignores; every other one has its default action there (zygote.c's
 * setup), so a worker sets only these back to their default. */
static const int zygote_ignored[] = {SIGPIPE, SIGINT, SIGHUP};

/* Writes pid into each cgroup.procs file of procs (NULL-terminated): the zygote
 * for a new worker, the daemon when a running one gets a group of its own. */
int worker_join_cgroups(pid_t pid, char *const *procs, wc_error *err);

/* The descriptors a worker gets from the zygote. */
typedef struct worker_fds {
    int in;            /* an exec's stdin when it has one, else -1 (/dev/null) */
    int out, err;      /* an exec's output (log_path ""), else -1 */
    int status;        /* an exec's status pipe: its worker_result as soon as the guest ended */
    int layer;         /* the zygote's layer socket: the writable layer, a reopened log, the
                        * exit result (layer.h) */
    const int *listen; /* set by the worker: spec->listeners' sockets, -1 for a port not opened */
} worker_fds;

/* Default dispositions (the zygote's are, but for zygote_ignored: three calls, not 64); only
 * SIGHUP stays blocked: it asks for a log reopen (worker_run.c handles it once the log is
 * open), and one sent early must wait, not kill. A spare's, before it says it is ready: off the
 * start's path. */
int worker_default_signals(void);

/* An exec's or a start's set-up done ahead, in a worker the zygote keeps ready for its
 * container (ready.h: exec, or made at CreateContainer): the pod's netns, the view opened as
 * root (wr_open_view), then the container's user, capabilities and seccomp filter
 * (worker_drop_privileges), and an instance of module (the last exec's, or the container's, when
 * the worker holds it: wr_instantiate_ahead; an exec's with its memory and more native stack
 * faulted in); the exec or start then only gives it its argv, env and stdio. setup is a spec
 * without listeners. NULL when a step failed: the exec or start then does every step itself (a
 * failure once the ids changed ends the worker: the zygote forgets it), and says what failed. */
typedef struct worker_prepared worker_prepared;
worker_prepared *worker_prepare(const worker_spec *setup, const wr_module *module,
                                const worker_fds *fds, bool exec);

/* In the worker, once in its cgroups: joins the netns, drops privileges, runs
 * the module (worker_run.h) and exits with its code after sending the result on
 * fds->layer (prepared, taken: what worker_prepare did of it for the same set-up, or NULL).
 * Never returns. */
void worker_main(const worker_spec *spec, const wr_module *module, const worker_fds *fds,
                 worker_prepared *prepared) __attribute__((noreturn));

/* The guest has ended: its stdio is closed and res goes to the zygote and to an exec's status
 * pipe, before the worker is torn down (once: worker_main's own call then does nothing). */
void worker_report(const worker_fds *fds, const worker_result *res);

#endif
