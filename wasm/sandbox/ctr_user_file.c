/* The container's user as a file the toolbox's id and whoami read inside the container's view
 * (WASI has no uid):
 *
 *   /run/wasmcri/user  <pod dir>/user-<container id>: "UID GID GROUPS..." of the container's
 *                      user,
 *
 * a read-only mount of a single file (wasm/sandbox/container_view.c add_pod_files), written at
 * the container's start. (ps and top ask the zygote: wasm/zygote/pod_procs.h.) */
#include "ctr_user_file.h"

#include <stdio.h>
#include <unistd.h>

#include "sandbox_int.h"

void sb_ctr_user_write(wc_container *c, const wc_pod *pod)
{
    char path[4096], text[24 + 11 * WC_MAX_GROUPS]; /* "UID GID", " GROUP"s, "\n": it fits */
    int n = snprintf(text, sizeof(text), "%u %u", c->user.uid, c->user.gid);
    for (uint32_t i = 0; i < c->user.n_groups && i < WC_MAX_GROUPS; i++)
        n += snprintf(text + n, sizeof(text) - (size_t)n, " %u", c->user.groups[i]);
    snprintf(text + n, sizeof(text) - (size_t)n, "\n");
    snprintf(path, sizeof(path), "%s/user-%s", pod->dir, c->id);
    c->user_file = sb_write_small_file(path, text, 0644, true) == 0;
}

void sb_ctr_user_remove(wc_sandbox *sb, const wc_container *c)
{
    wc_pod *pod = NULL;
    char path[4096];
    if (sb_find_pod(sb, c->pod_id, &pod, NULL) < 0)
        return;
    snprintf(path, sizeof(path), "%s/user-%s", pod->dir, c->id);
    unlink(path);
}
