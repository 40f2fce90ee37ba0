/* CRI metrics: ListMetricDescriptors and ListPodSandboxMetrics (StreamPodSandboxMetrics is
 * served by the latter through server.c's stream adapter), so that a kubelet with
 * PodAndContainerStatsFromCRI serves /metrics/cadvisor without cAdvisor.
 *
 * Names, help and types are cAdvisor's. Label keys are the runtime's own, as containerd and
 * CRI-O give them: id (the container's or the pod's id), image and name (the container's
 * CRI name, or the pod's), plus cpu ("total"), interface or device where cAdvisor has it;
 * kubelet adds namespace, pod and container itself. Values are the CRI's unsigned integers
 * (CPU in whole seconds). Timestamps are 0: every value is read live. Pod-level metrics are
 * the counters of the pod's network interfaces (net_stats.h); container metrics are the
 * running workers' (stats.h). To add a metric: a line in `defs` and a value in
 * ctr_metrics or iface_metrics.
 */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "convert.h"
#include "net_stats.h"
#include "sandbox.h"
#include "service.h"
#include "stats.h"

enum label_set { BASE, WITH_CPU, WITH_INTERFACE, WITH_DEVICE };

typedef struct metric_def {
    const char *name, *help;
    Runtime__V1__MetricType type;
    enum label_set labels;
} metric_def;

enum {
    M_CPU_USAGE,
    M_MEM_USAGE,
    M_MEM_WORKING_SET,
    M_MEM_RSS,
    M_SPEC_MEM_LIMIT,
    M_FS_USAGE,
    M_PROCESSES,
    M_START_TIME,
    M_RX_BYTES,
    M_RX_PACKETS,
    M_RX_ERRORS,
    M_RX_DROPPED,
    M_TX_BYTES,
    M_TX_PACKETS,
    M_TX_ERRORS,
    M_TX_DROPPED,
    N_METRICS
};

#define COUNTER RUNTIME__V1__METRIC_TYPE__COUNTER
#define GAUGE RUNTIME__V1__METRIC_TYPE__GAUGE

static const metric_def defs[N_METRICS] = {
    [M_CPU_USAGE] = {"container_cpu_usage_seconds_total",
                     "Cumulative cpu time consumed in seconds.", COUNTER, WITH_CPU},
    [M_MEM_USAGE] = {"container_memory_usage_bytes",
                     "Current memory usage in bytes, including all memory regardless of when it "
                     "was accessed",
                     GAUGE, BASE},
    [M_MEM_WORKING_SET] = {"container_memory_working_set_bytes", "Current working set in bytes.",
                           GAUGE, BASE},
    [M_MEM_RSS] = {"container_memory_rss", "Size of RSS in bytes.", GAUGE, BASE},
    [M_SPEC_MEM_LIMIT] = {"container_spec_memory_limit_bytes", "Memory limit for the container.",
                          GAUGE, BASE},
    [M_FS_USAGE] = {"container_fs_usage_bytes",
                    "Number of bytes that are consumed by the container on this filesystem.", GAUGE,
                    WITH_DEVICE},
    [M_PROCESSES] = {"container_processes", "Number of processes running inside the container.",
                     GAUGE, BASE},
    [M_START_TIME] = {"container_start_time_seconds",
                      "Start time of the container since unix epoch in seconds.", GAUGE, BASE},
    [M_RX_BYTES] = {"container_network_receive_bytes_total", "Cumulative count of bytes received",
                    COUNTER, WITH_INTERFACE},
    [M_RX_PACKETS] = {"container_network_receive_packets_total",
                      "Cumulative count of packets received", COUNTER, WITH_INTERFACE},
    [M_RX_ERRORS] = {"container_network_receive_errors_total",
                     "Cumulative count of errors encountered while receiving", COUNTER,
                     WITH_INTERFACE},
    [M_RX_DROPPED] = {"container_network_receive_packets_dropped_total",
                      "Cumulative count of packets dropped while receiving", COUNTER,
                      WITH_INTERFACE},
    [M_TX_BYTES] = {"container_network_transmit_bytes_total",
                    "Cumulative count of bytes transmitted", COUNTER, WITH_INTERFACE},
    [M_TX_PACKETS] = {"container_network_transmit_packets_total",
                      "Cumulative count of packets transmitted", COUNTER, WITH_INTERFACE},
    [M_TX_ERRORS] = {"container_network_transmit_errors_total",
                     "Cumulative count of errors encountered while transmitting", COUNTER,
                     WITH_INTERFACE},
    [M_TX_DROPPED] = {"container_network_transmit_packets_dropped_total",
                      "Cumulative count of packets dropped while transmitting", COUNTER,
                      WITH_INTERFACE},
};

static const char *const extra_key[] = {
    [BASE] = NULL, [WITH_CPU] = "cpu", [WITH_INTERFACE] = "interface", [WITH_DEVICE] = "device"};

#define N_BASE_LABELS 3 /* id, image, name */

