/* The insides of wc_sandbox, shared by the files that implement sandbox.h
 * (pod_registry.c, container_registry.c, ...). Not for use outside wasm/sandbox. */
#ifndef WASMCRI_SANDBOX_SANDBOX_INT_H
#define WASMCRI_SANDBOX_SANDBOX_INT_H

#include <pthread.h>
#include <sys/types.h>

#include "pod.h"
#include "sandbox.h"

struct wc_sandbox {
    char *root_dir, *state_dir;
    wc_store *store;
    pthread_mutex_t mu; /* guards everything below */
    wc_pod **pods;
    size_t n_pods, cap_pods;
};

/* Looks up a pod by id or unique prefix; mu held. -ENOENT (also for an ambiguous prefix). */
int sb_find_pod(wc_sandbox *sb, const char *id, wc_pod **ret_pod, wc_error *err);

/* Writes the pod's record; mu held. */
int sb_save_pod(wc_sandbox *sb, const wc_pod *pod, wc_error *err);

/* Grows *arr (of *cap pointers) to hold one more; -ENOMEM. */
int sb_reserve(void ***arr, size_t *cap, size_t n);

/* mkdir -p with mode; existing directories are fine. */
int sb_mkdirs(const char *path, mode_t mode, wc_error *err);

/* rm -rf; a missing path is fine. Does not cross into other mounts. */
int sb_rmtree(const char *path, wc_error *err);

#endif
