/* A container's cgroup and resource limits.
 *
 * The container memory limit caps the guest's linear memory (the engine refuses
 * memory.grow beyond it: OOMKilled) from the start. The worker's cgroup gets the
 * same limit plus the interpreter's own overhead, so that a limit lowered by
 * UpdateContainerResources while the worker runs caps its later growth too (the
 * kernel then ends it, reported as OOMKilled from the cgroup's oom_kill count).
 *
 * Every worker joins its pod's cgroup (kubelet's, from the pod's cgroup_parent:
 * the pod's own limits and the QoS class's weight then apply to it). A container
 * gets a group of its own only for a memory limit or a CPU quota (its shares go
 * with them): creating a memory cgroup costs milliseconds (v1), several times a
 * whole container start, and kubelet gives every container shares. A container
 * without one that gets a limit while it runs gets its group then, and its worker
 * is moved into it.
 */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "sandbox_int.h"
#include "strv.h"

#define WORKER_OVERHEAD_BYTES (16LL << 20)

static int64_t cgroup_limit(const wc_container *c)
{
    return c->res.memory_limit > 0 ? c->res.memory_limit + WORKER_OVERHEAD_BYTES : 0;
}

static bool needs_own_group(const wc_container *c)
{
    return c->res.memory_limit > 0 || c->res.cpu_quota > 0;
}

const char *sb_ctr_cgroup(const wc_container *c, char *buf, size_t n)
{
    if (*c->cgroup || c->res.memory_limit <= 0)
        return c->cgroup;
    snprintf(buf, n, "wasmcri/%s", c->id); /* an earlier build's place for it */
    return buf;
}

/* The pod's group (kubelet's, from cgroup_parent; "" if none) and c's own below it. */
static int group_paths(wc_sandbox *sb, const wc_container *c, const wc_pod *pod, char *pod_group,
                       char *own, size_t n, wc_error *err)
{
    int rc = wc_cgroup_parent_path(sb->cgroup_driver, pod->cgroup_parent, pod_group, n, err);
    if (rc < 0)
        return rc;
    int len = *pod_group ? snprintf(own, n, "%s/wasmcri-%s", pod_group, c->id)
                         : snprintf(own, n, "wasmcri/%s", c->id);
    return len < (int)n ? 0 : wc_error_set(err, -ENAMETOOLONG, "cgroup path too long");
}

static int set_limits(wc_sandbox *sb, const wc_container *c, const char *group, wc_error *err)
{
    TRY(sb->cg->set_memory_limit(group, cgroup_limit(c), err));
    return sb->cg->set_cpu(group, c->res.cpu_quota, c->res.cpu_period, c->res.cpu_shares, err);
}

/* Makes c's own group with its limits, and records it. */
static int own_group(wc_sandbox *sb, wc_container *c, const char *own, char ***procs, wc_error *err)
{
    TRY(sb->cg->create(own, procs, err));
    TRY(set_limits(sb, c, own, err));
    if (wc_container_set(&c->cgroup, own) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return 0;
}

/* Adds the pod's group's cgroup.procs files (if it has one: first, since a group of
 * c's own is inside it) and gives the path of c's own group. */
static int join_pod(wc_sandbox *sb, const wc_container *c, const wc_pod *pod, char ***procs,
                    char *own, wc_error *err)
{
    char pod_group[4096];
    int rc = group_paths(sb, c, pod, pod_group, own, sizeof(pod_group), err);
    if (rc == 0 && *pod_group)
        rc = sb->cg->pod_procs(pod_group, procs, err);
    return rc;
}

void sb_cgroup_remove(wc_sandbox *sb, const wc_container *c)
{
    char recorded[4096 + 80], pod_group[4096], own[4096];
    wc_pod *pod = NULL;
    if (sb->cg == NULL)
        return;
    const char *group = sb_ctr_cgroup(c, recorded, sizeof(recorded));
    if (*group)
        sb->cg->remove(group);
    if (sb_find_pod(sb, c->pod_id, &pod, NULL) == 0 &&
        group_paths(sb, c, pod, pod_group, own, sizeof(own), NULL) == 0 && strcmp(own, group) != 0)
        sb->cg->remove(own);
}

int sb_cgroup_prepare(wc_sandbox *sb, wc_container *c, const wc_pod *pod, worker_spec *spec,
                      wc_error *err)
{
    char own[4096];
    if (sb->cg == NULL)
        return 0;
    int rc = join_pod(sb, c, pod, &spec->cgroup_procs, own, err);
    if (rc == 0 && needs_own_group(c))
        rc = own_group(sb, c, own, &spec->cgroup_procs, err);
    return rc;
}

int sb_cgroup_join_list(wc_sandbox *sb, const wc_container *c, const wc_pod *pod, char ***procs,
                        wc_error *err)
{
    char own[4096];
    if (sb->cg == NULL)
        return 0;
    int rc = join_pod(sb, c, pod, procs, own, err);
    if (rc == 0 && *c->cgroup) /* made at its start: create only lists it */
        rc = sb->cg->create(c->cgroup, procs, err);
    return rc;
}

int sb_apply_resources(wc_sandbox *sb, wc_container *c, wc_error *err)
{
    if (sb->cg == NULL || c->state != WC_CTR_RUNNING || c->pid <= 0)
        return 0;
    if (*c->cgroup) /* it has its group: new limits */
        return set_limits(sb, c, c->cgroup, err);
    if (!needs_own_group(c))
        return 0;
    wc_pod *pod = NULL;
    char pod_group[4096], path[4096];
    _cleanup_strv_ char **procs = calloc(1, sizeof(char *));
    if (procs == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    TRY(sb_find_pod(sb, c->pod_id, &pod, err));
    TRY(group_paths(sb, c, pod, pod_group, path, sizeof(path), err));
    TRY(own_group(sb, c, path, &procs, err));
    return worker_join_cgroups(c->pid, procs, err);
}
