/* Pod records: creation from a RunPodSandbox spec, and the table of stored fields,
 * which drives the JSON codec, copies and frees (common/record_table.h). To add a
 * field: the member in pod.h, one line in pod_fields, and its copy in copy_spec or
 * wc_pod_from_spec if RunPodSandbox sets it (tests/unit/test_records.c round-trips it).
 */
#include "pod.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "record.h"
#include "record_table.h"

static const wc_field port_mapping_fields[] = {
    WC_F_ENUM(wc_port_mapping, protocol, "protocol", WC_PROTO_SCTP, WC_PROTO_TCP),
    WC_F_INT(wc_port_mapping, container_port, "container_port"),
    WC_F_INT(wc_port_mapping, host_port, "host_port"),
    WC_F_STR(wc_port_mapping, host_ip, "host_ip"),
};
static const wc_record_desc port_mapping_desc =
    WC_RECORD_DESC(wc_port_mapping, port_mapping_fields);

static const wc_field pod_fields[] = {
    WC_F_ID(wc_pod, id, "id"),
    WC_F_STR(wc_pod, name, "name"),
    WC_F_STR(wc_pod, uid, "uid"),
    WC_F_STR(wc_pod, namespace_, "namespace"),
    WC_F_U32(wc_pod, attempt, "attempt"),
    WC_F_STRV(wc_pod, labels, "labels"),
    WC_F_STRV(wc_pod, annotations, "annotations"),
    WC_F_STR(wc_pod, hostname, "hostname"),
    WC_F_STR(wc_pod, log_directory, "log_directory"),
    WC_F_STR(wc_pod, runtime_handler, "runtime_handler"),
    WC_F_STR(wc_pod, cgroup_parent, "cgroup_parent"),
    WC_F_STRV(wc_pod, dns_servers, "dns_servers"),
    WC_F_STRV(wc_pod, dns_searches, "dns_searches"),
    WC_F_STRV(wc_pod, dns_options, "dns_options"),
    WC_F_INT(wc_pod, net_mode, "net_mode"),
    WC_F_INT(wc_pod, pid_mode, "pid_mode"),
    WC_F_INT(wc_pod, ipc_mode, "ipc_mode"),
    WC_F_ARRAY(wc_pod, port_mappings, n_port_mappings, "port_mappings", &port_mapping_desc),
    WC_F_STR(wc_pod, netns_path, "netns_path"),
    WC_F_STRV_CHANGES(wc_pod, ips, "ips"),
    WC_F_STR_CHANGES(wc_pod, cni_state, "cni_state"),
    WC_F_STR_SHARED(wc_pod, dir_parent, "dir"),
    WC_F_ENUM(wc_pod, state, "state", WC_POD_NOTREADY, WC_POD_NOTREADY),
    WC_F_I64(wc_pod, created_at, "created_at"),
    WC_F_I64(wc_pod, res.cpu_period, "cpu_period"),
    WC_F_I64(wc_pod, res.cpu_quota, "cpu_quota"),
    WC_F_I64(wc_pod, res.cpu_shares, "cpu_shares"),
    WC_F_I64(wc_pod, res.memory_limit, "memory_limit"),
    WC_F_I64(wc_pod, overhead.cpu_period, "overhead_cpu_period"),
    WC_F_I64(wc_pod, overhead.cpu_quota, "overhead_cpu_quota"),
    WC_F_I64(wc_pod, overhead.cpu_shares, "overhead_cpu_shares"),
    WC_F_I64(wc_pod, overhead.memory_limit, "overhead_memory_limit"),
};
static const wc_record_desc pod_desc = WC_RECORD_DESC_PACKED(wc_pod, pod_fields, packed);

void wc_pod_free(wc_pod *pod)
{
    if (pod)
        wc_net_ifaces_clear(&pod->net);
    wc_record_free(&pod_desc, pod);
}

void wc_pod_freep(wc_pod **pod)
{
    wc_pod_free(*pod);
}

void wc_pod_list_free(wc_pod **pods, size_t n)
{
    for (size_t i = 0; pods && i < n; i++)
        wc_pod_free(pods[i]);
    free(pods);
}

/* The spec's port mappings over p's empty array: 0 or -ENOMEM. */
static int copy_port_mappings(const wc_pod_spec *s, wc_pod *p)
{
    wc_port_mapping *a = calloc(s->n_port_mappings ? s->n_port_mappings : 1, sizeof(*a));
    if (a == NULL)
        return -ENOMEM;
    free(p->port_mappings);
    p->port_mappings = a;
    for (size_t i = 0; i < s->n_port_mappings; i++) {
        p->n_port_mappings = i + 1; /* so that a partial copy is freed with the record */
        TRY(wc_record_copy(&port_mapping_desc, &a[i], &s->port_mappings[i]));
    }
    return 0;
}

