/* The file the toolbox's id and whoami read (ctr_user_file.c says what is in it and when it is
 * written). Internal to wasm/sandbox. */
#ifndef WASMCRI_SANDBOX_CTR_USER_FILE_H
#define WASMCRI_SANDBOX_CTR_USER_FILE_H

#include "container.h"
#include "pod.h"

typedef struct wc_sandbox wc_sandbox;

/* Writes <pod dir>/user-<container id>, the container's uid, gid and groups. Best effort:
 * c->user_file says whether it was written. */
void sb_ctr_user_write(wc_container *c, const wc_pod *pod);

/* Removes that file (RemoveContainer); mu held. */
void sb_ctr_user_remove(wc_sandbox *sb, const wc_container *c);

#endif
