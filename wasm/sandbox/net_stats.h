/* Network interface counters of pods' network namespaces, as the kernel keeps them
 * (/proc/net/dev read from inside each namespace): what PodSandboxStats and the CRI metrics
 * report per pod interface. Loopback is left out, as cAdvisor leaves it out.
 */
#ifndef WASMCRI_SANDBOX_NET_STATS_H
#define WASMCRI_SANDBOX_NET_STATS_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct wc_net_iface {
    char name[IF_NAMESIZE];
    uint64_t rx_bytes, rx_packets, rx_errors, rx_dropped;
    uint64_t tx_bytes, tx_packets, tx_errors, tx_dropped;
} wc_net_iface;

typedef struct wc_net_ifaces {
    wc_net_iface *items; /* malloc'd; NULL when n is 0 */
    size_t n;
} wc_net_ifaces;

/* Reads the interfaces of each of the n namespaces bind-mounted at paths[i] into out[i]
 * (n of them, zeroed by the caller; free each with wc_net_ifaces_clear). A path that is
 * "" (a host-network pod) or no longer a namespace leaves its out[i] empty. One thread
 * enters the namespaces in turn (the caller's own namespace never changes). -ENOMEM, or
 * the errno of a failed thread start. */
int wc_net_ifaces_read(char *const *paths, size_t n, wc_net_ifaces *out, wc_error *err);

void wc_net_ifaces_clear(wc_net_ifaces *v);

#endif
