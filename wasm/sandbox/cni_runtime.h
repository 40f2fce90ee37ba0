/* What a runtime tells CNI plugins about a pod besides the network config, and
 * what it reads back: CNI_ARGS, the runtimeConfig of the capabilities Kubernetes
 * defines (portMappings, bandwidth, dns), and the pod's IPs from an ADD result.
 *
 * To pass a new capability: build its value in cni_runtime_config under the
 * capability's name; cni_net.c hands it to every plugin that declares it.
 */
#ifndef WASMCRI_SANDBOX_CNI_RUNTIME_H
#define WASMCRI_SANDBOX_CNI_RUNTIME_H

#include <jansson.h>
#include <stddef.h>

#include "error.h"
#include "pod.h"

#define CNI_MAX_POD_IPS 16

/* "IgnoreUnknown=1;K8S_POD_NAMESPACE=...;K8S_POD_NAME=...;K8S_POD_INFRA_CONTAINER_ID=...;
 * K8S_POD_UID=..." (malloc'd). -EINVAL when a value holds ';' or '=' (it would
 * change the list's meaning). */
int cni_pod_args(const char *id, const char *name, const char *namespace_, const char *uid,
                 char **ret_args, wc_error *err);

/* {"portMappings": [...], "bandwidth": {...}, "dns": {...}}, each only when the pod
 * has it (host ports > 0; the kubernetes.io/ingress-bandwidth and egress-bandwidth
 * annotations, as quantities such as "10M", in bits per second; DNS servers).
 * -EINVAL naming a bad bandwidth annotation. */
int cni_runtime_config(const wc_port_mapping *ports, size_t n_ports, char *const *annotations,
                       char *const *dns_servers, char *const *dns_searches,
                       char *const *dns_options, json_t **ret_rt, wc_error *err);

/* The pod's addresses from an ADD result's "ips" (those on a host-side interface
 * skipped), IPv4 first, as a NULL-terminated list. -EIO when the result has no
 * usable address or a malformed one. */
int cni_result_ips(const json_t *result, char ***ret_ips, wc_error *err);

/* A Kubernetes quantity ("10M", "1Gi", "500k", "100") as an integer; -EINVAL. */
int cni_parse_quantity(const char *s, int64_t *ret_value);

#endif