/* The spec's strings and lists into p (an empty record): 0 or -ENOMEM. */
static int copy_spec(const wc_pod_spec *s, wc_pod *p)
{
    TRY(wc_record_set_str(&p->name, s->name));
    TRY(wc_record_set_str(&p->uid, s->uid));
    TRY(wc_record_set_str(&p->namespace_, s->namespace_));
    TRY(wc_record_set_strv(&p->labels, s->labels));
    TRY(wc_record_set_strv(&p->annotations, s->annotations));
    TRY(wc_record_set_str(&p->hostname, s->hostname));
    TRY(wc_record_set_str(&p->log_directory, s->log_directory));
    TRY(wc_record_set_str(&p->runtime_handler, s->runtime_handler));
    TRY(wc_record_set_str(&p->cgroup_parent, s->cgroup_parent));
    TRY(wc_record_set_strv(&p->dns_servers, s->dns_servers));
    TRY(wc_record_set_strv(&p->dns_searches, s->dns_searches));
    TRY(wc_record_set_strv(&p->dns_options, s->dns_options));
    return copy_port_mappings(s, p);
}

/* A word of a line in resolv.conf or hostname: no blank or control character, which
 * would start another word or line there. */
static int check_word(const char *field, const char *word, wc_error *err)
{
    for (const unsigned char *c = (const unsigned char *)word; c && *c; c++)
        if (*c <= ' ' || *c == 0x7f)
            return wc_error_set(err, -EINVAL,
                                "the pod config's %s \"%s\" contains a blank or control "
                                "character (0x%02x)",
                                field, word, *c);
    return 0;
}

static int check_words(const char *field, char *const *words, wc_error *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && words && words[i]; i++)
        rc = check_word(field, words[i], err);
    return rc;
}

/* What goes into the pod's resolv.conf and hostname files. */
static int check_pod_files_input(const wc_pod_spec *s, wc_error *err)
{
    bool named = s->hostname && *s->hostname; /* else the name is the hostname */
    TRY(check_word(named ? "hostname" : "metadata.name", named ? s->hostname : s->name, err));
    TRY(check_words("dns_config.servers", s->dns_servers, err));
    TRY(check_words("dns_config.searches", s->dns_searches, err));
    return check_words("dns_config.options", s->dns_options, err);
}

int wc_pod_from_spec(const wc_pod_spec *s, wc_pod **ret_pod, wc_error *err)
{
    if (s->name == NULL || *s->name == '\0')
        return wc_error_set(err, -EINVAL, "the pod config has no metadata.name");
    TRY(check_pod_files_input(s, err));
    _cleanup_(wc_pod_freep) wc_pod *p = wc_record_new(&pod_desc);
    if (p == NULL || copy_spec(s, p) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (rec_new_id(p->id) < 0)
        return wc_error_set(err, -EIO, "no randomness for a pod id");
    p->attempt = s->attempt;
    p->net_mode = s->net_mode;
    p->pid_mode = s->pid_mode;
    p->ipc_mode = s->ipc_mode;
    p->state = WC_POD_READY;
    p->created_at = rec_now_ns();
    *ret_pod = take_ptr(p);
    return 0;
}

const char *wc_pod_dir(const wc_pod *p, char *buf, size_t n)
{
    return rec_dir(p->dir_parent, p->id, buf, n);
}

char *wc_pod_encode(const wc_pod *p)
{
    char dir[4096];
    wc_pod shown = *p; /* stored with its whole dir, as before */
    shown.dir_parent = (char *)wc_pod_dir(p, dir, sizeof(dir));
    return wc_record_encode(&pod_desc, &shown);
}

int wc_pod_decode(const char *json, size_t len, wc_pod **ret_pod, wc_error *err)
{
    wc_pod *p = NULL;
    TRY(rec_decode(&pod_desc, "pod", json, len, (void **)&p, err));
    rec_dir_to_parent(p->dir_parent, p->id);
    *ret_pod = p;
    return 0;
}

wc_pod *wc_pod_pack(wc_pod *pod)
{
    return wc_record_pack(&pod_desc, pod);
}

wc_pod *wc_pod_copy(const wc_pod *pod)
{
    return wc_record_dup(&pod_desc, pod);
}
