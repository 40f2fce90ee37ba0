/* UpdatePodSandboxResources (in-place pod resize): the pod's new total limits and overhead
 * are kept in its record and their sum goes to the pod's cgroup, as kubelet computes it
 * (it calls this after it has set the same values itself; writing them again makes the
 * pod's group hold what the runtime was told, also for a pod kubelet's cgroup manager did
 * not resize). Containers' own limits are UpdateContainerResources' (resources.c).
 */
#include <stdlib.h>

#include "sandbox_int.h"

#define DEFAULT_CPU_PERIOD 100000 /* µs, the kernel's and kubelet's */

static int check(const char *what, const wc_resources *r, wc_error *err)
{
    if (r->cpu_period < 0 || r->cpu_quota < -1 || r->cpu_shares < 0 || r->memory_limit < 0)
        return wc_error_set(err, -EINVAL,
                            "UpdatePodSandboxResources: %s has a negative value (cpu_period "
                            "%lld, cpu_quota %lld, cpu_shares %lld, memory_limit_in_bytes %lld)",
                            what, (long long)r->cpu_period, (long long)r->cpu_quota,
                            (long long)r->cpu_shares, (long long)r->memory_limit);
    return 0;
}

/* The pod cgroup's values: the containers' total plus the overhead, a limit only where the
 * total has one. */
static wc_resources pod_total(const wc_resources *res, const wc_resources *over)
{
    wc_resources t = {0};
    if (res->memory_limit > 0)
        t.memory_limit = res->memory_limit + over->memory_limit;
    if (res->cpu_quota > 0)
        t.cpu_quota = res->cpu_quota + (over->cpu_quota > 0 ? over->cpu_quota : 0);
    t.cpu_period = res->cpu_period    ? res->cpu_period
                   : over->cpu_period ? over->cpu_period
                                      : DEFAULT_CPU_PERIOD;
    t.cpu_shares = res->cpu_shares + over->cpu_shares;
    return t;
}

/* mu held. */
static int apply(wc_sandbox *sb, const wc_pod *pod, const wc_resources *t, wc_error *err)
{
    char group[4096];
    if (sb->cg == NULL || *pod->cgroup_parent == '\0')
        return 0;
    TRY(wc_cgroup_parent_path(sb->cgroup_driver, pod->cgroup_parent, group, sizeof(group), err));
    TRY(sb->cg->set_memory_limit(group, t->memory_limit, err));
    return sb->cg->set_cpu(group, t->cpu_quota, t->cpu_period, t->cpu_shares, err);
}

/* mu held. */
static int update(wc_sandbox *sb, const char *id, const wc_resources *res,
                  const wc_resources *overhead, wc_error *err)
{
    wc_pod *pod = NULL;
    TRY(sb_find_pod(sb, id, &pod, err));
    wc_resources total = pod_total(res, overhead);
    TRY(apply(sb, pod, &total, err));
    pod->res = *res;
    pod->overhead = *overhead;
    return sb_save_pod(sb, pod, err);
}

int wc_pod_update_resources(wc_sandbox *sb, const char *id, const wc_resources *res,
                            const wc_resources *overhead, wc_error *err)
{
    TRY(check("resources", res, err));
    TRY(check("overhead", overhead, err));
    pthread_mutex_lock(&sb->mu);
    int rc = update(sb, id, res, overhead, err);
    pthread_mutex_unlock(&sb->mu);
    return rc;
}
