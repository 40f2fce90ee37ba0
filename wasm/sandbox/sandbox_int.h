/* The insides of wc_sandbox, shared by the files that implement sandbox.h
 * (pod_registry.c, container_registry.c, ...). Not for use outside wasm/sandbox. */
#ifndef WASMCRI_SANDBOX_SANDBOX_INT_H
#define WASMCRI_SANDBOX_SANDBOX_INT_H

#include <pthread.h>
#include <sys/types.h>

#include "cgroups.h"
#include "cni_net.h"
#include "container.h"
#include "digest.h"
#include "events.h"
#include "fs.h"
#include "pod.h"
#include "ptrmap.h"
#include "sandbox.h"
#include "strset.h"
#include "worker.h"
#include "zygote_client.h"

typedef struct sb_sampler sb_sampler; /* stats_sampler.c */

/* An ExecSync waiting for its worker's exit (exec.c). */
typedef struct sb_exec {
    struct sb_exec *next;
    char id[80];
    bool done;
    int exit_code;
} sb_exec;

struct wc_sandbox {
    char *root_dir, *state_dir;
    int pods_fd; /* <state>/pods (O_PATH): a new pod's files are made relative to it */
    wc_store *store;
    pthread_mutex_t mu;     /* guards everything below */
    pthread_cond_t changed; /* broadcast whenever a container's state changes */
    wc_pod **pods;
    size_t n_pods, cap_pods;
    wc_pod **starting; /* pods whose RunPodSandbox runs CNI ADD (no lock held meanwhile) */
    size_t n_starting, cap_starting;
    cni_settings cni; /* conf_dir NULL: no CNI (pods keep loopback only); set once */
    char *cni_conf_dir, **cni_bin_dirs; /* what cni points to */
    wc_container **ctrs;
    size_t n_ctrs, cap_ctrs;
    wc_ptrmap pod_ids, pod_names; /* record_index.c: pods by id; by name, the starting too */
    wc_ptrmap ctr_ids;            /* containers by id (by name: their pod's set) */
    wc_ptrmap pod_ctrs;           /* pod id -> sb_ctr_set of its containers */
    /* (the maps by id borrow their keys: the records' ids, the sets' pod_id) */
    zc_client *zygote;       /* NULL until wc_sandbox_attach_zygote */
    const wc_cgroup_ops *cg; /* NULL: no usable cgroups (workers then run in the zygote's) */
    char *cgroup_driver;     /* "cgroupfs" | "systemd": how pods' cgroup_parent is named */
    bool toolbox;            /* commands naming an applet run toolbox.wasm (config toolbox) */
    int exec_ready_ms;       /* config exec_ready_ms, sent with each exec (exec.c) */
    struct sb_exec *execs;   /* ExecSyncs waiting for their worker's exit (exec.c) */
    wc_event_sub *subs;      /* GetContainerEvents subscribers (events.c) */
    wc_ptrmap module_keys;   /* module_key.c: image module -> content digest (malloc'd) */
    wc_strset user_files;    /* ctr_user_file.c: the shared user files written */
    sb_sampler *sampler;     /* NULL until wc_sandbox_start_stats */
    unsigned walks;          /* list walks under way (record_walk.c) */
    wc_pod *buried_pods;     /* removed during walks, freed when the last one ends */
    wc_container *buried_ctrs;
};

/* A pod's containers (record_index.c); its key in pod_ctrs is items[0]->pod_id. The first
 * two are kept in the set itself (most pods have one or two): one 48-byte block per pod,
 * where a set with its pod id and an array of its own took 144 (issue 18). */
#define SB_SET_INLINE 2
typedef struct sb_ctr_set {
    wc_container **items; /* inline, or malloc'd once there are more */
    size_t n, cap;
    wc_container *inline_items[SB_SET_INLINE];
} sb_ctr_set;

/* walk_prefetch.c: at seen[i] of n, fetches into the cache what a walk's fn will read of
 * the records a few items ahead (the strings of each; a pod's containers' too). */
void sb_ctrs_ahead(const wc_ctr_seen *seen, size_t i, size_t n);
void sb_pods_ahead(const wc_pod_seen *seen, size_t i, size_t n);
/* Likewise, at pods[i] of n, what noting a pod with its containers reads (mu held), and at
 * ctrs[i] of n, what matching and noting a container reads. */
void sb_pods_note_ahead(wc_pod *const *pods, size_t i, size_t n);
void sb_ctrs_note_ahead(wc_container *const *ctrs, size_t i, size_t n);

/* record_index.c (mu held): a pod or container goes into its array and the maps by id and
 * name (-ENOMEM), and out of them; a starting pod's name is claimed (-ENOMEM) and released
 * on its own. The lookup of a pod by name gives NULL when the name is free (-ENOMEM). */
