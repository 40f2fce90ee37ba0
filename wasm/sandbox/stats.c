/* Container usage (see stats.h): CPU from /proc/PID/schedstat (nanoseconds of run
 * time), memory from /proc/PID/statm (VmRSS, RssAnon), the writable layer by
 * walking it (blocks and inodes, hard links once).
 */
#include "stats.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record.h"

/* The first numbers of a small /proc file into v (up to n); how many were read. */
static size_t read_numbers(const char *path, unsigned long long *v, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[256];
    ssize_t len = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (len <= 0)
        return 0;
    buf[len] = '\0';
    size_t got = 0;
    for (char *p = buf, *end; got < n; p = end) {
        v[got] = strtoull(p, &end, 10);
        if (end == p)
            break;
        got++;
    }
    return got;
}

/* CPU from schedstat (run time in ns); memory from statm (pages: size, resident, shared),
 * as VmRSS and RssAnon (resident less file and shmem pages) in /proc/PID/status, at a
 * fraction of the cost of reading that file. */
static void read_proc(int pid, wc_usage *u)
{
    char path[64];
    unsigned long long v[3];
    snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
    if (read_numbers(path, v, 1) != 1)
        return;
    u->running = true;
    u->cpu_ns = v[0];
    snprintf(path, sizeof(path), "/proc/%d/statm", pid);
    if (read_numbers(path, v, 3) != 3)
        return;
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    u->rss_bytes = v[1] * page;
    u->working_set = v[1] > v[2] ? (v[1] - v[2]) * page : 0;
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
        snprintf(buf, n, "%s/%s/upper", c->dir_parent, c->id);
    else if (!c->readonly_rootfs)
        snprintf(buf, n, "%s", c->rootfs);
    else
        buf[0] = '\0';
}

void wc_container_layer_fs(const wc_container *c, char *buf, size_t n)
{
    size_t len = strlen(c->dir_parent); /* <root>/containers */
    if (len >= n) /* as snprintf cuts it (a list formats one per container: no snprintf) */
        len = n - 1;
    memcpy(buf, c->dir_parent, len);
    buf[len] = '\0';
}

void wc_usage_read(int pid, const char *layer_dir, wc_usage *u)
{
    memset(u, 0, sizeof(*u));
    u->timestamp = rec_now_ns();
    if (pid > 0)
        read_proc(pid, u);
    if (*layer_dir) {
        walk_usage = u;
        nftw(layer_dir, count, 16, FTW_PHYS | FTW_MOUNT);
        walk_usage = NULL;
    }
}

void wc_container_usage(const wc_container *c, wc_usage *u)
{
    char dir[4096];
    wc_container_layer_dir(c, dir, sizeof(dir));
    wc_usage_read(c->state == WC_CTR_RUNNING ? c->pid : 0, dir, u);
}
