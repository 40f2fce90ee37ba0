/* The files the toolbox's ps, top, id and whoami read (pod_ps.c says what is in them and when
 * they are written). Internal to wasm/sandbox. */
#ifndef WASMCRI_SANDBOX_POD_PS_H
#define WASMCRI_SANDBOX_POD_PS_H

#include "container.h"
#include "pod.h"

typedef struct wc_sandbox wc_sandbox;

/* Rewrites the pod's process table <pod dir>/ps; mu held. Best effort: on failure the last one
 * stays. */
void sb_pod_ps_write(wc_sandbox *sb, const char *pod_id);

/* Writes <pod dir>/user-<container id>, the container's uid, gid and groups. Best effort. */
void sb_ctr_user_write(const wc_container *c, const wc_pod *pod);

/* Removes that file (RemoveContainer); mu held. */
void sb_ctr_user_remove(wc_sandbox *sb, const wc_container *c);

#endif
