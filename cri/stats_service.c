/* RuntimeService stats rpcs: ContainerStats, ListContainerStats, PodSandboxStats,
 * ListPodSandboxStats. Usage comes from wasm/sandbox/stats.h (the worker's /proc
 * entries and the writable layer); a pod's figures are the sum of its containers', and its
 * network the counters of the interfaces in its namespace (net_stats.h).
 * They walk writable layers, which can be large, so they run as slow handlers (on
 * threads of their own) and never hold up the queue thread.
 */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "convert.h"
#include "messages.h"
#include "net_stats.h"
#include "sandbox.h"
#include "service.h"
#include "stats.h"
#include "strv.h"

static int nomem(wc_error *err)
{
    return wc_error_set(err, -ENOMEM, "out of memory");
}

static Runtime__V1__UInt64Value *u64(uint64_t v)
{
    Runtime__V1__UInt64Value *m = cri_new(&runtime__v1__uint64_value__descriptor);
    if (m)
        m->value = v;
    return m;
}

static Runtime__V1__CpuUsage *cpu_usage(const wc_usage *u)
{
    Runtime__V1__CpuUsage *c = cri_new(&runtime__v1__cpu_usage__descriptor);
    if (c == NULL)
        return NULL;
    c->timestamp = u->timestamp;
    if (!(c->usage_core_nano_seconds = u64(u->cpu_ns))) {
        protobuf_c_message_free_unpacked(&c->base, NULL);
        return NULL;
    }
    return c;
}

static Runtime__V1__MemoryUsage *memory_usage(const wc_usage *u)
{
    Runtime__V1__MemoryUsage *m = cri_new(&runtime__v1__memory_usage__descriptor);
    if (m == NULL)
        return NULL;
    m->timestamp = u->timestamp;
    m->working_set_bytes = u64(u->working_set);
    m->usage_bytes = u64(u->rss_bytes);
    m->rss_bytes = u64(u->rss_bytes);
    if (!m->working_set_bytes || !m->usage_bytes || !m->rss_bytes) {
        protobuf_c_message_free_unpacked(&m->base, NULL);
        return NULL;
    }
    return m;
}

static Runtime__V1__FilesystemUsage *layer_usage(const wc_container *c, const wc_usage *u)
{
    Runtime__V1__FilesystemUsage *f = cri_new(&runtime__v1__filesystem_usage__descriptor);
    if (f == NULL)
        return NULL;
    char dir[4096];
    wc_container_layer_fs(c, dir, sizeof(dir));
    f->timestamp = u->timestamp;
    f->fs_id = cri_new(&runtime__v1__filesystem_identifier__descriptor);
    if (f->fs_id)
        f->fs_id->mountpoint = cri_strdup(dir);
    f->used_bytes = u64(u->layer_bytes);
    f->inodes_used = u64(u->layer_inodes);
    if (!f->fs_id || !f->fs_id->mountpoint || !f->used_bytes || !f->inodes_used) {
        protobuf_c_message_free_unpacked(&f->base, NULL);
        return NULL;
    }
    return f;
}

static int fill_ctr_attributes(Runtime__V1__ContainerAttributes *a, const wc_container *c)
{
    a->id = strdup(c->id);
    a->metadata = cri_ctr_metadata_new(c);
    if (!a->id || !a->metadata)
        return -ENOMEM;
    TRY(cri_kv_to_map(c->labels, &runtime__v1__container_attributes__labels_entry__descriptor,
                      (void ***)&a->labels, &a->n_labels));
    return cri_kv_to_map(c->annotations,
                         &runtime__v1__container_attributes__annotations_entry__descriptor,
                         (void ***)&a->annotations, &a->n_annotations);
}

static Runtime__V1__ContainerAttributes *ctr_attributes(const wc_container *c)
{
    Runtime__V1__ContainerAttributes *a = cri_new(&runtime__v1__container_attributes__descriptor);
    return a ? cri_kept(a, fill_ctr_attributes(a, c)) : NULL;
}

/* A pod's usage: the sum of its containers'. */
typedef struct pod_sum {
    wc_usage u;
    uint64_t running; /* workers */
} pod_sum;

/* Stats of c; *sum (if given) accumulates its usage for the pod. */
static Runtime__V1__ContainerStats *ctr_stats(const wc_container *c, pod_sum *sum)
{
    wc_usage u;
    wc_container_usage(c, &u);
    if (sum) {
        sum->u.timestamp = u.timestamp;
        sum->u.cpu_ns += u.cpu_ns;
        sum->u.rss_bytes += u.rss_bytes;
        sum->u.working_set += u.working_set;
        sum->running += u.running;
    }
    Runtime__V1__ContainerStats *s = cri_new(&runtime__v1__container_stats__descriptor);
    if (s == NULL)
        return NULL;
    s->attributes = ctr_attributes(c);
    s->cpu = cpu_usage(&u);
    s->memory = memory_usage(&u);
    s->writable_layer = layer_usage(c, &u);
    if (!s->attributes || !s->cpu || !s->memory || !s->writable_layer) {
        protobuf_c_message_free_unpacked(&s->base, NULL);
        return NULL;
    }
    return s;
}

