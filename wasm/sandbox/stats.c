/* Container usage (see stats.h): CPU from /proc/PID/schedstat (nanoseconds of run
 * time), memory from /proc/PID/status (VmRSS, RssAnon), the writable layer by
 * walking it (blocks and inodes, hard links once).
 */
#include "stats.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "record.h"

static uint64_t status_kb(FILE *f, const char *key)
{
    char line[256];
    size_t n = strlen(key);
    rewind(f);
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, key, n) == 0 && line[n] == ':')
            return strtoull(line + n + 1, NULL, 10);
    return 0;
}

static void read_proc(int pid, wc_usage *u)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return;
    unsigned long long run_ns = 0;
    u->running = fscanf(f, "%llu", &run_ns) == 1;
    u->cpu_ns = run_ns;
    fclose(f);
    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    f = fopen(path, "re");
    if (f == NULL)
        return;
    u->rss_bytes = status_kb(f, "VmRSS") * 1024;
    u->working_set = status_kb(f, "RssAnon") * 1024;
    fclose(f);
}

static __thread wc_usage *walk_usage;

static int count(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)path;
    (void)flag;
    (void)ftw;
    walk_usage->layer_inodes++;
    if (st->st_nlink <= 1 || S_ISDIR(st->st_mode))
        walk_usage->layer_bytes += (uint64_t)st->st_blocks * 512;
    else /* a hard-linked file: its share */
        walk_usage->layer_bytes += (uint64_t)st->st_blocks * 512 / st->st_nlink;
    return 0;
}

void wc_container_layer_dir(const wc_container *c, char *buf, size_t n)
{
    if (c->overlay)
        snprintf(buf, n, "%s/upper", c->dir);
    else if (!c->readonly_rootfs)
        snprintf(buf, n, "%s", c->rootfs);
    else
        buf[0] = '\0';
}

void wc_container_layer_fs(const wc_container *c, char *buf, size_t n)
{
    const char *slash = strrchr(c->dir, '/'); /* c->dir is <root>/containers/<id> */
    snprintf(buf, n, "%.*s", slash ? (int)(slash - c->dir) : 0, c->dir);
}

void wc_container_usage(const wc_container *c, wc_usage *u)
{
    memset(u, 0, sizeof(*u));
    u->timestamp = rec_now_ns();
    if (c->state == WC_CTR_RUNNING && c->pid > 0)
        read_proc(c->pid, u);
    char dir[4096];
    wc_container_layer_dir(c, dir, sizeof(dir));
    if (*dir) {
        walk_usage = u;
        nftw(dir, count, 16, FTW_PHYS | FTW_MOUNT);
        walk_usage = NULL;
    }
}
