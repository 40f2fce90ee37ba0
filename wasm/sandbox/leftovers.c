/* What a daemon killed half-way through a pod rpc leaves on the node, cleared when the
 * records are loaded (wc_sandbox_open): a network namespace mounted before its pod's
 * record was written (RunPodSandbox) or kept after it (StopPodSandbox between the
 * unmount and the record), and pod directories no record names. A READY pod whose
 * namespace is no longer mounted (a reboot took /run, or a stop cut short) is NOTREADY.
 */
#include <dirent.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>

#include "log.h"
#include "netns.h"
#include "sandbox_int.h"

static bool netns_mounted(const char *path)
{
    struct statfs fs;
    return statfs(path, &fs) == 0 && fs.f_type == NSFS_MAGIC;
}

static const wc_pod *pod_named(const wc_sandbox *sb, const char *id)
{
    return wc_ptrmap_get(&sb->pod_ids, id);
}

/* Calls drop on each entry of <state>/<sub> that keep() refuses. */
static void sweep(wc_sandbox *sb, const char *sub, bool (*keep)(const wc_pod *),
                  void (*drop)(const char *path))
{
    char dir[4096], path[4096 + 256];
    snprintf(dir, sizeof(dir), "%s/%s", sb->state_dir, sub);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        const wc_pod *p = pod_named(sb, e->d_name);
        if (p && keep(p))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        wc_info("sandbox", "removing %s: no pod record needs it", path);
        drop(path);
    }
    if (d)
        closedir(d);
}

static bool keeps_netns(const wc_pod *p)
{
    return p->state == WC_POD_READY;
}

static bool keeps_dir(const wc_pod *p)
{
    (void)p;
    return true;
}

static void drop_netns(const char *path)
{
    wc_netns_remove(path, NULL);
}

static void drop_dir(const char *path)
{
    sb_rmtree(path, NULL);
}

void sb_sweep_leftovers(wc_sandbox *sb)
{
    for (size_t i = 0; i < sb->n_pods; i++) {
        wc_pod *p = sb->pods[i];
        if (p->state == WC_POD_READY && *p->netns_path && !netns_mounted(p->netns_path))
            p->state = WC_POD_NOTREADY;
    }
    sweep(sb, "netns", keeps_netns, drop_netns);
    sweep(sb, "pods", keeps_dir, drop_dir);
}