static int nomem(wc_error *err)
{
    return wc_error_set(err, -ENOMEM, "out of memory");
}

static Runtime__V1__MetricDescriptor *descriptor(const metric_def *d)
{
    static const char *const base[N_BASE_LABELS] = {"id", "image", "name"};
    Runtime__V1__MetricDescriptor *m = cri_new(&runtime__v1__metric_descriptor__descriptor);
    if (m == NULL)
        return NULL;
    m->name = cri_strdup(d->name);
    m->help = cri_strdup(d->help);
    m->label_keys = calloc(N_BASE_LABELS + 1, sizeof(char *));
    int rc = m->name && m->help && m->label_keys ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < N_BASE_LABELS + (extra_key[d->labels] != NULL); i++) {
        m->label_keys[i] = cri_strdup(i < N_BASE_LABELS ? base[i] : extra_key[d->labels]);
        rc = m->label_keys[i] ? 0 : -ENOMEM;
        m->n_label_keys += rc == 0;
    }
    if (rc < 0) {
        protobuf_c_message_free_unpacked(&m->base, NULL);
        return NULL;
    }
    return m;
}

static int rpc_list_descriptors(cri_call *call, const ProtobufCMessage *req,
                                ProtobufCMessage **ret_resp, wc_error *err)
{
    (void)call;
    (void)req;
    Runtime__V1__ListMetricDescriptorsResponse *r =
        cri_new(&runtime__v1__list_metric_descriptors_response__descriptor);
    if (r == NULL)
        return nomem(err);
    *ret_resp = &r->base;
    r->descriptors = calloc(N_METRICS, sizeof(*r->descriptors));
    if (r->descriptors == NULL)
        return nomem(err);
    for (size_t i = 0; i < N_METRICS; i++) {
        if ((r->descriptors[i] = descriptor(&defs[i])) == NULL)
            return nomem(err);
        r->n_descriptors++;
    }
    return 0;
}

/* ---- values ---- */

/* A growing list of metrics (the repeated field of a pod or a container). */
typedef struct metric_list {
    Runtime__V1__Metric ***items;
    size_t *n;
} metric_list;

/* Appends one metric: labels are id, image, name and the extra label's value (or NULL). */
static int add_metric(metric_list l, int which, const char *const labels[4], uint64_t value)
{
    const metric_def *d = &defs[which];
    Runtime__V1__Metric **grown = realloc(*l.items, (*l.n + 1) * sizeof(*grown));
    if (grown == NULL)
        return -ENOMEM;
    *l.items = grown;
    Runtime__V1__Metric *m = cri_new(&runtime__v1__metric__descriptor);
    if (m == NULL)
        return -ENOMEM;
    grown[(*l.n)++] = m;
    m->name = cri_strdup(d->name);
    m->metric_type = d->type;
    m->value = cri_new(&runtime__v1__uint64_value__descriptor);
    size_t n_labels = N_BASE_LABELS + (extra_key[d->labels] != NULL);
    m->label_values = calloc(n_labels, sizeof(char *));
    if (!m->name || !m->value || !m->label_values)
        return -ENOMEM;
    m->value->value = value;
    for (size_t i = 0; i < n_labels; i++) {
        if ((m->label_values[i] = cri_strdup(labels[i])) == NULL)
            return -ENOMEM;
        m->n_label_values++;
    }
    return 0;
}

static int ctr_metrics(const wc_container *c, Runtime__V1__ContainerMetrics *cm)
{
    wc_usage u;
    wc_container_usage(c, &u);
    char fs[4096];
    wc_container_layer_fs(c, fs, sizeof(fs));
    metric_list l = {&cm->metrics, &cm->n_metrics};
    const char *base[4] = {c->id, c->image, c->name, NULL};
    const char *cpu[4] = {c->id, c->image, c->name, "total"};
    const char *dev[4] = {c->id, c->image, c->name, fs};
    TRY(add_metric(l, M_CPU_USAGE, cpu, u.cpu_ns / 1000000000ULL));
    TRY(add_metric(l, M_MEM_USAGE, base, u.rss_bytes));
    TRY(add_metric(l, M_MEM_WORKING_SET, base, u.working_set));
    TRY(add_metric(l, M_MEM_RSS, base, u.rss_bytes));
    TRY(add_metric(l, M_SPEC_MEM_LIMIT, base,
                   c->res.memory_limit > 0 ? (uint64_t)c->res.memory_limit : 0));
    TRY(add_metric(l, M_FS_USAGE, dev, u.layer_bytes));
    TRY(add_metric(l, M_PROCESSES, base, u.running));
    return add_metric(l, M_START_TIME, base, (uint64_t)c->started_at / 1000000000ULL);
}

