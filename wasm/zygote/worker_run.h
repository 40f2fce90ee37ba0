/* What a worker runs: a loaded module (kept by the zygote, shared with workers by
 * fork's copy-on-write) and one run of its `_start` under WASI.
 * worker_run.c implements this on wasm/engine + wasm/wasi.
 */
#ifndef WASMCRI_SANDBOX_WORKER_RUN_H
#define WASMCRI_SANDBOX_WORKER_RUN_H

#include <stdbool.h>

#include "error.h"
#include "worker.h"

/* Reads and compiles the module open on fd (borrowed; the daemon opened it inside the
 * container's view), in the zygote or in the worker that runs it; name (the guest path)
 * is for messages. Lazy: compiled a function at a time on its first call (a worker's
 * own compile: it runs a few of them). Never reads anything but a regular
 * file. -ENOEXEC: not a valid wasm module. */
typedef enum wr_load {
    WR_LOAD_EAGER,          /* every function compiled now */
    WR_LOAD_LAZY,           /* validated now, each function compiled on its first call */
    WR_LOAD_LAZY_VALIDATED, /* the zygote validated these bytes (same key) at create: lazy,
                             * without validating again (wasm_limits.prevalidated) */
} wr_load;
/* from_store: the file is the store's (its key a content digest), which never changes: a lazy
 * module reads its function bodies from the file's mapping instead of copying them (a worker's
 * start of a 21 MB module the zygote does not hold: 23-30 ms of CPU and 6,300 page faults in the
 * decode before, 8-9.5 ms and 1,200 now). */
int wr_module_load_fd(int fd, const char *name, wr_load how, bool from_store,
                      wr_module **ret_module, wc_error *err);

/* wr_module_load_fd in steps (the zygote's background compile, compile_jobs.h): decode
 * reads the file and checks its sections, prepare validates and compiles about max_bytes of
 * function bodies: 1 while some remain, 0 when the module can run, -ENOEXEC: invalid. */
int wr_module_decode_fd(int fd, const char *name, wr_load how, bool from_store,
                        wr_module **ret_module, wc_error *err);
int wr_module_prepare(wr_module *m, size_t max_bytes, const char *name, wc_error *err);
void wr_module_free(wr_module *m); /* NULL is fine */
/* Bytes of it outside the heap: its compiled code (WR_LOAD_EAGER puts it in shared mappings, which
 * a fork copies no page table entry of, so a worker forked holding it starts without that cost)
 * and a lazy module's copy of its function bodies. A store's file it reads its bodies from is page
 * cache, not counted. */
size_t wr_module_mapped_bytes(const wr_module *m);

/* Whether the module imports the socket extension's sock_open (or sock_open_v2): such a program
 * opens its own sockets, so it gets no pre-opened listeners (they would hold its ports). */
bool wr_module_opens_sockets(const wr_module *m);

/* The socket pair on which a worker takes its reopened log (ReopenContainerLog), made by its
 * spare before it is ready (a worker may make none: privileges.h). 0 or -errno. */
int wr_reopen_pair(void);

/* What a worker opens as root for its guest: the mounts' host sides, the CRI log (at
 * spec->log_path, reopened on a SIGHUP) and the parent of its writable layer. */
typedef struct wr_view wr_view;
int wr_open_view(const worker_spec *spec, const worker_fds *fds, wr_view **ret_view, wc_error *err);

/* In a worker kept ready (worker.h: an exec's, or a container's made at create), once its view
 * is open and its ids dropped: the WASI context, linker and instance of m, made now (its data
 * segments applied; warm_whole: its memory and code faulted in too: wasm_instance_warm); wr_run
 * of m in view then gives them the exec's argv, env and stdio and calls `_start`. Nothing is
 * made for a module with a start function (guest code, which must not run before the exec or
 * start). On failure view keeps what was made until it is freed (wr_run then makes its own). */
int wr_instantiate_ahead(wr_view *view, const wr_module *m, const worker_spec *spec,
                         bool warm_whole, wc_error *err);

/* Runs `_start` with the spec's args, env and mounts in view (taken; NULL: opened now);
 * stdout/stderr go to the CRI log at spec->log_path, or to fds->out and fds->err. A "/" whose
 * writable layer is not made yet is the image snapshot, read-only until the guest first writes
 * under it: then the zygote is asked (on fds->layer) for the layer. Fills res (exit code,
 * reason, trap text). */
void wr_run(const wr_module *m, const worker_spec *spec, const worker_fds *fds, wr_view *view,
            worker_result *res);

#endif