int sb_add_pod(wc_sandbox *sb, wc_pod *p);
void sb_drop_pod(wc_sandbox *sb, const wc_pod *p);
int sb_claim_pod_name(wc_sandbox *sb, wc_pod *p);
void sb_release_pod_name(wc_sandbox *sb, const wc_pod *p);
int sb_pod_by_name(wc_sandbox *sb, const wc_pod_spec *s, wc_pod **ret_pod);
int sb_add_ctr(wc_sandbox *sb, wc_container *c);
void sb_drop_ctr(wc_sandbox *sb, const wc_container *c);
/* A container by (pod, name, attempt): a look through the pod's containers, a few (a map by
 * name cost each container ~130 bytes); NULL when the name is free. */
wc_container *sb_ctr_by_name(wc_sandbox *sb, const char *pod_id, const char *name,
                             unsigned attempt);
void sb_index_clear(wc_sandbox *sb);
/* The pod's containers; NULL when it has none. */
const sb_ctr_set *sb_pod_ctrs(wc_sandbox *sb, const char *pod_id);

/* record_walk.c (mu held): frees a record taken out of the index, at once or, while list
 * walks are under way, when the last one ends; and frees what is buried (at close). */
void sb_bury_pod(wc_sandbox *sb, wc_pod *p);
void sb_bury_ctr(wc_sandbox *sb, wc_container *c);
void sb_graves_clear(wc_sandbox *sb);
/* A walk of the caller's own (the stats sampler's): sb->walks++ when it has noted its
 * records, this when it is done with them. */
void sb_walk_end_locked(wc_sandbox *sb);

/* Whether a record matches a list's filter (NULL matches all); mu held. */
bool sb_pod_matches(const wc_pod *p, const wc_pod_filter *f);
bool sb_ctr_matches(const wc_container *c, const wc_container_filter *f);
/* The containers a filter can match: the pod's when it names a whole pod id; mu held. */
wc_container *const *sb_ctrs_for(wc_sandbox *sb, const wc_container_filter *f, size_t *ret_n);

/* Looks up a container by id or unique prefix; mu held. -ENOENT. */
int sb_find_ctr(wc_sandbox *sb, const char *id, wc_container **ret_ctr, wc_error *err);

/* module_key.c, mu not held: the content key ("sha256:<hex>") of a module from the store, fd
 * open on it, image_key its key by image id and path (hashed once per image_key); I/O errors. */
int sb_module_content_key(wc_sandbox *sb, int fd, const char *image_key,
                          char out[WC_DIGEST_STR_LEN + 1], wc_error *err);
/* The same, mu held, for a module hashed before: c's key becomes its content key before c's record
 * is first written (so that create writes it once); -ENOMEM. */
int sb_module_key_known(wc_sandbox *sb, wc_container *c);
void sb_module_keys_clear(wc_sandbox *sb); /* at close */

/* Waits until no start of container id is in flight (mu held, released meanwhile): a stop acts
 * on its outcome, the worker it started or none, instead of racing its request to the zygote
 * (whose kill found no worker yet, and the start then ran one). -ETIMEDOUT after a minute. */
int sb_wait_start_outcome(wc_sandbox *sb, const char *id, wc_error *err);

/* Writes the container's record; mu held. */
int sb_save_ctr(wc_sandbox *sb, const wc_container *c, wc_error *err);
/* Writes a new container's first record and the store's hold of what it runs from (c->held,
 * if any) in one write; mu held. */
int sb_save_new_ctr(wc_sandbox *sb, const wc_container *c, wc_error *err);

/* stats_sampler.c: stops the sampler's thread (if started) and frees it; mu not held. */
void sb_sampler_stop(wc_sandbox *sb);

/* exec.c: an exec worker's exit (on the zygote reader thread), and the zygote's end. */
void sb_exec_exited(wc_sandbox *sb, const json_t *ev);
void sb_exec_zygote_lost(wc_sandbox *sb);
/* exec.c: the session's status pipe (read end; -1 once wc_exec_wait has read it), which
 * ExecSync polls with the output so that the status and the output's EOF wake it once. */
int sb_exec_status_fd(const wc_exec_session *s);

/* resources.c: the cgroups the worker joins (their cgroup.procs files go into spec):
 * its pod's, and for a memory limit its own, made now with that limit
 * (c->cgroup); nothing without usable cgroups. mu held. */
int sb_cgroup_prepare(wc_sandbox *sb, wc_container *c, const wc_pod *pod, worker_spec *spec,
                      wc_error *err);

/* resources.c: the cgroups a running container's workers are in (its pod's, its
 * own), for an ExecSync's worker; nothing is made. mu held. */
