/* Host name lookup the way a pod's process sees names: the container's /etc/hosts first, then
 * DNS through the container's /etc/resolv.conf (nameservers, search list, ndots, timeout,
 * attempts), over UDP from the worker's network namespace, which is the pod's. Used by
 * sock_getaddrinfo (addrinfo.c); dns.c sends the queries.
 */
#ifndef WASMCRI_WASI_LOOKUP_H
#define WASMCRI_WASI_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "wasi_abi.h"

typedef struct lookup_addr {
    int family; /* AF_INET or AF_INET6 */
    uint8_t bytes[16];
} lookup_addr;

/* Upper bound on the whole lookup, whatever resolv.conf says. */
#define LOOKUP_MAX_SECONDS 30

/* Up to max addresses of name in family (AF_INET, AF_INET6 or AF_UNSPEC for both) into out,
 * count in *ret_n. hosts_fd and resolv_fd are the container's two files, read from offset 0
 * (-1: the container has none). Errors: WASI_EAI_NONAME (no such name), WASI_EAI_NODATA (the
 * name has no address of that family), WASI_EAI_AGAIN (no server answered in time),
 * WASI_EAI_FAIL (servers failed). */
wasi_errno lookup_host(int hosts_fd, int resolv_fd, const char *name, int family, lookup_addr *out,
                       size_t max, size_t *ret_n);

/* dns.c: asks server (a sockaddr_in/in6 of len bytes) for name's records of qtype (DNS_A or
 * DNS_AAAA) over UDP, waiting until deadline_ms (CLOCK_MONOTONIC milliseconds), and appends what
 * it answers to out[*n..max). 0 (answered, maybe with nothing), -ENOENT (NXDOMAIN), -ETIMEDOUT,
 * -EPROTO (refused, failed or garbled), -EINVAL (name not encodable), or another -errno. */
#define DNS_A 1
#define DNS_AAAA 28
struct sockaddr;
int dns_query(const struct sockaddr *server, unsigned len, const char *name, int qtype,
              int64_t deadline_ms, lookup_addr *out, size_t max, size_t *n);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t lookup_now_ms(void);

#endif
