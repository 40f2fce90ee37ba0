/* A container's cgroup and resource limits.
 *
 * The container memory limit caps the guest's linear memory (the engine refuses
 * memory.grow beyond it: OOMKilled) from the start. The worker's cgroup gets the
 * same limit plus the interpreter's own overhead, so that a limit lowered by
 * UpdateContainerResources while the worker runs caps its later growth too (the
 * kernel then ends it, reported as OOMKilled from the cgroup's oom_kill count).
 */
#include "sandbox_int.h"

#define WORKER_OVERHEAD_BYTES (16LL << 20)

static int64_t cgroup_limit(const wc_container *c)
{
    return c->res.memory_limit > 0 ? c->res.memory_limit + WORKER_OVERHEAD_BYTES : 0;
}

int sb_cgroup_prepare(wc_sandbox *sb, const wc_container *c, worker_spec *spec, wc_error *err)
{
    if (sb->cg == NULL)
        return 0;
    int rc = sb->cg->create(c->id, &spec->cgroup_procs, err);
    return rc ?: sb->cg->set_memory_limit(c->id, cgroup_limit(c), err);
}

int sb_apply_resources(wc_sandbox *sb, const wc_container *c, wc_error *err)
{
    if (sb->cg == NULL || c->state != WC_CTR_RUNNING)
        return 0;
    return sb->cg->set_memory_limit(c->id, cgroup_limit(c), err);
}