int sb_cgroup_join_list(wc_sandbox *sb, const wc_container *c, const wc_pod *pod, char ***procs,
                        wc_error *err);

/* resources.c: applies c->res to the running worker's cgroup (nothing when it does not run
 * or no cgroup controller is usable); mu held. */
int sb_apply_resources(wc_sandbox *sb, wc_container *c, wc_error *err);

/* resources.c: c's own cgroup ("" for none; wasmcri/<id> in records from before c->cgroup). */
const char *sb_ctr_cgroup(const wc_container *c, char *buf, size_t n);

/* resources.c: removes c's own cgroup, the recorded one and the one its pod gives (a start
 * that kill -9 cut made it before its record was saved); mu held. */
void sb_cgroup_remove(wc_sandbox *sb, const wc_container *c);

/* events.c: queues an event about c for every subscriber; mu held. */
void sb_emit(wc_sandbox *sb, wc_event_type type, const wc_container *c);

/* The ids of the pod's containers (a NULL-terminated list the caller frees); mu held. */
char **sb_pod_ctr_ids(wc_sandbox *sb, const char *pod_id);

/* Looks up a pod by id or unique prefix; mu held. -ENOENT (also for an ambiguous prefix). */
int sb_find_pod(wc_sandbox *sb, const char *id, wc_pod **ret_pod, wc_error *err);

/* Writes the pod's record; mu held. */
int sb_save_pod(wc_sandbox *sb, const wc_pod *pod, wc_error *err);

/* Asks the zygote {"op": op, "id": id}; its reply goes to *ret_reply (the caller's) or,
 * with ret_reply NULL, away. -EAGAIN with no zygote. mu need not be held. */
int sb_zygote_op(wc_sandbox *sb, const char *op, const char *id, json_t **ret_reply, wc_error *err);
/* As sb_zygote_op; *ret_fd (the caller's) is the descriptor the reply carries, -1 if none. */
int sb_zygote_op_fd(wc_sandbox *sb, const char *op, const char *id, json_t **ret_reply, int *ret_fd,
                    wc_error *err);

/* The created container cid's module compiled by the zygote now (module_compile.c); an invalid
 * module is an error (-ENOEXEC or -E2BIG naming the problem); a zygote that cannot is not (the
 * start compiles it). Takes fd, the module's descriptor from cv_module (-1: the toolbox, nothing
 * to compile). mu not held. */
int sb_compile_module(wc_sandbox *sb, const char *cid, int fd, wc_error *err);

/* CreateContainer's last step: the zygote makes the worker of created container cid's start
 * now, as far as it can go without running guest code (container_start.c); its start then only
 * wakes it. Best effort: nothing is made on failure, and the start does every step. mu not
 * held. */
void sb_create_worker(wc_sandbox *sb, const char *cid);

/* Has the zygote compile the module key (fd: its descriptor; name for messages) and waits
 * until it is compiled, or validated when too big to hold (-ENOEXEC or -E2BIG: the module is
 * invalid, naming the problem; other errors: the zygote could not). mu not held. */
int sb_compile_wait(wc_sandbox *sb, const char *key, const char *name, int fd, wc_error *err);

/* pod_network.c: CNI ADD for a pod being started (not yet published; mu not held).
 * Without CNI settings or a config file in conf_dir the pod keeps loopback only. */
int sb_pod_net_add(wc_sandbox *sb, wc_pod *p, wc_error *err);

/* pod_network.c: CNI DEL for the pod if its ADD state is kept, then forgets the state
 * and the IPs; mu not held (plugins run without it). -ENOENT for an unknown pod. */
int sb_pod_net_del(wc_sandbox *sb, const char *id, wc_error *err);

/* Writes the pod's resolv.conf and hostname again if they are gone (a reboot): looks once per
 * pod and daemon (p->files_ok). */
int sb_pod_files(wc_pod *p, wc_error *err);

/* Grows *arr (of *cap pointers) to hold one more; -ENOMEM. */
int sb_reserve(void ***arr, size_t *cap, size_t n);

/* rm -rf; a missing path is fine. Does not cross into other mounts. */
int sb_rmtree(const char *path, wc_error *err);

/* Creates or truncates path (relative to the directory at, or AT_FDCWD) and writes text in one
 * write (no stdio buffer): mode & ~umask, or exactly mode when exact_mode. 0 or -errno. */
int sb_write_small_file(int at, const char *path, const char *text, mode_t mode, bool exact_mode);

/* leftovers.c: after the records are loaded, clears the network namespaces and pod
 * directories that no record needs, and marks NOTREADY a pod whose namespace is gone. */
void sb_sweep_leftovers(wc_sandbox *sb);

#endif
