/* RuntimeService pod rpcs: RunPodSandbox, StopPodSandbox, RemovePodSandbox,
 * PodSandboxStatus, ListPodSandbox. Each handler translates the CRI message to the
 * sandbox's C types (wasm/sandbox/pod.h), calls wc_pod_*, and builds the reply.
 * ListPodSandbox packs a walk of every pod (sandbox.h) on a handler thread.
 * To add a pod field the CRI reports: pod.h, then cri_pod_metadata_new/fill below.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "convert.h"
#include "map_view.h"
#include "messages.h"
#include "request_spec.h"
#include "runtime_handlers.h"
#include "sandbox.h"
#include "service.h"
#include "strv.h"

static int nomem(wc_error *err)
{
    return wc_error_set(err, -ENOMEM, "out of memory");
}

void cri_pod_spec_owned_free(pod_spec_owned *o)
{
    wc_strv_free(o->labels);
    wc_strv_free(o->annotations);
    wc_strv_free(o->dns_servers);
    wc_strv_free(o->dns_searches);
    wc_strv_free(o->dns_options);
    free(o->ports);
}

static bool is_port(int32_t p)
{
    return p > 0 && p <= 65535;
}

/* PodSandboxConfig.port_mappings, checked: they reach CNI plugins and the guest. */
static int port_mappings(const Runtime__V1__PodSandboxConfig *c, wc_pod_spec *s, pod_spec_owned *o,
                         wc_error *err)
{
    if (c->n_port_mappings == 0)
        return 0;
    o->ports = calloc(c->n_port_mappings, sizeof(*o->ports));
    if (o->ports == NULL)
        return nomem(err);
    for (size_t i = 0; i < c->n_port_mappings; i++) {
        const Runtime__V1__PortMapping *m = c->port_mappings[i];
        char *host_ip = m->host_ip ? m->host_ip : "";
        unsigned char addr[16];
        if (!is_port(m->container_port) || (m->host_port != 0 && !is_port(m->host_port)) ||
            (int)m->protocol < WC_PROTO_TCP || (int)m->protocol > WC_PROTO_SCTP ||
            (*host_ip && inet_pton(AF_INET, host_ip, addr) != 1 &&
             inet_pton(AF_INET6, host_ip, addr) != 1))
            return wc_error_set(err, -EINVAL,
                                "RunPodSandbox: port_mappings[%zu] (container_port %d, host_port "
                                "%d, protocol %d, host_ip \"%.64s\") is not a valid port mapping",
                                i, m->container_port, m->host_port, (int)m->protocol, host_ip);
        o->ports[i] = (wc_port_mapping){(int)m->protocol, m->container_port, m->host_port, host_ip};
    }
    s->port_mappings = o->ports;
    s->n_port_mappings = c->n_port_mappings;
    return 0;
}

int cri_pod_spec_from(const Runtime__V1__PodSandboxConfig *c, const char *handler, wc_pod_spec *s,
                      pod_spec_owned *o, wc_error *err)
{
    if (c == NULL || c->metadata == NULL)
        return wc_error_set(err, -EINVAL, "RunPodSandbox: the config has no metadata");
    TRY(cri_runtime_handler_check(handler, err));
    memset(s, 0, sizeof(*s));
    s->name = c->metadata->name;
    s->uid = c->metadata->uid;
    s->namespace_ = c->metadata->namespace_;
    s->attempt = c->metadata->attempt;
    s->hostname = c->hostname;
    s->log_directory = c->log_directory;
    s->runtime_handler = handler;
    o->labels = cri_map_to_kv((void *const *)c->labels, c->n_labels);
    o->annotations = cri_map_to_kv((void *const *)c->annotations, c->n_annotations);
    const Runtime__V1__DNSConfig *dns = c->dns_config;
    o->dns_servers = cri_repeated_to_strv(dns ? dns->servers : NULL, dns ? dns->n_servers : 0);
    o->dns_searches = cri_repeated_to_strv(dns ? dns->searches : NULL, dns ? dns->n_searches : 0);
    o->dns_options = cri_repeated_to_strv(dns ? dns->options : NULL, dns ? dns->n_options : 0);
    if (!o->labels || !o->annotations || !o->dns_servers || !o->dns_searches || !o->dns_options)
        return nomem(err);
    s->labels = o->labels;
    s->annotations = o->annotations;
    s->dns_servers = o->dns_servers;
    s->dns_searches = o->dns_searches;
    s->dns_options = o->dns_options;
    const Runtime__V1__LinuxPodSandboxConfig *lx = c->linux;
    const Runtime__V1__NamespaceOption *ns =
        lx && lx->security_context ? lx->security_context->namespace_options : NULL;
    s->cgroup_parent = lx ? lx->cgroup_parent : "";
    s->net_mode = ns ? (int)ns->network : WC_NS_POD;
    s->pid_mode = ns ? (int)ns->pid : WC_NS_POD;
    s->ipc_mode = ns ? (int)ns->ipc : WC_NS_POD;
    return port_mappings(c, s, o, err);
}