static int rpc_container_stats(cri_call *call, const ProtobufCMessage *req,
                               ProtobufCMessage **ret_resp, wc_error *err)
{
    const Runtime__V1__ContainerStatsRequest *in = (const void *)req;
    wc_container *c = NULL;
    int rc = wc_container_get(cri_call_daemon(call)->sandbox, in->container_id, &c, err);
    if (rc < 0)
        return rc;
    Runtime__V1__ContainerStatsResponse *r =
        cri_new(&runtime__v1__container_stats_response__descriptor);
    if (r) {
        *ret_resp = &r->base;
        r->stats = ctr_stats(c, NULL);
    }
    wc_container_free(c);
    return r && r->stats ? 0 : nomem(err);
}

/* Stats of every container matching f into a fresh array; *sum as in ctr_stats. */
static int list_stats(cri_daemon *d, const wc_container_filter *f, pod_sum *sum,
                      Runtime__V1__ContainerStats ***ret, size_t *ret_n, wc_error *err)
{
    wc_container **ctrs = NULL;
    size_t n = 0;
    int rc = wc_container_list(d->sandbox, f, &ctrs, &n, err);
    if (rc < 0)
        return rc;
    *ret = calloc(n ? n : 1, sizeof(**ret));
    *ret_n = 0;
    rc = *ret ? 0 : nomem(err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        (*ret)[i] = ctr_stats(ctrs[i], sum);
        rc = (*ret)[i] ? 0 : nomem(err);
        *ret_n += rc == 0;
    }
    wc_container_list_free(ctrs, n);
    return rc;
}

static int rpc_list_container_stats(cri_call *call, const ProtobufCMessage *req,
                                    ProtobufCMessage **ret_resp, wc_error *err)
{
    const Runtime__V1__ListContainerStatsRequest *in = (const void *)req;
    const Runtime__V1__ContainerStatsFilter *f = in->filter;
    _cleanup_strv_ char **selector =
        f ? cri_map_to_kv((void *const *)f->label_selector, f->n_label_selector) : NULL;
    if (f && selector == NULL)
        return nomem(err);
    wc_container_filter filter = {.id = f ? f->id : NULL,
                                  .pod_id = f ? f->pod_sandbox_id : NULL,
                                  .state = -1,
                                  .labels = selector};
    Runtime__V1__ListContainerStatsResponse *r =
        cri_new(&runtime__v1__list_container_stats_response__descriptor);
    if (r == NULL)
        return nomem(err);
    *ret_resp = &r->base;
    return list_stats(cri_call_daemon(call), &filter, NULL, &r->stats, &r->n_stats, err);
}

static int fill_pod_attributes(Runtime__V1__PodSandboxAttributes *a, const wc_pod *p)
{
    a->id = strdup(p->id);
    a->metadata = cri_pod_metadata_new(p);
    if (!a->id || !a->metadata)
        return -ENOMEM;
    TRY(cri_kv_to_map(p->labels, &runtime__v1__pod_sandbox_attributes__labels_entry__descriptor,
                      (void ***)&a->labels, &a->n_labels));
    return cri_kv_to_map(p->annotations,
                         &runtime__v1__pod_sandbox_attributes__annotations_entry__descriptor,
                         (void ***)&a->annotations, &a->n_annotations);
}

static Runtime__V1__PodSandboxAttributes *pod_attributes(const wc_pod *p)
{
    Runtime__V1__PodSandboxAttributes *a =
        cri_new(&runtime__v1__pod_sandbox_attributes__descriptor);
    return a ? cri_kept(a, fill_pod_attributes(a, p)) : NULL;
}

static Runtime__V1__NetworkInterfaceUsage *iface_usage(const wc_net_iface *it)
{
    Runtime__V1__NetworkInterfaceUsage *i =
        cri_new(&runtime__v1__network_interface_usage__descriptor);
    if (i == NULL)
        return NULL;
    i->name = cri_strdup(it->name);
    i->rx_bytes = u64(it->rx_bytes);
    i->rx_errors = u64(it->rx_errors);
    i->tx_bytes = u64(it->tx_bytes);
    i->tx_errors = u64(it->tx_errors);
    if (!i->name || !i->rx_bytes || !i->rx_errors || !i->tx_bytes || !i->tx_errors) {
        protobuf_c_message_free_unpacked(&i->base, NULL);
        return NULL;
    }
    return i;
}

static size_t default_index(const wc_net_ifaces *net)
{
    for (size_t i = 0; i < net->n; i++)
        if (strcmp(net->items[i].name, "eth0") == 0) /* CNI_IFNAME */
            return i;
    return 0;
}

static int fill_network_usage(Runtime__V1__NetworkUsage *n, const wc_net_ifaces *net)
{
    if ((n->interfaces = calloc(net->n, sizeof(*n->interfaces))) == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < net->n; i++) {
        if ((n->interfaces[i] = iface_usage(&net->items[i])) == NULL)
            return -ENOMEM;
        n->n_interfaces++;
    }
    n->timestamp = rec_now_ns();
    n->default_interface = iface_usage(&net->items[default_index(net)]);
    return n->default_interface ? 0 : -ENOMEM;
}

