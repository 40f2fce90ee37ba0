/* WASI preview1 for one wasm instance: the public API the runtime and `wasmcri run` use.
 *
 *   wasi_options opts = {.argv = ..., .env = ..., .mounts = &mounts, .stdin_fd = -1, ...};
 *   wasi_ctx *ctx;   wasi_ctx_create(&opts, &ctx, &err);      builds the fd table (0,1,2, sockets,
 *                                                             preopens)
 *   wasi_define_imports(linker, ctx, module, &err);            what module imports of
 *                                                             wasi_snapshot_preview1 +
 * wasi_unstable wasm_instantiate(...); wasm_call(inst, _start, ...);      a proc_exit ends it with
 * WASM_TRAP_EXIT code = wasi_ctx_exit_code(ctx);   wasi_ctx_destroy(ctx);    flushes a CRI log's
 * partial lines
 *
 * Ownership: wasi_ctx_create copies argv/env, dups every fd it is given (mount dirs, stdio,
 * sockets), and borrows opts->log (the caller closes it after wasi_ctx_destroy). The ctx must
 * outlive the linker it was defined into. One ctx per instance; one thread at a time.
 */
#ifndef WASMCRI_WASI_WASI_H
#define WASMCRI_WASI_WASI_H

#include <stddef.h>

#include "cri_log.h"
#include "error.h"
#include "mount.h"

typedef struct wasi_ctx wasi_ctx;
typedef struct wasm_linker wasm_linker;
typedef struct wasm_module wasm_module;

typedef struct wasi_options {
    const char *const *argv; /* argc entries; argv[0] is the program name the guest sees */
    size_t argc;
    const char *const *env;    /* NULL-terminated "KEY=VALUE" list; may be NULL */
    const wasi_mounts *mounts; /* preopens, fd 3 upwards in table order; may be NULL */
    int stdin_fd;              /* -1: /dev/null */
    int stdout_fd, stderr_fd;  /* used when log is NULL; -1: /dev/null */
    bool terminal;         /* the three are a terminal's (a character device to fd_fdstat_get) */
    cri_log *log;          /* when set, fds 1 and 2 write CRI records into it (borrowed) */
    const int *socket_fds; /* preopened sockets (e.g. listening): fd 3 upwards, then mounts */
    size_t socket_count;
    /* For lazy mounts: called before a path operation under one (create: it writes); gives
     * an open directory to use from then on, writable (*ret_fd, taken), or -EAGAIN when
     * there is none yet and create is false (the read-only one stays); another error
     * refuses a write. */
    int (*make_writable)(void *arg, bool create, int *ret_fd);
    void *make_writable_arg;
    /* The runtime's own imports (module "wasmcri", pod.c) for the toolbox's ps, top and kill:
     * the guest's pod's process table as text (pod_procs.h in wasm/zygote) into buf, at most
     * cap bytes (*ret_len), and a signal to one of the pod's processes; -errno on failure.
     * NULL (as under `wasmcri run`): the guest gets ENOSYS. */
    int (*pod_ps)(void *arg, char *buf, size_t cap, size_t *ret_len);
    int (*pod_kill)(void *arg, int pid, int signo);
    void *pod_arg;
} wasi_options;

int wasi_ctx_create(const wasi_options *opts, wasi_ctx **ret_ctx, wc_error *err);

/* Gives a ctx made ahead of its command (an instance made before the exec came: wasm/zygote's
 * ready workers) that command's argv, env, stdio (fds 0-2, as wasi_ctx_create sets them up) and
 * terminal; the rest of opts is not read. Only before any guest code ran with ctx. */
int wasi_ctx_set_command(wasi_ctx *ctx, const wasi_options *opts, wc_error *err);

/* Ends the guest's output: closes its fds 0-2 and flushes the log's partial lines (whoever
 * reads them sees their end now, before the rest is torn down). Accepts NULL. */
void wasi_ctx_end_output(wasi_ctx *ctx);

/* Closes every fd the ctx owns and flushes the log's partial lines. Accepts NULL. */
void wasi_ctx_destroy(wasi_ctx *ctx);
static inline void wasi_ctx_destroyp(wasi_ctx **ctx) /* for _cleanup_ */
{
    wasi_ctx_destroy(*ctx);
}

/* Defines the wasi_snapshot_preview1 functions (and the older wasi_unstable names, the WasmEdge
 * socket extension, the runtime's "wasmcri" calls) that module imports into linker, bound to ctx.
 * Once per ctx. */
int wasi_define_imports(wasm_linker *linker, wasi_ctx *ctx, const wasm_module *module,
                        wc_error *err);

/* The code given to proc_exit, or -1 while the guest has not called it. */
int wasi_ctx_exit_code(const wasi_ctx *ctx);

#endif