static bool uses_host_network(const Runtime__V1__PodSandboxConfig *c)
{
    const Runtime__V1__LinuxPodSandboxConfig *lx = c ? c->linux : NULL;
    const Runtime__V1__NamespaceOption *ns =
        lx && lx->security_context ? lx->security_context->namespace_options : NULL;
    return ns && ns->network == RUNTIME__V1__NAMESPACE_MODE__NODE;
}

/* A pod with its own network namespace may wait for CNI plugins: not on a queue thread. */
static bool run_pod_is_slow(cri_call *call, const ProtobufCMessage *req)
{
    (void)call;
    return !uses_host_network(((const Runtime__V1__RunPodSandboxRequest *)req)->config);
}

static int rpc_run_pod(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                       wc_error *err)
{
    const Runtime__V1__RunPodSandboxRequest *in = (const void *)req;
    wc_pod_spec spec;
    _cleanup_(cri_pod_spec_owned_free) pod_spec_owned owned = {0};
    char id[WC_ID_SIZE];
    TRY(cri_pod_spec_from(in->config, in->runtime_handler, &spec, &owned, err));
    TRY(wc_pod_run(cri_call_daemon(call)->sandbox, &spec, id, err));
    Runtime__V1__RunPodSandboxResponse *r =
        cri_new(&runtime__v1__run_pod_sandbox_response__descriptor);
    if (r == NULL)
        return nomem(err);
    *ret_resp = &r->base;
    r->pod_sandbox_id = strdup(id);
    return r->pod_sandbox_id ? 0 : nomem(err);
}

static int rpc_stop_pod(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                        wc_error *err)
{
    const Runtime__V1__StopPodSandboxRequest *in = (const void *)req;
    int rc = wc_pod_stop(cri_call_daemon(call)->sandbox, in->pod_sandbox_id, err);
    if (rc < 0)
        return rc;
    *ret_resp = cri_new(&runtime__v1__stop_pod_sandbox_response__descriptor);
    return *ret_resp ? 0 : nomem(err);
}

static int rpc_remove_pod(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                          wc_error *err)
{
    const Runtime__V1__RemovePodSandboxRequest *in = (const void *)req;
    int rc = wc_pod_remove(cri_call_daemon(call)->sandbox, in->pod_sandbox_id, err);
    if (rc < 0)
        return rc;
    *ret_resp = cri_new(&runtime__v1__remove_pod_sandbox_response__descriptor);
    return *ret_resp ? 0 : nomem(err);
}

/* In-place pod resize: kubelet set the pod's cgroup first; the runtime keeps and applies it. */
static int rpc_update_pod_resources(cri_call *call, const ProtobufCMessage *req,
                                    ProtobufCMessage **ret_resp, wc_error *err)
{
    const Runtime__V1__UpdatePodSandboxResourcesRequest *in = (const void *)req;
    wc_resources res = {0}, overhead = {0};
    cri_resources_from(in->resources, &res);
    cri_resources_from(in->overhead, &overhead);
    TRY(wc_pod_update_resources(cri_call_daemon(call)->sandbox, in->pod_sandbox_id, &res, &overhead,
                                err));
    *ret_resp = cri_new(&runtime__v1__update_pod_sandbox_resources_response__descriptor);
    return *ret_resp ? 0 : nomem(err);
}

Runtime__V1__PodSandboxMetadata *cri_pod_metadata_new(const wc_pod *p)
{
    Runtime__V1__PodSandboxMetadata *m = cri_new(&runtime__v1__pod_sandbox_metadata__descriptor);
    if (m == NULL)
        return NULL;
    m->name = cri_strdup(p->name);
    m->uid = cri_strdup(p->uid);
    m->namespace_ = cri_strdup(p->namespace_);
    m->attempt = p->attempt;
    if (!m->name || !m->uid || !m->namespace_) {
        protobuf_c_message_free_unpacked(&m->base, NULL);
        return NULL;
    }
    return m;
}

void cri_pod_metadata_view(Runtime__V1__PodSandboxMetadata *md, const wc_pod *p)
{
    runtime__v1__pod_sandbox_metadata__init(md);
    md->name = p->name;
    md->uid = p->uid;
    md->namespace_ = p->namespace_;
    md->attempt = p->attempt;
}

