/* Stats views (stats_view.h): CRI stats messages laid out in one struct per record,
 * pointing into the record's strings and the usage sample. Only the variable parts (map
 * entries, a pod's containers and interfaces) are allocated, and kept for the next fill.
 */
#include "stats_view.h"

#include <stdlib.h>
#include <string.h>

#include "messages.h"
#include "stats.h"

static Runtime__V1__UInt64Value *u64(Runtime__V1__UInt64Value *slot, uint64_t value)
{
    runtime__v1__uint64_value__init(slot);
    slot->value = value;
    return slot;
}

/* cpu and mem from u; v: 5 values. */
static void usage_fill(Runtime__V1__CpuUsage *cpu, Runtime__V1__MemoryUsage *mem,
                       Runtime__V1__UInt64Value *v, const wc_usage *u, bool rate)
{
    runtime__v1__cpu_usage__init(cpu);
    cpu->timestamp = u->timestamp;
    cpu->usage_core_nano_seconds = u64(&v[0], u->cpu_ns);
    if (rate)
        cpu->usage_nano_cores = u64(&v[1], u->nano_cores);
    runtime__v1__memory_usage__init(mem);
    mem->timestamp = u->timestamp;
    mem->working_set_bytes = u64(&v[2], u->working_set);
    mem->usage_bytes = u64(&v[3], u->rss_bytes);
    mem->rss_bytes = u64(&v[4], u->rss_bytes);
}

static int ctr_attributes(ctr_stats_view *v, const wc_container *c)
{
    Runtime__V1__ContainerAttributes *a = &v->a;
    runtime__v1__container_attributes__init(a);
    cri_ctr_metadata_view(&v->md, c);
    a->id = (char *)c->id;
    a->metadata = &v->md;
    TRY(cri_map_view_fill(&v->labels, c->labels,
                          &runtime__v1__container_attributes__labels_entry__descriptor,
                          (void ***)&a->labels, &a->n_labels));
    return cri_map_view_fill(&v->annotations, c->annotations,
                             &runtime__v1__container_attributes__annotations_entry__descriptor,
                             (void ***)&a->annotations, &a->n_annotations);
}

/* The writable layer: always its filesystem (kubelet looks it up, sample or not), its
 * use from the sample. */
static void layer_fill(ctr_stats_view *v, const wc_container *c, const wc_usage *u)
{
    runtime__v1__filesystem_usage__init(&v->fs);
    runtime__v1__filesystem_identifier__init(&v->fs_id);
    wc_container_layer_fs(c, v->layer_fs, sizeof(v->layer_fs));
    v->fs_id.mountpoint = v->layer_fs;
    v->fs.fs_id = &v->fs_id;
    v->s.writable_layer = &v->fs;
    if (u->timestamp == 0)
        return;
    v->fs.timestamp = u->timestamp;
    v->fs.used_bytes = u64(&v->v[5], u->layer_bytes);
    v->fs.inodes_used = u64(&v->v[6], u->layer_inodes);
}

int ctr_stats_view_fill(ctr_stats_view *v, const wc_container *c, const wc_usage *u)
{
    runtime__v1__container_stats__init(&v->s);
    TRY(ctr_attributes(v, c));
    v->s.attributes = &v->a;
    layer_fill(v, c, u);
    if (u->timestamp == 0)
        return 0;
    usage_fill(&v->cpu, &v->mem, v->v, u, true);
    v->s.cpu = &v->cpu;
    v->s.memory = &v->mem;
    return 0;
}

void ctr_stats_view_clear(ctr_stats_view *v)
{
    cri_map_view_clear(&v->labels);
    cri_map_view_clear(&v->annotations);
}

static int pod_attributes(pod_stats_view *v, const wc_pod *p)
{
    Runtime__V1__PodSandboxAttributes *a = &v->a;
    runtime__v1__pod_sandbox_attributes__init(a);
    cri_pod_metadata_view(&v->md, p);
    a->id = (char *)p->id;
    a->metadata = &v->md;
    TRY(cri_map_view_fill(&v->labels, p->labels,
                          &runtime__v1__pod_sandbox_attributes__labels_entry__descriptor,
                          (void ***)&a->labels, &a->n_labels));
    return cri_map_view_fill(&v->annotations, p->annotations,
                             &runtime__v1__pod_sandbox_attributes__annotations_entry__descriptor,
                             (void ***)&a->annotations, &a->n_annotations);
}

