/* The container's user as a file the toolbox's id and whoami read inside the container's view
 * (WASI has no uid):
 *
 *   /run/wasmcri/user  "UID GID GROUPS...\n" of the container's user, in
 *                      <state>/pods/.user-UID-GID[-GROUP...], one file shared by every
 *                      container of that user (written at the first start of one, by each
 *                      daemon; sweeps skip dot files; removed with the last pod), or
 *                      <pod dir>/user-<container id> when that name is too long or USERS_MAX
 *                      users have a file already,
 *
 * a read-only mount of a single file (wasm/sandbox/container_view.c add_pod_files), written at
 * the container's start. (ps and top ask the zygote: wasm/zygote/pod_procs.h.) */
#include "ctr_user_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sandbox_int.h"

/* Shared files at most (the others are per container, removed with it). */
#define USERS_MAX 1024

/* The shared file's name (.user-UID-GID-GROUP...) into buf; false when it is over NAME_MAX. */
static bool shared_name(const wc_ctr_user *u, char *buf, size_t n)
{
    int len = snprintf(buf, n, ".user-%u-%u%s%s", u->uid, u->gid, u->groups ? "-" : "",
                       u->groups ? u->groups : "");
    if (len < 0 || (size_t)len >= n || len > NAME_MAX)
        return false;
    for (char *p = buf; *p; p++)
        if (*p == ' ')
            *p = '-';
    return true;
}

int sb_ctr_user_path(const wc_container *c, const wc_pod *pod, bool shared, char *buf, size_t n)
{
    char name[NAME_MAX + 2], dir[4096];
    if (shared && shared_name(&c->user, name, sizeof(name)))
        return snprintf(buf, n, "%s/%s", pod->dir_parent, name) < (int)n ? SB_USER_FILE_SHARED : -1;
    return snprintf(buf, n, "%s/user-%s", wc_pod_dir(pod, dir, sizeof(dir)), c->id) < (int)n
               ? SB_USER_FILE_OWN
               : -1;
}

void sb_ctr_user_write(wc_sandbox *sb, wc_container *c, const wc_pod *pod)
{
    char path[4096], text[24 + 11 * WC_MAX_GROUPS]; /* "UID GID", " GROUP"s, "\n": it fits */
    int which = sb_ctr_user_path(c, pod, true, path, sizeof(path));
    if (which == SB_USER_FILE_SHARED && wc_strset_has(&sb->user_files, path)) {
        c->user_file = SB_USER_FILE_SHARED;
        return;
    }
    if (which == SB_USER_FILE_SHARED && sb->user_files.len >= USERS_MAX)
        which = sb_ctr_user_path(c, pod, false, path, sizeof(path));
    c->user_file = SB_USER_FILE_UNKNOWN;
    if (which < 0)
        return;
    snprintf(text, sizeof(text), "%u %u%s%s\n", c->user.uid, c->user.gid, c->user.groups ? " " : "",
             c->user.groups ? c->user.groups : "");
    if (sb_write_small_file(AT_FDCWD, path, text, 0644, true) < 0)
        return;
    c->user_file = (uint8_t)which;
    if (which == SB_USER_FILE_SHARED)
        wc_strset_add(&sb->user_files, path); /* not remembered: written again next time */
}

void sb_ctr_users_remove(wc_sandbox *sb)
{
    char dir[4096], path[4096 + 256];
    snprintf(dir, sizeof(dir), "%s/pods", sb->state_dir);
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        if (strncmp(e->d_name, ".user-", 6) == 0) {
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            unlink(path);
        }
    if (d)
        closedir(d);
    wc_strset_clear(&sb->user_files);
}

void sb_ctr_user_remove(wc_sandbox *sb, const wc_container *c)
{
    wc_pod *pod = NULL;
    char path[4096], dir[4096];
    if (sb_find_pod(sb, c->pod_id, &pod, NULL) < 0)
        return;
    snprintf(path, sizeof(path), "%s/user-%s", wc_pod_dir(pod, dir, sizeof(dir)), c->id);
    unlink(path);
}
