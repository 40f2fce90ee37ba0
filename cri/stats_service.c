/* RuntimeService stats rpcs: ContainerStats, ListContainerStats, PodSandboxStats,
 * ListPodSandboxStats. They answer from the stats sampler's last sample (stats_sampler.c:
 * each container's usage, each pod's interface counters, with the time each was read), so
 * they read no file, walk no layer and start no thread: at 10,000 containers they are
 * cheap. The lists walk the records without holding the sandbox's lock while they pack
 * (sandbox.h) and run on a handler thread, not the queue thread. The messages borrow the
 * records' strings (stats_view.h) and are packed at once (packer.h). A pod's figures are
 * the sum of its containers'.
 */
#include "cleanup.h"
#include "convert.h"
#include "sandbox.h"
#include "service.h"
#include "stats_view.h"
#include "strv.h"

typedef struct stats_pack {
    cri_packer p;
    ctr_stats_view ctr;
    pod_stats_view pod;
} stats_pack;

/* Hands the packed reply to the call, or fails with rc, a walk's result; frees the views. */
static int reply(cri_call *call, stats_pack *sp, int rc, wc_error *err)
{
    ctr_stats_view_clear(&sp->ctr);
    pod_stats_view_clear(&sp->pod);
    if (rc < 0) {
        cri_packer_clear(&sp->p);
        return rc == -ENOMEM ? wc_error_set(err, rc, "out of memory") : rc;
    }
    return cri_reply_packed(call, &sp->p, err);
}

static int pack_ctr_stats(void *ctx, const wc_container *c)
{
    stats_pack *sp = ctx;
    TRY(ctr_stats_view_fill(&sp->ctr, c, &c->usage));
    return cri_packer_add_field(&sp->p, &runtime__v1__container_stats_response__descriptor, "stats",
                                &sp->ctr.s.base);
}

/* One item of ListContainerStatsResponse (packer.h). */
static int pack_listed_ctr_stats(void *ctx, const wc_ctr_seen *s)
{
    stats_pack *sp = ctx;
    TRY(ctr_stats_view_fill(&sp->ctr, s->c, &s->usage));
    return cri_packer_add_field(&sp->p, &runtime__v1__list_container_stats_response__descriptor,
                                "stats", &sp->ctr.s.base);
}

static int rpc_container_stats(cri_call *call, const ProtobufCMessage *req,
                               ProtobufCMessage **ret_resp, wc_error *err)
{
    const Runtime__V1__ContainerStatsRequest *in = (const void *)req;
    (void)ret_resp;
    stats_pack sp = {0};
    cri_packer_init(&sp.p);
    int rc = wc_container_with(cri_call_daemon(call)->sandbox, in->container_id, pack_ctr_stats,
                               &sp, err);
    return reply(call, &sp, rc, err);
}

static int rpc_list_container_stats(cri_call *call, const ProtobufCMessage *req,
                                    ProtobufCMessage **ret_resp, wc_error *err)
{
    const Runtime__V1__ListContainerStatsRequest *in = (const void *)req;
    const Runtime__V1__ContainerStatsFilter *f = in->filter;
    (void)ret_resp;
    _cleanup_strv_ char **selector =
        f ? cri_map_to_kv((void *const *)f->label_selector, f->n_label_selector) : NULL;
    if (f && selector == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    wc_container_filter filter = {.id = f ? f->id : NULL,
                                  .pod_id = f ? f->pod_sandbox_id : NULL,
                                  .state = -1,
                                  .labels = selector};
    stats_pack sp = {0};
    cri_packer_init(&sp.p);
    int rc = wc_container_walk(cri_call_daemon(call)->sandbox, &filter, pack_listed_ctr_stats, &sp);
    return reply(call, &sp, rc, err);
}

static int pack_pod_stats(void *ctx, const wc_pod_seen *p)
{
    stats_pack *sp = ctx;
    TRY(pod_stats_view_fill(&sp->pod, p));
    return cri_packer_add_field(&sp->p, &runtime__v1__pod_sandbox_stats_response__descriptor,
                                "stats", &sp->pod.s.base);
}

static int pack_listed_pod_stats(void *ctx, const wc_pod_seen *p)
{
    stats_pack *sp = ctx;
    TRY(pod_stats_view_fill(&sp->pod, p));
    return cri_packer_add_field(&sp->p, &runtime__v1__list_pod_sandbox_stats_response__descriptor,
                                "stats", &sp->pod.s.base);
}

static int rpc_pod_stats(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                         wc_error *err)
{
    const Runtime__V1__PodSandboxStatsRequest *in = (const void *)req;
    (void)ret_resp;
    stats_pack sp = {0};
    cri_packer_init(&sp.p);
    int rc = wc_pod_with_ctrs(cri_call_daemon(call)->sandbox, in->pod_sandbox_id, pack_pod_stats,
                              &sp, err);
    return reply(call, &sp, rc, err);
}

static int rpc_list_pod_stats(cri_call *call, const ProtobufCMessage *req,
                              ProtobufCMessage **ret_resp, wc_error *err)
{
    const Runtime__V1__ListPodSandboxStatsRequest *in = (const void *)req;
    const Runtime__V1__PodSandboxStatsFilter *f = in->filter;
    (void)ret_resp;
    _cleanup_strv_ char **selector =
        f ? cri_map_to_kv((void *const *)f->label_selector, f->n_label_selector) : NULL;
    if (f && selector == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    wc_pod_filter filter = {.id = f ? f->id : NULL, .state = -1, .labels = selector};
    stats_pack sp = {0};
    cri_packer_init(&sp.p);
    int rc = wc_pod_walk(cri_call_daemon(call)->sandbox, &filter, true, pack_listed_pod_stats, &sp);
    return reply(call, &sp, rc, err);
}

const cri_method cri_stats_methods[] = {
    {"ContainerStats", rpc_container_stats, false},
    {"ListContainerStats", rpc_list_container_stats, true},
    {"PodSandboxStats", rpc_pod_stats, false},
    {"ListPodSandboxStats", rpc_list_pod_stats, true},
    {NULL, NULL, false},
};