/* The counters of the pod's interfaces into *ret: NULL for a pod with no namespace to read. */
static int network_usage(const wc_pod *p, Runtime__V1__NetworkUsage **ret, wc_error *err)
{
    _cleanup_(wc_net_ifaces_clear) wc_net_ifaces net = {0};
    char *paths[] = {p->netns_path, NULL};
    if (p->state == WC_POD_READY)
        TRY(wc_net_ifaces_read(paths, 1, &net, err));
    if (net.n == 0)
        return 0;
    Runtime__V1__NetworkUsage *n = cri_new(&runtime__v1__network_usage__descriptor);
    *ret = n ? cri_kept(n, fill_network_usage(n, &net)) : NULL;
    return *ret ? 0 : nomem(err);
}

/* l from the stats of p's containers (each in l->containers, their sum in l's usage) and
 * the counters of p's interfaces. */
static int fill_pod_stats(Runtime__V1__LinuxPodSandboxStats *l, cri_daemon *d, const wc_pod *p,
                          wc_error *err)
{
    pod_sum sum = {0};
    wc_container_filter f = {.pod_id = p->id, .state = -1};
    TRY(list_stats(d, &f, &sum, &l->containers, &l->n_containers, err));
    TRY(network_usage(p, &l->network, err));
    l->cpu = cpu_usage(&sum.u);
    l->memory = memory_usage(&sum.u);
    l->process = cri_new(&runtime__v1__process_usage__descriptor);
    if (!l->cpu || !l->memory || !l->process || !(l->process->process_count = u64(sum.running)))
        return nomem(err);
    l->process->timestamp = sum.u.timestamp;
    return 0;
}

static Runtime__V1__PodSandboxStats *pod_stats(cri_daemon *d, const wc_pod *p, wc_error *err)
{
    Runtime__V1__PodSandboxStats *s = cri_new(&runtime__v1__pod_sandbox_stats__descriptor);
    Runtime__V1__LinuxPodSandboxStats *l =
        cri_new(&runtime__v1__linux_pod_sandbox_stats__descriptor);
    if (!s || !l) {
        free(s);
        free(l);
        return nomem(err), NULL;
    }
    s->linux = l;
    s->attributes = pod_attributes(p);
    if (s->attributes == NULL)
        return cri_kept(s, nomem(err));
    return cri_kept(s, fill_pod_stats(l, d, p, err));
}

static int rpc_pod_stats(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                         wc_error *err)
{
    const Runtime__V1__PodSandboxStatsRequest *in = (const void *)req;
    cri_daemon *d = cri_call_daemon(call);
    wc_pod *p = NULL;
    int rc = wc_pod_get(d->sandbox, in->pod_sandbox_id, &p, err);
    if (rc < 0)
        return rc;
    Runtime__V1__PodSandboxStatsResponse *r =
        cri_new(&runtime__v1__pod_sandbox_stats_response__descriptor);
    if (r) {
        *ret_resp = &r->base;
        r->stats = pod_stats(d, p, err);
    }
    wc_pod_free(p);
    if (r == NULL)
        return nomem(err);
    return r->stats ? 0 : err->code;
}

static int rpc_list_pod_stats(cri_call *call, const ProtobufCMessage *req,
                              ProtobufCMessage **ret_resp, wc_error *err)
{
    const Runtime__V1__ListPodSandboxStatsRequest *in = (const void *)req;
    const Runtime__V1__PodSandboxStatsFilter *f = in->filter;
    cri_daemon *d = cri_call_daemon(call);
    _cleanup_strv_ char **selector =
        f ? cri_map_to_kv((void *const *)f->label_selector, f->n_label_selector) : NULL;
    if (f && selector == NULL)
        return nomem(err);
    wc_pod_filter filter = {.id = f ? f->id : NULL, .state = -1, .labels = selector};
    wc_pod **pods = NULL;
    size_t n = 0;
    int rc = wc_pod_list(d->sandbox, &filter, &pods, &n, err);
    if (rc < 0)
        return rc;
    Runtime__V1__ListPodSandboxStatsResponse *r =
        cri_new(&runtime__v1__list_pod_sandbox_stats_response__descriptor);
    if (r) {
        *ret_resp = &r->base;
        r->stats = calloc(n ? n : 1, sizeof(*r->stats));
    }
    rc = r && r->stats ? 0 : nomem(err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        r->stats[i] = pod_stats(d, pods[i], err);
        rc = r->stats[i] ? 0 : err->code;
        r->n_stats += rc == 0;
    }
    wc_pod_list_free(pods, n);
    return rc;
}

const cri_method cri_stats_methods[] = {
    {"ContainerStats", rpc_container_stats, true},
    {"ListContainerStats", rpc_list_container_stats, true},
    {"PodSandboxStats", rpc_pod_stats, true},
    {"ListPodSandboxStats", rpc_list_pod_stats, true},
    {NULL, NULL, false},
};
