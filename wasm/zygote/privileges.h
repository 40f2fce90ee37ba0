/* What a worker gives up before it runs guest code: every capability but the few
 * a root container keeps for files (DAC override, fowner, chown), in the bounding
 * set too (a container that runs as another user keeps none); new privileges (no_new_privs); and,
 * through a seccomp filter, the system calls an interpreter never needs (mounts, namespaces,
 * modules, ptrace, bpf, keyrings, reboot...). The guest itself makes no system calls: this is
 * defence in depth around the interpreter and WASI.
 */
#ifndef WASMCRI_SANDBOX_PRIVILEGES_H
#define WASMCRI_SANDBOX_PRIVILEGES_H

#include <stdbool.h>

#include "error.h"

/* In the zygote, once: compiles the seccomp filter to BPF, so that each worker
 * only loads it (compiling costs ~0.3 ms, loading a few µs). */
int worker_privileges_prepare(wc_error *err);

/* In the worker, after it joined its namespaces and cgroups. root: the container
 * runs as uid 0 and keeps the file capabilities. */
int worker_drop_privileges(bool root, wc_error *err);

#endif
