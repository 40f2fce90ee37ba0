/* Container cgroups behind a table of function pointers, one implementation per
 * cgroup version: v1 (separate memory and cpuacct hierarchies, as on this
 * machine) and v2 (one unified hierarchy, as on most current edge nodes).
 * wc_cgroups_detect picks the one the host mounts. Groups live at
 * <hierarchy>/wasmcri/<container id>; the worker joins them itself by writing
 * its pid to each cgroup.procs file (worker.c).
 *
 * To add a version or a controller: a new ops table, or a field in these.
 */
#ifndef WASMCRI_SANDBOX_CGROUPS_H
#define WASMCRI_SANDBOX_CGROUPS_H

#include <stdint.h>

#include "error.h"

typedef struct wc_cgroup_ops {
    const char *name; /* "v1" | "v2" */
    /* Creates wasmcri/<id>; adds each cgroup.procs path to join to *procs (a strv). */
    int (*create)(const char *id, char ***procs, wc_error *err);
    /* Removes the group; it must be empty (its worker exited). Missing is fine. */
    void (*remove)(const char *id);
    /* Memory limit in bytes; 0 means none. */
    int (*set_memory_limit)(const char *id, int64_t bytes, wc_error *err);
    /* How many times the kernel OOM killer struck in the group. */
    uint64_t (*oom_kills)(const char *id);
} wc_cgroup_ops;

/* The ops for the host's cgroups, or NULL when neither version is usable. */
const wc_cgroup_ops *wc_cgroups_detect(void);

#endif
