/* CNI_ARGS, runtimeConfig and pod IPs (see cni_runtime.h). The capability formats
 * are the ones kubelet and containerd pass: portMappings entries
 * {hostPort, containerPort, protocol, hostIP}; bandwidth {ingressRate, ingressBurst,
 * egressRate, egressBurst} in bits (bursts unlimited as kubelet sets them); dns
 * {servers, searches, options}.
 */
#include "cni_runtime.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "strv.h"

#define BANDWIDTH_BURST 2147483647LL     /* kubelet's "no burst limit" */
#define BANDWIDTH_MAX 1000000000000000LL /* 1P bit/s, kubelet's upper bound */

int cni_pod_args(const char *id, const char *name, const char *namespace_, const char *uid,
                 char **ret_args, wc_error *err)
{
    const char *vals[] = {id, name, namespace_, uid};
    for (size_t i = 0; i < 4; i++)
        if (strpbrk(vals[i], ";="))
            return wc_error_set(err, -EINVAL,
                                "\"%s\" cannot be passed to CNI plugins (it holds ';' or '=')",
                                vals[i]);
    if (asprintf(ret_args,
                 "IgnoreUnknown=1;K8S_POD_NAMESPACE=%s;K8S_POD_NAME=%s;"
                 "K8S_POD_INFRA_CONTAINER_ID=%s;K8S_POD_UID=%s",
                 namespace_, name, id, uid) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return 0;
}

int cni_parse_quantity(const char *s, int64_t *ret_value)
{
    static const struct {
        const char *suffix;
        long double mult;
    } units[] = {{"Ki", 1024.0L},
                 {"Mi", 1048576.0L},
                 {"Gi", 1073741824.0L},
                 {"Ti", 1099511627776.0L},
                 {"Pi", 1125899906842624.0L},
                 {"Ei", 1152921504606846976.0L},
                 {"k", 1e3L},
                 {"M", 1e6L},
                 {"G", 1e9L},
                 {"T", 1e12L},
                 {"P", 1e15L},
                 {"E", 1e18L},
                 {"", 1.0L}};
    char *end = NULL;
    if (s == NULL || *s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    long double v = strtold(s, &end);
    const char *odd = strpbrk(s, "eExXpPnN"); /* exponents, hex, inf, nan: not quantities here */
    if (errno || end == s || (odd && odd < end))
        return -EINVAL;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcmp(end, units[i].suffix) == 0) {
            long double r = v * units[i].mult;
            if (r < 1.0L || r > 9.2e18L)
                return -EINVAL;
            *ret_value = (int64_t)r;
            return 0;
        }
    return -EINVAL;
}

static const char *proto_name(int p)
{
    return p == WC_PROTO_UDP ? "udp" : p == WC_PROTO_SCTP ? "sctp" : "tcp";
}

static json_t *port_mappings(const wc_port_mapping *ports, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        if (ports[i].host_port <= 0)
            continue;
        json_t *m = json_pack("{s:i, s:i, s:s, s:s}", "hostPort", (int)ports[i].host_port,
                              "containerPort", (int)ports[i].container_port, "protocol",
                              proto_name(ports[i].protocol), "hostIP", ports[i].host_ip);
        if (m == NULL || json_array_append_new(a, m) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static const char *annotation(char *const *kv, const char *key)
{
    for (size_t i = 0; kv && kv[i] && kv[i + 1]; i += 2)
        if (strcmp(kv[i], key) == 0)
            return kv[i + 1];
    return NULL;
}

static int bandwidth_rate(char *const *annotations, const char *key, int64_t *rate, wc_error *err)
{
    const char *v = annotation(annotations, key);
    *rate = 0;
    if (v == NULL)
        return 0;
    if (cni_parse_quantity(v, rate) < 0 || *rate > BANDWIDTH_MAX)
        return wc_error_set(err, -EINVAL,
                            "annotation %s: \"%s\" is not a bandwidth between 1 and 1P bit/s", key,
                            v);
    return 0;
}

static int add_bandwidth(json_t *rt, char *const *annotations, wc_error *err)
{
    int64_t in = 0, out = 0;
    TRY(bandwidth_rate(annotations, "kubernetes.io/ingress-bandwidth", &in, err));
    TRY(bandwidth_rate(annotations, "kubernetes.io/egress-bandwidth", &out, err));
    if (in == 0 && out == 0)
        return 0;
    int rc = 0;
    json_auto_t *bw = json_object();
    if (bw && in)
        rc = json_object_set_new(bw, "ingressRate", json_integer(in)) ||
             json_object_set_new(bw, "ingressBurst", json_integer(BANDWIDTH_BURST));
    if (bw && rc == 0 && out)
        rc = json_object_set_new(bw, "egressRate", json_integer(out)) ||
             json_object_set_new(bw, "egressBurst", json_integer(BANDWIDTH_BURST));
    if (bw == NULL || rc != 0 || json_object_set(rt, "bandwidth", bw) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return 0;
}

static json_t *str_array(char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; a && v && v[i]; i++)
        if (json_array_append_new(a, json_string(v[i])) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

int cni_runtime_config(const wc_port_mapping *ports, size_t n_ports, char *const *annotations,
                       char *const *dns_servers, char *const *dns_searches,
                       char *const *dns_options, json_t **ret_rt, wc_error *err)
{
    json_auto_t *rt = json_object(), *pm = port_mappings(ports, n_ports);
    if (rt == NULL || pm == NULL ||
        (json_array_size(pm) > 0 && json_object_set(rt, "portMappings", pm) < 0) ||
        (dns_servers && dns_servers[0] &&
         json_object_set_new(rt, "dns",
                             json_pack("{s:o, s:o, s:o}", "servers", str_array(dns_servers),
                                       "searches", str_array(dns_searches), "options",
                                       str_array(dns_options))) < 0))
        return wc_error_set(err, -ENOMEM, "out of memory");
    TRY(add_bandwidth(rt, annotations, err));
    *ret_rt = take_ptr(rt);
    return 0;
}

/* False when the ip sits on an interface the result marks as the host's (no "sandbox"). */
static bool on_pod_interface(const json_t *result, const json_t *ip)
{
    json_t *idx = json_object_get(ip, "interface");
    if (!json_is_integer(idx))
        return true;
    json_t *iface =
        json_array_get(json_object_get(result, "interfaces"), (size_t)json_integer_value(idx));
    const char *sandbox = json_string_value(json_object_get(iface, "sandbox"));
    return iface == NULL || (sandbox && *sandbox);
}

/* The address part of "10.1.2.3/24" into buf; 4 or 6, or 0 when it is not one. */
static int address_of(const char *cidr, char *buf, size_t n)
{
    const char *slash = strchr(cidr, '/');
    size_t len = slash ? (size_t)(slash - cidr) : strlen(cidr);
    if (len == 0 || len >= n)
        return 0;
    memcpy(buf, cidr, len);
    buf[len] = '\0';
    unsigned char bin[16];
    return inet_pton(AF_INET, buf, bin) == 1 ? 4 : inet_pton(AF_INET6, buf, bin) == 1 ? 6 : 0;
}

int cni_result_ips(const json_t *result, char ***ret_ips, wc_error *err)
{
    json_t *ips = json_object_get(result, "ips");
    _cleanup_strv_ char **v4 = wc_strv_copy(NULL), **v6 = wc_strv_copy(NULL);
    if (v4 == NULL || v6 == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    for (size_t i = 0; i < json_array_size(ips); i++) {
        json_t *ip = json_array_get(ips, i);
        const char *cidr = json_string_value(json_object_get(ip, "address"));
        char addr[INET6_ADDRSTRLEN];
        int family = cidr ? address_of(cidr, addr, sizeof(addr)) : 0;
        if (family == 0)
            return wc_error_set(err, -EIO, "the CNI result has a malformed address in ips[%zu]", i);
        if (!on_pod_interface(result, ip))
            continue;
        if (wc_strv_len(v4) + wc_strv_len(v6) >= CNI_MAX_POD_IPS)
            return wc_error_set(err, -EIO, "the CNI result has more than %d pod addresses",
                                CNI_MAX_POD_IPS);
        if (wc_strv_push(family == 4 ? &v4 : &v6, addr) < 0)
            return wc_error_set(err, -ENOMEM, "out of memory");
    }
    if (v4[0] == NULL && v6[0] == NULL)
        return wc_error_set(err, -EIO, "the CNI network gave the pod no IP address");
    for (size_t i = 0; v6[i]; i++)
        if (wc_strv_push(&v4, v6[i]) < 0)
            return wc_error_set(err, -ENOMEM, "out of memory");
    *ret_ips = take_ptr(v4);
    return 0;
}