static int iface_metrics(const wc_pod *p, const wc_net_iface *it, metric_list l)
{
    const char *labels[4] = {p->id, "", p->name, it->name};
    TRY(add_metric(l, M_RX_BYTES, labels, it->rx_bytes));
    TRY(add_metric(l, M_RX_PACKETS, labels, it->rx_packets));
    TRY(add_metric(l, M_RX_ERRORS, labels, it->rx_errors));
    TRY(add_metric(l, M_RX_DROPPED, labels, it->rx_dropped));
    TRY(add_metric(l, M_TX_BYTES, labels, it->tx_bytes));
    TRY(add_metric(l, M_TX_PACKETS, labels, it->tx_packets));
    TRY(add_metric(l, M_TX_ERRORS, labels, it->tx_errors));
    return add_metric(l, M_TX_DROPPED, labels, it->tx_dropped);
}

/* The metrics of pod p: its interfaces and its running containers (all of ctrs whose pod
 * it is). */
static int pod_metrics(const wc_pod *p, const wc_net_ifaces *net, wc_container *const *ctrs,
                       size_t n_ctrs, Runtime__V1__PodSandboxMetrics *pm)
{
    pm->pod_sandbox_id = cri_strdup(p->id);
    if (pm->pod_sandbox_id == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < net->n; i++)
        TRY(iface_metrics(p, &net->items[i], (metric_list){&pm->metrics, &pm->n_metrics}));
    pm->container_metrics = calloc(n_ctrs ? n_ctrs : 1, sizeof(*pm->container_metrics));
    if (pm->container_metrics == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n_ctrs; i++) {
        if (strcmp(ctrs[i]->pod_id, p->id) != 0)
            continue;
        Runtime__V1__ContainerMetrics *cm = cri_new(&runtime__v1__container_metrics__descriptor);
        if (cm == NULL)
            return -ENOMEM;
        pm->container_metrics[pm->n_container_metrics++] = cm;
        if ((cm->container_id = cri_strdup(ctrs[i]->id)) == NULL)
            return -ENOMEM;
        TRY(ctr_metrics(ctrs[i], cm));
    }
    return 0;
}

typedef struct snapshot {
    wc_pod **pods;
    size_t n_pods;
    wc_container **ctrs;
    size_t n_ctrs;
    char **netns; /* per pod: its namespace, "" when it has none to read */
    wc_net_ifaces *net;
} snapshot;

static void snapshot_clear(snapshot *s)
{
    for (size_t i = 0; s->net && i < s->n_pods; i++)
        wc_net_ifaces_clear(&s->net[i]);
    free(s->net);
    free(s->netns);
    wc_pod_list_free(s->pods, s->n_pods);
    wc_container_list_free(s->ctrs, s->n_ctrs);
}

/* Ready pods, running containers, and the pods' interface counters. */
static int take_snapshot(wc_sandbox *sb, snapshot *s, wc_error *err)
{
    wc_pod_filter pf = {.state = WC_POD_READY};
    wc_container_filter cf = {.state = WC_CTR_RUNNING};
    TRY(wc_pod_list(sb, &pf, &s->pods, &s->n_pods, err));
    TRY(wc_container_list(sb, &cf, &s->ctrs, &s->n_ctrs, err));
    s->netns = calloc(s->n_pods + 1, sizeof(char *));
    s->net = calloc(s->n_pods + 1, sizeof(wc_net_ifaces));
    if (s->netns == NULL || s->net == NULL)
        return nomem(err);
    for (size_t i = 0; i < s->n_pods; i++)
        s->netns[i] = s->pods[i]->netns_path;
    return s->n_pods ? wc_net_ifaces_read(s->netns, s->n_pods, s->net, err) : 0;
}

static int rpc_list_pod_metrics(cri_call *call, const ProtobufCMessage *req,
                                ProtobufCMessage **ret_resp, wc_error *err)
{
    (void)req;
    _cleanup_(snapshot_clear) snapshot s = {0};
    TRY(take_snapshot(cri_call_daemon(call)->sandbox, &s, err));
    Runtime__V1__ListPodSandboxMetricsResponse *r =
        cri_new(&runtime__v1__list_pod_sandbox_metrics_response__descriptor);
    if (r == NULL)
        return nomem(err);
    *ret_resp = &r->base;
    r->pod_metrics = calloc(s.n_pods ? s.n_pods : 1, sizeof(*r->pod_metrics));
    if (r->pod_metrics == NULL)
        return nomem(err);
    for (size_t i = 0; i < s.n_pods; i++) {
        Runtime__V1__PodSandboxMetrics *pm = cri_new(&runtime__v1__pod_sandbox_metrics__descriptor);
        if (pm == NULL)
            return nomem(err);
        r->pod_metrics[r->n_pod_metrics++] = pm;
        if (pod_metrics(s.pods[i], &s.net[i], s.ctrs, s.n_ctrs, pm) < 0)
            return nomem(err);
    }
    return 0;
}

const cri_method cri_metrics_methods[] = {
    {"ListMetricDescriptors", rpc_list_descriptors, false},
    {"ListPodSandboxMetrics", rpc_list_pod_metrics, true},
    {NULL, NULL, false},
};
