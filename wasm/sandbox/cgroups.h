/* Container cgroups behind a table of function pointers, one implementation per
 * cgroup version: v1 (separate memory and cpuacct hierarchies, as on this
 * machine) and v2 (one unified hierarchy, as on most current edge nodes).
 * wc_cgroups_detect picks the one the host mounts. Paths are relative to each
 * hierarchy's root. A worker joins its pod's cgroup (the pod's cgroup_parent,
 * which kubelet made and gave its limits) wherever it exists; a container with a
 * memory or CPU limit also gets a group of its own inside it (<pod>/wasmcri-<id>), or
 * at wasmcri/<id> for a pod without one. The worker joins them itself by writing
 * its pid to each cgroup.procs file (worker.c), in list order.
 *
 * To add a version or a controller: a new ops table, or a field in these.
 */
#ifndef WASMCRI_SANDBOX_CGROUPS_H
#define WASMCRI_SANDBOX_CGROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct wc_cgroup_ops {
    const char *name; /* "v1" | "v2" */
    /* Creates the group at path (and missing parents); adds each cgroup.procs path
     * to join to *procs (a strv). */
    int (*create)(const char *path, char ***procs, wc_error *err);
    /* Removes the group; it must be empty (its worker exited). Missing is fine. */
    void (*remove)(const char *path);
    /* Memory limit in bytes; 0 means none. */
    int (*set_memory_limit)(const char *path, int64_t bytes, wc_error *err);
    /* CPU: quota per period (µs; quota <= 0: none) and shares (0: the default). */
    int (*set_cpu)(const char *path, int64_t quota, int64_t period, int64_t shares, wc_error *err);
    /* How many times the kernel OOM killer struck in the group. */
    uint64_t (*oom_kills)(const char *path);
    /* Adds the cgroup.procs files that put a worker in the pod's group at path, in
     * each hierarchy where it exists (v2: its leaf path/wasmcri, made here, since a
     * group with controllers for its children may hold no process). */
    int (*pod_procs)(const char *path, char ***procs, wc_error *err);
    /* The pod is gone: removes what pod_procs made in its group (kubelet removes the
     * group itself). */
    void (*pod_release)(const char *path);
} wc_cgroup_ops;

/* A pod's cgroup_parent as a path below the hierarchies' roots, for the cgroup
 * driver kubelet and wasmcri agree on: cgroupfs gives a path already; systemd a
 * slice name, expanded as systemd nests slices ("kubepods-burstable-pod1.slice" →
 * "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice"). ""
 * stays "". -EINVAL for ".." or a name that is not a slice under systemd. */
int wc_cgroup_parent_path(const char *driver, const char *parent, char *buf, size_t n,
                          wc_error *err);

/* The ops for the host's cgroups, or NULL when neither version is usable. */
const wc_cgroup_ops *wc_cgroups_detect(void);

#endif
