/* A worker: the process the zygote forks for one started container (or one
 * ExecSync). It applies the container's view and runs the module's `_start`.
 *
 * worker_spec is what the daemon decides at CreateContainer and sends in the
 * zygote's start/exec request (JSON, worker_spec_encode/decode): the module file
 * and its cache key, argv, env, the mount table (guest path → host path, "/" first),
 * the CRI log path (or, for exec, the passed fds),
 * the pod netns file, the cgroup.procs files to join, the linear memory cap, and
 * the container's writable layer, which the worker makes (off the StartContainer
 * path: its mkdirs and overlay mount cost more than the rest of a start).
 *
 * The worker writes a worker_result on a pipe to the zygote before it exits, so
 * the zygote can report the trap text and OOM next to the exit code.
 */
#ifndef WASMCRI_SANDBOX_WORKER_H
#define WASMCRI_SANDBOX_WORKER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct worker_mount {
    char *guest, *host;
    bool readonly;
} worker_mount;

typedef struct worker_spec {
    char *id;
    char *module_path, *module_key;
    char **argv, **env;
    worker_mount *mounts;
    size_t n_mounts;
    char *log_path;            /* "" → the stdout/stderr fds given to worker_main */
    char *netns;               /* "" → the host's network */
    char **cgroup_procs;       /* cgroup.procs files to write the worker's pid into */
    uint32_t max_memory_pages; /* 0: no cap beyond the module's */
    char *layer_dir;   /* "" or the container's directory: made with upper/ in it */
    char *layer_lower; /* "" or the image snapshot: overlay of it and upper/ on rootfs/ */
} worker_spec;

typedef struct worker_result {
    int32_t exit_code;
    uint8_t oom;       /* the memory cap stopped a memory.grow */
    char reason[16];   /* "Completed" | "Error" | "OOMKilled" */
    char message[256]; /* the trap text, or "" */
} worker_result;

json_t *worker_spec_encode(const worker_spec *s); /* NULL on ENOMEM */
int worker_spec_decode(const json_t *o, worker_spec **ret_spec, wc_error *err);
void worker_spec_free(worker_spec *s); /* NULL is fine */

typedef struct wr_module wr_module;

/* In the freshly forked child: joins the netns and cgroups, makes the layer, drops privileges,
 * runs the module (worker_run.h) and exits with its code after writing the result
 * to result_fd. Never returns. stdout_fd/stderr_fd are used when log_path is "". */
void worker_main(const worker_spec *spec, const wr_module *module, int result_fd, int stdout_fd,
                 int stderr_fd) __attribute__((noreturn));

#endif