static Runtime__V1__LinuxPodSandboxStatus *pod_linux_status(const wc_pod *p)
{
    Runtime__V1__LinuxPodSandboxStatus *l =
        cri_new(&runtime__v1__linux_pod_sandbox_status__descriptor);
    Runtime__V1__Namespace *ns = cri_new(&runtime__v1__namespace__descriptor);
    Runtime__V1__NamespaceOption *o = cri_new(&runtime__v1__namespace_option__descriptor);
    if (!l || !ns || !o) {
        free(l);
        free(ns);
        free(o);
        return NULL;
    }
    o->network = (Runtime__V1__NamespaceMode)p->net_mode;
    o->pid = (Runtime__V1__NamespaceMode)p->pid_mode;
    o->ipc = (Runtime__V1__NamespaceMode)p->ipc_mode;
    ns->options = o;
    l->namespaces = ns;
    return l;
}

/* network: the pod's IPs; none at all for the host network or a pod without an IP. */
static int pod_network(const wc_pod *p, Runtime__V1__PodSandboxStatus *s)
{
    if (p->net_mode == WC_NS_NODE || p->ips[0] == NULL)
        return 0;
    Runtime__V1__PodSandboxNetworkStatus *n =
        cri_new(&runtime__v1__pod_sandbox_network_status__descriptor);
    if (n == NULL)
        return -ENOMEM;
    s->network = n;
    size_t extra = wc_strv_len(p->ips) - 1;
    n->ip = strdup(p->ips[0]);
    n->additional_ips = calloc(extra ? extra : 1, sizeof(*n->additional_ips));
    if (n->ip == NULL || n->additional_ips == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < extra; i++) {
        Runtime__V1__PodIP *ip = cri_new(&runtime__v1__pod_ip__descriptor);
        if (ip == NULL)
            return -ENOMEM;
        n->additional_ips[n->n_additional_ips++] = ip;
        if ((ip->ip = strdup(p->ips[i + 1])) == NULL)
            return -ENOMEM;
    }
    return 0;
}

static int fill_status(const wc_pod *p, Runtime__V1__PodSandboxStatus *s)
{
    s->id = strdup(p->id);
    s->metadata = cri_pod_metadata_new(p);
    s->state = p->state == WC_POD_READY ? RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY
                                        : RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
    s->created_at = p->created_at;
    s->linux = pod_linux_status(p);
    s->runtime_handler = cri_strdup(p->runtime_handler);
    if (!s->id || !s->metadata || !s->linux || !s->runtime_handler)
        return -ENOMEM;
    TRY(pod_network(p, s));
    TRY(cri_kv_to_map(p->labels, &runtime__v1__pod_sandbox_status__labels_entry__descriptor,
                      (void ***)&s->labels, &s->n_labels));
    return cri_kv_to_map(p->annotations,
                         &runtime__v1__pod_sandbox_status__annotations_entry__descriptor,
                         (void ***)&s->annotations, &s->n_annotations);
}

Runtime__V1__PodSandboxStatus *cri_pod_status_new(const wc_pod *p)
{
    Runtime__V1__PodSandboxStatus *s = cri_new(&runtime__v1__pod_sandbox_status__descriptor);
    return s ? cri_kept(s, fill_status(p, s)) : NULL;
}

typedef struct ctr_statuses {
    Runtime__V1__PodSandboxStatusResponse *r;
    size_t cap;
} ctr_statuses;

static int add_ctr_status(void *ctx, const wc_container *c)
{
    ctr_statuses *out = ctx;
    return cri_append((void ***)&out->r->containers_statuses, &out->r->n_containers_statuses,
                      &out->cap, cri_ctr_status_new(c));
}

/* The statuses of the pod's containers (kubelet's evented PLEG reads them here). */
static int pod_containers(cri_daemon *d, const wc_pod *p, Runtime__V1__PodSandboxStatusResponse *r)
{
    wc_container_filter f = {.pod_id = p->id, .state = -1};
    ctr_statuses out = {.r = r};
    return wc_container_each(d->sandbox, &f, add_ctr_status, &out);
}

static json_t *resources_json(const wc_resources *r)
{
    return json_pack("{s:I, s:I, s:I, s:I}", "cpu_period", (json_int_t)r->cpu_period, "cpu_quota",
                     (json_int_t)r->cpu_quota, "cpu_shares", (json_int_t)r->cpu_shares,
                     "memory_limit_in_bytes", (json_int_t)r->memory_limit);
}

/* verbose: {"info": JSON} with where the pod lives on the host and its last resize. */
static int pod_info(const wc_pod *p, Runtime__V1__PodSandboxStatusResponse *r)
{
    char dir[4096];
    json_t *o =
        json_pack("{s:s, s:s, s:b, s:s, s:s, s:o, s:o}", "netns", p->netns_path, "dir",
                  wc_pod_dir(p, dir, sizeof(dir)), "host_network", p->net_mode == WC_NS_NODE,
                  "hostname", p->hostname, "log_directory", p->log_directory, "resources",
                  resources_json(&p->res), "overhead", resources_json(&p->overhead));
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    char *kv[] = {"info", text, NULL};
    int rc =
        text ? cri_kv_to_map(kv, &runtime__v1__pod_sandbox_status_response__info_entry__descriptor,
                             (void ***)&r->info, &r->n_info)
             : -ENOMEM;
    free(text);
    return rc;
}

