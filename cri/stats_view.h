/* Stats messages that borrow the records' strings (ids, names, labels, annotations)
 * instead of copying them: the stats rpcs build them from a walk's records (sandbox.h)
 * and pack them at once (packer.h), so a list of 10,000 costs no allocation per item.
 *
 * A view is a set of messages in one struct, filled from a record and its usage sample
 * (as a walk noted it: wc_ctr_seen, wc_pod_seen). Views
 * reuse what they allocated (map entries, a pod's containers and interfaces) from one
 * fill to the next; clear them once at the end. A view is valid while the records it
 * borrows from are.
 */
#ifndef WASMCRI_CRI_STATS_VIEW_H
#define WASMCRI_CRI_STATS_VIEW_H

#include "api.pb-c.h"
#include "container.h"
#include "map_view.h"
#include "pod.h"
#include "sandbox.h"

typedef struct ctr_stats_view {
    Runtime__V1__ContainerStats s;
    Runtime__V1__ContainerAttributes a;
    Runtime__V1__ContainerMetadata md;
    Runtime__V1__CpuUsage cpu;
    Runtime__V1__MemoryUsage mem;
    Runtime__V1__FilesystemUsage fs;
    Runtime__V1__FilesystemIdentifier fs_id;
    Runtime__V1__UInt64Value v[7];
    char layer_fs[4096];
    cri_map_view labels, annotations;
} ctr_stats_view;

typedef struct pod_stats_view {
    Runtime__V1__PodSandboxStats s;
    Runtime__V1__PodSandboxAttributes a;
    Runtime__V1__PodSandboxMetadata md;
    Runtime__V1__LinuxPodSandboxStats l;
    Runtime__V1__CpuUsage cpu;
    Runtime__V1__MemoryUsage mem;
    Runtime__V1__ProcessUsage proc;
    Runtime__V1__NetworkUsage net;
    Runtime__V1__UInt64Value v[6]; /* usage: 0-4; process count: 5 */
    cri_map_view labels, annotations;
    ctr_stats_view *ctrs; /* cap_ctrs of them */
    Runtime__V1__ContainerStats **ctr_ptrs;
    size_t cap_ctrs;
    Runtime__V1__NetworkInterfaceUsage *ifaces; /* cap_ifaces of them */
    Runtime__V1__NetworkInterfaceUsage **iface_ptrs;
    Runtime__V1__UInt64Value *iface_v; /* 4 per interface */
    size_t cap_ifaces;
} pod_stats_view;

/* v from c and the sample u (timestamp 0: none yet, so no usage is given, only the
 * writable layer's filesystem). -ENOMEM. */
int ctr_stats_view_fill(ctr_stats_view *v, const wc_container *c, const wc_usage *u);
void ctr_stats_view_clear(ctr_stats_view *v);

/* v from a pod as a walk saw it: its containers (their samples summed into the pod's
 * usage) and its interfaces. */
int pod_stats_view_fill(pod_stats_view *v, const wc_pod_seen *p);
void pod_stats_view_clear(pod_stats_view *v);

#endif