/* The pod's containers, each with its sample, summed into *sum; processes counted. */
static int pod_containers(pod_stats_view *v, const wc_ctr_seen *ctrs, size_t n, wc_usage *sum,
                          uint64_t *running)
{
    if (n > v->cap_ctrs) {
        TRY(cri_grow((void **)&v->ctrs, sizeof(*v->ctrs), n));
        memset(v->ctrs + v->cap_ctrs, 0, (n - v->cap_ctrs) * sizeof(*v->ctrs));
        v->cap_ctrs = n;
        TRY(cri_grow((void **)&v->ctr_ptrs, sizeof(*v->ctr_ptrs), n));
    }
    for (size_t i = 0; i < n; i++) {
        const wc_usage *u = &ctrs[i].usage;
        TRY(ctr_stats_view_fill(&v->ctrs[i], ctrs[i].c, u));
        v->ctr_ptrs[i] = &v->ctrs[i].s;
        if (u->timestamp > sum->timestamp)
            sum->timestamp = u->timestamp;
        sum->cpu_ns += u->cpu_ns;
        sum->rss_bytes += u->rss_bytes;
        sum->working_set += u->working_set;
        *running += u->running;
    }
    v->l.containers = v->ctr_ptrs;
    v->l.n_containers = n;
    return 0;
}

static Runtime__V1__NetworkInterfaceUsage *
iface(Runtime__V1__NetworkInterfaceUsage *i, Runtime__V1__UInt64Value *v, const wc_net_iface *it)
{
    runtime__v1__network_interface_usage__init(i);
    i->name = (char *)it->name;
    i->rx_bytes = u64(&v[0], it->rx_bytes);
    i->rx_errors = u64(&v[1], it->rx_errors);
    i->tx_bytes = u64(&v[2], it->tx_bytes);
    i->tx_errors = u64(&v[3], it->tx_errors);
    return i;
}

/* The pod's interfaces from its last sample; none when it has none. The default
 * interface is eth0 (CNI_IFNAME), or the first. */
static int pod_network(pod_stats_view *v, const wc_pod_seen *p)
{
    const wc_net_ifaces *net = &p->net;
    if (net->n == 0)
        return 0;
    if (net->n > v->cap_ifaces) {
        TRY(cri_grow((void **)&v->ifaces, sizeof(*v->ifaces), net->n));
        TRY(cri_grow((void **)&v->iface_ptrs, sizeof(*v->iface_ptrs), net->n));
        TRY(cri_grow((void **)&v->iface_v, 4 * sizeof(*v->iface_v), net->n));
        v->cap_ifaces = net->n;
    }
    runtime__v1__network_usage__init(&v->net);
    v->net.timestamp = p->net_at;
    for (size_t i = 0; i < net->n; i++) {
        v->iface_ptrs[i] = iface(&v->ifaces[i], &v->iface_v[4 * i], &net->items[i]);
        if (strcmp(net->items[i].name, "eth0") == 0 || v->net.default_interface == NULL)
            v->net.default_interface = v->iface_ptrs[i];
    }
    v->net.interfaces = v->iface_ptrs;
    v->net.n_interfaces = net->n;
    v->l.network = &v->net;
    return 0;
}

int pod_stats_view_fill(pod_stats_view *v, const wc_pod_seen *p)
{
    runtime__v1__pod_sandbox_stats__init(&v->s);
    runtime__v1__linux_pod_sandbox_stats__init(&v->l);
    TRY(pod_attributes(v, p->p));
    v->s.attributes = &v->a;
    v->s.linux = &v->l;
    wc_usage sum = {0};
    uint64_t running = 0;
    TRY(pod_containers(v, p->ctrs, p->n_ctrs, &sum, &running));
    TRY(pod_network(v, p));
    usage_fill(&v->cpu, &v->mem, v->v, &sum, false);
    v->l.cpu = &v->cpu;
    v->l.memory = &v->mem;
    runtime__v1__process_usage__init(&v->proc);
    v->proc.timestamp = sum.timestamp;
    v->proc.process_count = u64(&v->v[5], running);
    v->l.process = &v->proc;
    return 0;
}

void pod_stats_view_clear(pod_stats_view *v)
{
    for (size_t i = 0; i < v->cap_ctrs; i++)
        ctr_stats_view_clear(&v->ctrs[i]);
    free(v->ctrs);
    free(v->ctr_ptrs);
    free(v->ifaces);
    free(v->iface_ptrs);
    free(v->iface_v);
    cri_map_view_clear(&v->labels);
    cri_map_view_clear(&v->annotations);
    memset(v, 0, sizeof(*v));
}
