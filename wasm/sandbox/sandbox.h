/* wc_sandbox: the runtime's pods and containers, the only state behind the CRI
 * RuntimeService's pod and container rpcs.
 *
 * Records live in memory and in the store (kv keys "pod/<id>", "ctr/<id>"); each
 * change is written to the store before the call returns. Every call is
 * thread-safe (one mutex; nothing slow runs under it but netns creation).
 * Ids are 64 hex digits; calls taking an id also accept a unique prefix.
 * Getters return deep copies the caller owns.
 */
#ifndef WASMCRI_SANDBOX_SANDBOX_H
#define WASMCRI_SANDBOX_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "pod.h"
#include "store.h"

typedef struct wc_sandbox wc_sandbox;

/* Opens the registry: creates <root>/pods and <state>/netns, loads the records.
 * store is borrowed and must outlive the sandbox. */
int wc_sandbox_open(const char *root_dir, const char *state_dir, wc_store *store,
                    wc_sandbox **ret_sb, wc_error *err);
void wc_sandbox_close(wc_sandbox *sb); /* NULL is fine; running workers keep running */

/* ---- pods ---- */

/* -EEXIST when a pod with the same name, namespace, uid and attempt exists. */
int wc_pod_run(wc_sandbox *sb, const wc_pod_spec *spec, char ret_id[65], wc_error *err);
/* Stops the pod's containers, releases its network namespace, marks it NOTREADY.
 * Idempotent; -ENOENT for an unknown id. */
int wc_pod_stop(wc_sandbox *sb, const char *id, wc_error *err);
/* Stops and removes the pod's containers, then the pod. An unknown id is success. */
int wc_pod_remove(wc_sandbox *sb, const char *id, wc_error *err);
int wc_pod_get(wc_sandbox *sb, const char *id, wc_pod **ret_pod, wc_error *err);

typedef struct wc_pod_filter {
    const char *id;        /* NULL or "": any; else the id or a prefix of it */
    int state;             /* -1: any; else a wc_pod_state */
    char *const *labels;   /* NULL or k,v pairs that must all match */
} wc_pod_filter;

/* *ret_pods: an array of n copies, free with wc_pod_list_free. */
int wc_pod_list(wc_sandbox *sb, const wc_pod_filter *f, wc_pod ***ret_pods, size_t *ret_n,
                wc_error *err);

#endif
