/* A pod's attachment to the node's CNI network: ADD at RunPodSandbox, DEL at
 * StopPodSandbox and RemovePodSandbox (CNI spec 1.0, as libcni runs a conflist).
 *
 * ADD runs the plugins of the first config in conf_dir in order, each with the
 * previous one's result as prevResult and the runtimeConfig of the capabilities it
 * declares. What ADD used and returned (the config list, CNI_ARGS, netns,
 * runtimeConfig, the final result) comes back as one JSON text, the "state", that
 * the caller keeps in the pod's record; DEL needs nothing else, so it works after a
 * daemon restart and after the config directory changed, as libcni's cache does.
 * Nothing here takes a lock or touches the sandbox: calls may be slow (plugins run
 * up to timeout_ms each).
 */
#ifndef WASMCRI_SANDBOX_CNI_NET_H
#define WASMCRI_SANDBOX_CNI_NET_H

#include <stddef.h>

#include "error.h"
#include "pod.h"

#define CNI_IFNAME "eth0"

typedef struct cni_settings {
    const char *conf_dir;
    char *const *bin_dirs; /* NULL-terminated */
    int timeout_ms;        /* per plugin call */
} cni_settings;

/* What ADD needs to know about the pod (all borrowed). */
typedef struct cni_attach {
    const char *id, *name, *namespace_, *uid, *netns;
    const wc_port_mapping *ports;
    size_t n_ports;
    char *const *annotations;
    char *const *dns_servers, *const *dns_searches, *const *dns_options;
} cni_attach;

/* The state ADD will run from (config list, CNI_ARGS, runtimeConfig; no result
 * yet), as JSON text the caller owns. Kept before ADD runs, it lets a DEL release
 * what an ADD cut short by a killed daemon made. -ENOENT when conf_dir holds no
 * network config (the caller may run the pod with loopback only); -ENOEXEC when
 * the config is unusable; -EINVAL for pod values CNI cannot carry. */
int cni_net_prepare(const cni_settings *s, const cni_attach *a, char **ret_state, wc_error *err);

/* Runs ADD from a prepared state. On success *ret_state (the full state to keep, with
 * the result) and *ret_ips (the pod's addresses, IPv4 first) are the caller's. On
 * failure the plugins have been asked to DEL what they made, and err carries the
 * failing plugin's own message. */
int cni_net_add(const cni_settings *s, const char *prepared, char **ret_state, char ***ret_ips,
                wc_error *err);

/* Runs DEL from a state cni_net_prepare or cni_net_add returned: every plugin in
 * reverse order, with the cached result (if ADD got that far) as prevResult, even
 * when one fails (the first error is returned). A netns that no longer exists is
 * passed as "". */
int cni_net_del(const cni_settings *s, const char *state, wc_error *err);

#endif
