/* A container's cgroup and resource limits.
 *
 * The container memory limit caps the guest's linear memory (the engine refuses
 * memory.grow beyond it: OOMKilled) from the start. The worker's cgroup gets the
 * same limit plus the interpreter's own overhead, so that a limit lowered by
 * UpdateContainerResources while the worker runs caps its later growth too (the
 * kernel then ends it, reported as OOMKilled from the cgroup's oom_kill count).
 *
 * Cgroups are made only for containers with a memory limit: creating a memory
 * cgroup costs milliseconds (v1), several times a whole container start. A
 * container without one that gets a limit while it runs gets its group then, and
 * its worker is moved into it.
 */
#include <stdio.h>

#include "cleanup.h"
#include "sandbox_int.h"
#include "strv.h"

#define WORKER_OVERHEAD_BYTES (16LL << 20)

static int64_t cgroup_limit(const wc_container *c)
{
    return c->res.memory_limit > 0 ? c->res.memory_limit + WORKER_OVERHEAD_BYTES : 0;
}

int sb_cgroup_prepare(wc_sandbox *sb, const wc_container *c, worker_spec *spec, wc_error *err)
{
    if (sb->cg == NULL || c->res.memory_limit <= 0)
        return 0;
    int rc = sb->cg->create(c->id, &spec->cgroup_procs, err);
    return rc ?: sb->cg->set_memory_limit(c->id, cgroup_limit(c), err);
}

/* Creates the group of a running container (if new) and moves its worker in. */
static int adopt_worker(wc_sandbox *sb, const wc_container *c, wc_error *err)
{
    _cleanup_strv_ char **procs = calloc(1, sizeof(char *));
    if (procs == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    int rc = sb->cg->create(c->id, &procs, err);
    char pid[32];
    snprintf(pid, sizeof(pid), "%d", c->pid);
    for (size_t i = 0; rc == 0 && procs[i]; i++) {
        FILE *f = fopen(procs[i], "we");
        bool ok = f && fputs(pid, f) >= 0;
        if (f && fclose(f) != 0)
            ok = false;
        if (!ok)
            rc = wc_error_set_errno(err, -errno, "cannot move worker %s into %s", pid, procs[i]);
    }
    return rc;
}

int sb_apply_resources(wc_sandbox *sb, const wc_container *c, wc_error *err)
{
    if (sb->cg == NULL || c->state != WC_CTR_RUNNING || c->pid <= 0)
        return 0;
    int rc = adopt_worker(sb, c, err);
    return rc ?: sb->cg->set_memory_limit(c->id, cgroup_limit(c), err);
}
