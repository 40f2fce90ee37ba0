/* The pod's process table and each container's user, as files the toolbox's ps, top, id and
 * whoami read inside the container's view (the guest has no /proc and WASI has no uid):
 *
 *   /run/wasmcri/ps    <pod dir>/ps: one line per running container and exec of the pod,
 *                      "PID UID STATE CPU_MS RSS_KB STARTED KIND NAME COMMAND..." (PID the
 *                      worker's host pid, 0 for an exec the zygote is still starting: the table
 *                      is written before the exec runs so that a ps sees itself; STATE/CPU/RSS
 *                      from its /proc/PID/stat and statm, STARTED
 *                      in Unix seconds, KIND ctr|exec, COMMAND the argv joined by spaces);
 *   /run/wasmcri/user  <pod dir>/user-<container id>: "UID GID GROUPS..." of the container's
 *                      user.
 *
 * Both are read-only mounts of single files (wasm/sandbox/container_view.c add_pod_files). The
 * table is rewritten (a temp file renamed over it, so a reader never sees half of it) when a
 * container or exec of the pod starts or ends and before each exec: what top shows is as fresh
 * as the pod's last event. Nothing is written on a timer: an idle pod costs nothing. */
#include "pod_ps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record.h"
#include "sandbox_int.h"

/* State, CPU (ms) and RSS (KiB) of a host process; false when it is gone. */
static bool proc_figures(int pid, char *state, long long *cpu_ms, long long *rss_kb)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
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
    snprintf(path, sizeof(path), "/proc/%d/statm", pid);
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

static void put_line(FILE *f, int pid, uint32_t uid, int64_t started_ns, const char *kind,
                     const char *name, char *const *argv)
{
    char state = 'R'; /* pid 0: an exec the zygote is starting */
    long long cpu = 0, rss = 0;
    if (pid < 0 || (pid > 0 && !proc_figures(pid, &state, &cpu, &rss)))
        return;
    fprintf(f, "%d %u %c %lld %lld %lld %s %s", pid, uid, state, cpu, rss,
            (long long)(started_ns / 1000000000), kind, *name ? name : "-");
    for (size_t i = 0; argv && argv[i]; i++) {
        fputc(' ', f);
        for (const char *c = argv[i]; *c; c++)
            fputc(*c == '\n' || *c == '\r' ? ' ' : *c, f);
    }
    fputc('\n', f);
}

void sb_pod_ps_write(wc_sandbox *sb, const char *pod_id)
{
    wc_pod *pod = NULL;
    if (sb_find_pod(sb, pod_id, &pod, NULL) < 0)
        return;
    char path[4096], tmp[4096 + 8];
    snprintf(path, sizeof(path), "%s/ps", pod->dir);
    snprintf(tmp, sizeof(tmp), "%s.new", path);
    FILE *f = fopen(tmp, "we");
    if (f == NULL)
        return;
    fputs("PID UID STATE CPU_MS RSS_KB STARTED KIND NAME COMMAND\n", f);
    for (size_t i = 0; i < sb->n_ctrs; i++) {
        const wc_container *c = sb->ctrs[i];
        if (c->state == WC_CTR_RUNNING && strcmp(c->pod_id, pod->id) == 0)
            put_line(f, c->pid, c->user.uid, c->started_at, "ctr", c->name, c->argv);
    }
    for (sb_exec *e = sb->execs; e; e = e->next) {
        wc_container *c = NULL;
        if (!e->done && sb_find_ctr(sb, e->ctr_id, &c, NULL) == 0 &&
            strcmp(c->pod_id, pod->id) == 0)
            put_line(f, e->pid, c->user.uid, e->started_ns, "exec", c->name, e->argv);
    }
    if (fclose(f) != 0 || chmod(tmp, 0644) < 0 || rename(tmp, path) < 0)
        unlink(tmp);
}

void sb_ctr_user_write(const wc_container *c, const wc_pod *pod)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/user-%s", pod->dir, c->id);
    FILE *f = fopen(path, "we");
    if (f == NULL)
        return;
    fprintf(f, "%u %u", c->user.uid, c->user.gid);
    for (uint32_t i = 0; i < c->user.n_groups; i++)
        fprintf(f, " %u", c->user.groups[i]);
    fputc('\n', f);
    fclose(f);
    chmod(path, 0644);
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
