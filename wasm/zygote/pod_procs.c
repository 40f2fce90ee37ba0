/* The pod's process table for a guest's ps and top (pod_procs.h): the zygote's workers of one
 * pod, with their state, CPU and memory read from /proc now. */
#include "pod_procs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void pod_proc_command(char *const *argv, char *buf, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; argv && argv[i] && n + 1 < cap; i++) {
        if (i > 0)
            buf[n++] = ' ';
        for (const char *c = argv[i]; *c && n + 1 < cap; c++)
            buf[n++] = *c == '\n' || *c == '\r' ? ' ' : *c;
    }
    buf[n] = '\0';
}

bool pod_proc_same_pod(const pod_proc *a, const pod_proc *b)
{
    return a->pod && b->pod && *a->pod && strcmp(a->pod, b->pod) == 0;
}

/* State, CPU (ms) and RSS (KiB) of a process; false when it is gone. */
static bool proc_figures(pid_t pid, char *state, long long *cpu_ms, long long *rss_kb)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return false;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
    unsigned long long utime = 0, stime = 0;
    if (p == NULL || sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", state,
                            &utime, &stime) != 3)
        return false;
    long tick = sysconf(_SC_CLK_TCK);
    *cpu_ms = (long long)(utime + stime) * 1000 / (tick > 0 ? tick : 100);
    snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
    f = fopen(path, "re");
    long long size = 0, rss = 0;
    if (f) {
        if (fscanf(f, "%lld %lld", &size, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    *rss_kb = rss * (sysconf(_SC_PAGESIZE) / 1024);
    return true;
}

static int by_kind_then_start(const void *a, const void *b)
{
    const pod_proc *x = *(const pod_proc *const *)a, *y = *(const pod_proc *const *)b;
    if (x->exec != y->exec)
        return x->exec ? 1 : -1;
    return (x->started_ns > y->started_ns) - (x->started_ns < y->started_ns);
}

size_t pod_procs_format(const pod_proc **procs, size_t n, char *buf, size_t cap)
{
    qsort(procs, n, sizeof(*procs), by_kind_then_start);
    int len = snprintf(buf, cap, "PID UID STATE CPU_MS RSS_KB STARTED KIND NAME COMMAND\n");
    size_t used = len > 0 && (size_t)len < cap ? (size_t)len : 0;
    for (size_t i = 0; i < n; i++) {
        const pod_proc *p = procs[i];
        char state;
        long long cpu, rss;
        if (!proc_figures(p->pid, &state, &cpu, &rss))
            continue;
        len = snprintf(buf + used, cap - used, "%d %u %c %lld %lld %lld %s %s %s\n", (int)p->pid,
                       p->uid, state, cpu, rss, (long long)(p->started_ns / 1000000000),
                       p->exec ? "exec" : "ctr", p->name, p->command);
        if (len < 0 || (size_t)len >= cap - used)
            break; /* cut at the last whole line */
        used += (size_t)len;
    }
    buf[used] = '\0';
    return used;
}
