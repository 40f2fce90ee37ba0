/* The file the toolbox's id and whoami read (ctr_user_file.c says what is in it and when it is
 * written). Internal to wasm/sandbox. */
#ifndef WASMCRI_SANDBOX_CTR_USER_FILE_H
#define WASMCRI_SANDBOX_CTR_USER_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "container.h"
#include "pod.h"

typedef struct wc_sandbox wc_sandbox;

/* Which file of its user a container has (wc_container.user_file): not known (this daemon did not
 * write it: look), the shared one, its own. */
enum { SB_USER_FILE_UNKNOWN, SB_USER_FILE_SHARED, SB_USER_FILE_OWN };

/* The file of c's user into buf (n bytes): the shared one (if shared and its name fits) or
 * c's own; SB_USER_FILE_SHARED or _OWN, or -1 when the path does not fit. */
int sb_ctr_user_path(const wc_container *c, const wc_pod *pod, bool shared, char *buf, size_t n);

/* Writes the file of c's user (its uid, gid and groups) unless this daemon wrote that shared
 * file already; mu held. Best effort: c->user_file says which file is there (0: none). */
void sb_ctr_user_write(wc_sandbox *sb, wc_container *c, const wc_pod *pod);

/* Removes the shared files (the last pod is gone: no container needs them); mu held. */
void sb_ctr_users_remove(wc_sandbox *sb);

/* Removes c's own file (RemoveContainer); mu held. */
void sb_ctr_user_remove(wc_sandbox *sb, const wc_container *c);

#endif