/* The status of p, its containers' and, when verbose, its info; -ENOMEM. */
static int fill_status_response(Runtime__V1__PodSandboxStatusResponse *r, cri_daemon *d,
                                const wc_pod *p, bool verbose)
{
    if ((r->status = cri_pod_status_new(p)) == NULL)
        return -ENOMEM;
    TRY(pod_containers(d, p, r));
    return verbose ? pod_info(p, r) : 0;
}

static int rpc_pod_status(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                          wc_error *err)
{
    const Runtime__V1__PodSandboxStatusRequest *in = (const void *)req;
    _cleanup_(wc_pod_freep) wc_pod *p = NULL;
    TRY(wc_pod_get(cri_call_daemon(call)->sandbox, in->pod_sandbox_id, &p, err));
    Runtime__V1__PodSandboxStatusResponse *r =
        cri_new(&runtime__v1__pod_sandbox_status_response__descriptor);
    if (r == NULL)
        return nomem(err);
    *ret_resp = &r->base;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    r->timestamp = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
    return fill_status_response(r, cri_call_daemon(call), p, in->verbose) < 0 ? nomem(err) : 0;
}

/* ListPodSandbox's item for a pod, borrowing its record's strings (a walk's: sandbox.h). */
typedef struct pod_item_view {
    cri_packer p;
    Runtime__V1__PodSandbox s;
    Runtime__V1__PodSandboxMetadata md;
    cri_map_view labels, annotations;
} pod_item_view;

/* One item of ListPodSandboxResponse (packer.h). */
static int pack_pod_item(void *ctx, const wc_pod_seen *seen)
{
    pod_item_view *v = ctx;
    const wc_pod *p = seen->p;
    Runtime__V1__PodSandbox *s = &v->s;
    runtime__v1__pod_sandbox__init(s);
    cri_pod_metadata_view(&v->md, p);
    s->id = (char *)p->id;
    s->metadata = &v->md;
    s->state = seen->state == WC_POD_READY ? RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY
                                           : RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
    s->created_at = p->created_at;
    s->runtime_handler = p->runtime_handler;
    TRY(cri_map_view_fill(&v->labels, p->labels,
                          &runtime__v1__pod_sandbox__labels_entry__descriptor, (void ***)&s->labels,
                          &s->n_labels));
    TRY(cri_map_view_fill(&v->annotations, p->annotations,
                          &runtime__v1__pod_sandbox__annotations_entry__descriptor,
                          (void ***)&s->annotations, &s->n_annotations));
    return cri_packer_add_field(&v->p, &runtime__v1__list_pod_sandbox_response__descriptor, "items",
                                &s->base);
}

static int rpc_list_pods(cri_call *call, const ProtobufCMessage *req, ProtobufCMessage **ret_resp,
                         wc_error *err)
{
    const Runtime__V1__ListPodSandboxRequest *in = (const void *)req;
    const Runtime__V1__PodSandboxFilter *f = in->filter;
    (void)ret_resp;
    _cleanup_strv_ char **selector =
        f ? cri_map_to_kv((void *const *)f->label_selector, f->n_label_selector) : NULL;
    if (f && selector == NULL)
        return nomem(err);
    wc_pod_filter filter = {
        .id = f ? f->id : NULL,
        .state = f && f->state ? (int)f->state->state : -1,
        .labels = selector,
    };
    pod_item_view v = {0};
    cri_packer_init(&v.p);
    int rc = wc_pod_walk(cri_call_daemon(call)->sandbox, &filter, false, pack_pod_item, &v);
    cri_map_view_clear(&v.labels);
    cri_map_view_clear(&v.annotations);
    if (rc < 0) {
        cri_packer_clear(&v.p);
        return nomem(err);
    }
    return cri_reply_packed(call, &v.p, err);
}

const cri_method cri_pod_methods[] = {
    {"RunPodSandbox", rpc_run_pod, false},
    /* slow: they wait for the pod's containers to stop (and their starts in flight), and run
     * CNI DEL for a networked pod */
    {"StopPodSandbox", rpc_stop_pod, true},
    {"RemovePodSandbox", rpc_remove_pod, true},
    {"PodSandboxStatus", rpc_pod_status, false},
    {"ListPodSandbox", rpc_list_pods, true},
    {"UpdatePodSandboxResources", rpc_update_pod_resources, false},
    {NULL, NULL, false},
};

const cri_slow_rule cri_pod_slow_rules[] = {
    {"RunPodSandbox", run_pod_is_slow},
    {NULL, NULL},
};
