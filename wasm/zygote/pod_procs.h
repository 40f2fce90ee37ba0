/* What the zygote keeps of each worker so that a guest can see and signal its own pod's
 * processes (the toolbox's ps, top and kill, through the "wasmcri" imports: wasm/wasi/wasi.h):
 * the pod, the container's name, the command, the user and the start time. The zygote knows
 * every running worker, so the table is read when a guest asks and nothing is written when a
 * container or exec starts or ends.
 *
 * The table's text, one line per process after a header line:
 *   "PID UID STATE CPU_MS RSS_KB STARTED KIND NAME COMMAND..."
 * PID the host's, STATE/CPU/RSS from /proc/PID/stat and statm, STARTED in Unix seconds, KIND
 * ctr|exec, COMMAND the argv joined by spaces; containers first, then execs, each by start. */
#ifndef WASMCRI_ZYGOTE_POD_PROCS_H
#define WASMCRI_ZYGOTE_POD_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "worker.h"

/* The most a table may hold: a reply is one pipe's worth (the zygote never waits on it). */
#define POD_PROCS_MAX_TEXT 60000

typedef struct pod_proc {
    pid_t pid;
    bool exec;
    uint32_t uid;
    int64_t started_ns;
    const char *pod, *name, *command; /* the worker table's (worker_table.h) */
} pod_proc;

/* The most of a command the table shows. */
#define POD_PROC_COMMAND_MAX 512

/* argv joined by spaces, line breaks as spaces, cut to fit buf (cap > 0). */
void pod_proc_command(char *const *argv, char *buf, size_t cap);

/* True when both are workers of the same pod (a worker with no pod is in none). */
bool pod_proc_same_pod(const pod_proc *a, const pod_proc *b);

/* The table of procs (n of them, borrowed; sorted here) into buf (at most cap bytes, cut at a
 * line); returns its length. */
size_t pod_procs_format(const pod_proc **procs, size_t n, char *buf, size_t cap);

#endif
