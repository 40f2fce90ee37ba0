/* A pod record: everything wasmcri keeps about one pod sandbox. There is no pause
 * process: a pod is this record, its directory under <root>/pods/<id>/ (resolv.conf,
 * hostname), the kubelet's log directory, and, unless it uses the host network, a
 * network namespace bind-mounted at <state>/netns/<id>, with loopback and what the
 * node's CNI network put there.
 *
 * Stored as JSON under "pod/<id>" (pod.c is the codec). Maps are alternating
 * key, value NULL-terminated lists; string fields are never NULL.
 */
#ifndef WASMCRI_SANDBOX_POD_H
#define WASMCRI_SANDBOX_POD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "net_stats.h"
#include "record.h"
#include "record_table.h"

typedef enum wc_pod_state {
    WC_POD_READY = 0, /* the CRI's SANDBOX_READY */
    WC_POD_NOTREADY = 1,
} wc_pod_state;

/* Namespace modes, numbered as the CRI's NamespaceMode. */
enum { WC_NS_POD = 0, WC_NS_CONTAINER = 1, WC_NS_NODE = 2, WC_NS_TARGET = 3 };

/* One PodSandboxConfig.port_mappings entry. */
typedef struct wc_port_mapping {
    int protocol; /* WC_PROTO_* */
    int container_port, host_port;
    char *host_ip; /* "" for any */
} wc_port_mapping;

/* Protocols, numbered as the CRI's Protocol. */
enum { WC_PROTO_TCP = 0, WC_PROTO_UDP = 1, WC_PROTO_SCTP = 2 };

/* What RunPodSandbox asks for (all borrowed by wc_pod_run). */
typedef struct wc_pod_spec {
    const char *name, *uid, *namespace_;
    uint32_t attempt;
    char *const *labels, *const *annotations;
    const char *hostname, *log_directory, *runtime_handler, *cgroup_parent;
    char *const *dns_servers, *const *dns_searches, *const *dns_options;
    int net_mode, pid_mode, ipc_mode; /* WC_NS_* */
    const wc_port_mapping *port_mappings;
    size_t n_port_mappings;
} wc_pod_spec;

typedef struct wc_pod {
    /* (the id, then the flag and 32-bit members, then the 8-byte ones: no padding holes) */
    char id[WC_ID_SIZE];
    /* runtime only: removed while list walks were under way, kept until they end (record_walk.c) */
    bool buried;
    /* runtime only: this daemon wrote or found its resolv.conf and hostname (sb_pod_files) */
    bool files_ok;
    uint32_t attempt;
    int net_mode, pid_mode, ipc_mode;
    wc_pod_state state;
    /* Not stored, not copied: how many StopPodSandbox and RemovePodSandbox calls are
     * under way; while any is, no container is created or started in the pod (one made
     * after the call listed the pod's containers would outlive it). */
    unsigned reclaims;
    char *name, *uid, *namespace_;
    char **labels, **annotations;
    char *hostname, *log_directory, *runtime_handler, *cgroup_parent;
    char **dns_servers, **dns_searches, **dns_options;
    wc_port_mapping *port_mappings;
    size_t n_port_mappings;
    char *netns_path;   /* "" when net_mode is WC_NS_NODE */
    char **ips;         /* from the CNI network, IPv4 first; empty when it has none */
    char *cni_state;    /* what CNI ADD used and returned (cni_net.h); "" once DEL ran */
    char *dir_parent;   /* <state>/pods, interned: its dir is <dir_parent>/<id> (wc_pod_dir) */
    int64_t created_at; /* ns since the epoch */
    wc_resources res, overhead; /* UpdatePodSandboxResources' last (pod_resources.c) */
    /* runtime only: the stats sampler's last reading of the pod's interfaces (stats_sampler.c)
     * and when it was taken (ns since the epoch; 0: never) */
    wc_net_ifaces net;
    int64_t net_at;
    /* runtime only: its containers' set in the sandbox's index, NULL when it has none (the
     * index keeps it: record_index.c), so that a walk notes them without a lookup */
    struct sb_ctr_set *ctrs;
    struct wc_pod *buried_next;
    size_t packed; /* runtime only: the length of its block once packed (wc_pod_pack) */
} wc_pod;

/* A new record from spec (id, state READY, created_at now); paths left "". */
int wc_pod_from_spec(const wc_pod_spec *spec, wc_pod **ret_pod, wc_error *err);

/* JSON text of the record (malloc'd), or NULL on ENOMEM. */
char *wc_pod_encode(const wc_pod *pod);
/* Parses a record; -EINVAL naming what is wrong. */
int wc_pod_decode(const char *json, size_t len, wc_pod **ret_pod, wc_error *err);
/* The pod's directory, <dir_parent>/<id> (record.h: rec_dir), made into buf (n bytes), or ""
 * when it has none yet; the stored JSON has the whole path as "dir", as before. */
const char *wc_pod_dir(const wc_pod *pod, char *buf, size_t n);
/* A deep copy, or NULL on ENOMEM. */
wc_pod *wc_pod_copy(const wc_pod *pod);
/* The record in one allocation (record_table.h: wc_record_pack), as it is published: pod is
 * freed, or on ENOMEM NULL and pod unchanged. Afterwards only cni_state and ips may be set
 * again; the copy of a packed record is not packed. */
wc_pod *wc_pod_pack(wc_pod *pod);

void wc_pod_free(wc_pod *pod);   /* NULL is fine */
void wc_pod_freep(wc_pod **pod); /* for _cleanup_ */
void wc_pod_list_free(wc_pod **pods, size_t n);

#endif
