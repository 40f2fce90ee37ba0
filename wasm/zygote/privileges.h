/* What a worker gives up before it runs guest code: root, for the container's user
 * (every id: real, effective, saved, file, and the groups); every capability but the few
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
#include "record.h"

/* In the zygote, once: drops from its own bounding set every capability no worker keeps (the
 * zygote executes no program: the set only passes to its workers, which then have few left to
 * drop), and compiles the seccomp filter to BPF, so that the forker only loads it (compiling
 * costs ~0.3 ms, loading 80-300 µs on a paravirtualised guest). */
int worker_privileges_prepare(wc_error *err);

/* In the spares' forker, as root, once (spare.h): sets no_new_privs and loads the filter, which
 * every spare it clones inherits, so that no spare and no worker loads one (the worker's set-up
 * may still join its pod's network namespace: privileges.c). Nothing happens when the zygote
 * compiled no filter or the load fails: each worker then loads it when it drops its privileges. */
void worker_privileges_forker(void);

/* In the worker, after it joined its namespaces and cgroups and opened what only
 * root may (the mounts' host sides, the node's CRI log). A user with uid 0 keeps the
 * file capabilities. Once per process: a later call does nothing (a worker kept ready for an
 * exec, worker.h, has dropped them before its exec comes). */
int worker_drop_privileges(const wc_user *user, wc_error *err);

#endif
