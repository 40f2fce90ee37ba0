/* sock_getaddrinfo of the WasmEdge socket extension: (node, node_len, service, service_len,
 * hints, res, max_len, res_len). The guest hands in a chain of addrinfo records it allocated
 * (res points at the first one's address; each has its sockaddr and that sockaddr's data
 * buffer); up to max_len of them are filled and *res_len says how many. Names resolve as the
 * container sees them (lookup.h): its /etc/hosts and /etc/resolv.conf, opened through its own
 * preopens. Services are port numbers only (an image rarely has /etc/services).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lookup.h"
#include "resolve.h"
#include "wasi_calls.h"

#define MAX_ADDRS 16
#define NAME_MAX_LEN 253

/* Opens the file at absolute guest path as the guest would reach it: through the preopen with
 * the longest matching prefix (a file mount must match exactly). -1 when there is none or it is
 * not a regular file (a FIFO there would block the lookup forever: it is opened non-blocking). */
static int open_guest_file(const wasi_ctx *c, const char *path)
{
    const wasi_fd *best = NULL;
    size_t best_len = 0;
    for (uint32_t i = 0; i < c->nfds; i++) {
        const wasi_fd *e = &c->fds[i];
        if (e->kind != WASI_FD_DIR || e->preopen == NULL || e->preopen[0] != '/')
            continue;
        size_t n = strcmp(e->preopen, "/") == 0 ? 0 : strlen(e->preopen);
        bool match = strncmp(path, e->preopen, n) == 0 &&
                     (path[n] == '/' || (path[n] == '\0' && e->file_name != NULL));
        if (match && (best == NULL || n > best_len))
            best = e, best_len = n;
    }
    if (best == NULL || (best->file_name != NULL && path[best_len] != '\0'))
        return -1;
    const char *rest = best->file_name != NULL ? best->file_name : path + best_len + 1;
    int fd = -1;
    struct stat st;
    if (resolve_open(best->host, rest, O_RDONLY | O_NONBLOCK, 0, &fd) < 0)
        return -1;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* A guest string without its trailing NULs (the Rust crate counts one); EAI_NONAME for an inner
 * NUL or an overlong one. */
static wasi_errno guest_string(const wasi_mem *m, uint32_t ptr, uint32_t len, char *out, size_t cap)
{
    const uint8_t *p = mem_at(m, ptr, len);
    if (p == NULL)
        return WASI_EFAULT;
    while (len > 0 && p[len - 1] == '\0')
        len--;
    if (len >= cap || memchr(p, '\0', len) != NULL)
        return WASI_EAI_NONAME;
    memcpy(out, p, len);
    out[len] = '\0';
    return WASI_ESUCCESS;
}

typedef struct hints {
    uint16_t flags;
    int family; /* host AF_* or AF_UNSPEC */
    uint8_t socktype, protocol;
} hints;

static wasi_errno read_hints(const wasi_mem *m, uint32_t ptr, hints *h)
{
    const uint8_t *p = mem_at(m, ptr, WASI_ADDRINFO_SIZE);
    if (p == NULL)
        return WASI_EFAULT;
    memcpy(&h->flags, p, 2);
    if (h->flags & ~(WASI_AI_PASSIVE | WASI_AI_CANONNAME | WASI_AI_NUMERICHOST |
                     WASI_AI_NUMERICSERV | WASI_AI_V4MAPPED | WASI_AI_ALL | WASI_AI_ADDRCONFIG))
        return WASI_EAI_BADFLAG;
    if (p[2] > WASI_AF_INET6)
        return WASI_EAI_FAMILY;
    h->family = p[2] == WASI_AF_INET4 ? AF_INET : p[2] == WASI_AF_INET6 ? AF_INET6 : AF_UNSPEC;
    h->socktype = p[3];
    h->protocol = p[4];
    if (h->socktype > WASI_SOCK_STREAM)
        return WASI_EAI_SOCKTYPE;
    if (h->protocol > WASI_PROTO_UDP ||
        (h->protocol == WASI_PROTO_TCP && h->socktype == WASI_SOCK_DGRAM) ||
        (h->protocol == WASI_PROTO_UDP && h->socktype == WASI_SOCK_STREAM))
        return WASI_EAI_SERVICE;
    return WASI_ESUCCESS;
}

static wasi_errno parse_port(const char *service, uint16_t *port)
{
    char *end;
    long v = service[0] ? strtol(service, &end, 10) : 0;
    if (service[0] && (*end != '\0' || v < 0 || v > 65535 || service[0] == '-'))
        return WASI_EAI_SERVICE;
    *port = (uint16_t)v;
    return WASI_ESUCCESS;
}

/* The addresses node names: none (the wildcard or loopback), a literal, or a lookup. */
static wasi_errno node_addresses(wasi_ctx *c, const char *node, const hints *h, lookup_addr *out,
                                 size_t *n)
{
    *n = 0;
    if (node[0] == '\0') {
        bool passive = h->flags & WASI_AI_PASSIVE;
        if (h->family != AF_INET6) {
            out[*n].family = AF_INET;
            uint32_t v4 = htonl(passive ? INADDR_ANY : INADDR_LOOPBACK);
            memcpy(out[(*n)++].bytes, &v4, 4);
        }
        if (h->family != AF_INET) {
            out[*n].family = AF_INET6;
            memcpy(out[(*n)++].bytes, passive ? &in6addr_any : &in6addr_loopback, 16);
        }
        return WASI_ESUCCESS;
    }
    lookup_addr a;
    if (inet_pton(AF_INET, node, a.bytes) == 1 || inet_pton(AF_INET6, node, a.bytes) == 1) {
        a.family = strchr(node, ':') ? AF_INET6 : AF_INET;
        if (h->family != AF_UNSPEC && h->family != a.family)
            return WASI_EAI_ADDRFAMILY;
        out[(*n)++] = a;
        return WASI_ESUCCESS;
    }
    if (h->flags & WASI_AI_NUMERICHOST)
        return WASI_EAI_NONAME;
    int hosts = open_guest_file(c, "/etc/hosts"), resolv = open_guest_file(c, "/etc/resolv.conf");
    wasi_errno r = lookup_host(hosts, resolv, node, h->family, out, MAX_ADDRS, n);
    if (hosts >= 0)
        close(hosts);
    if (resolv >= 0)
        close(resolv);
    return r;
}

/* Fills the guest record at ai with one result; *next is its ai_next. */
static wasi_errno store_result(const wasi_mem *m, uint32_t ai, const lookup_addr *a,
                               uint8_t socktype, uint16_t flags, uint16_t port, uint32_t *next)
{
    uint8_t *rec = mem_at(m, ai, WASI_ADDRINFO_SIZE);
    uint32_t sa_ptr, data_ptr;
    if (rec == NULL)
        return WASI_EFAULT;
    memcpy(&sa_ptr, rec + 12, 4);
    memcpy(next, rec + 24, 4);
    uint8_t *sa = mem_at(m, sa_ptr, WASI_SOCKADDR_SIZE);
    if (sa == NULL)
        return WASI_EFAULT;
    memcpy(&data_ptr, sa + 8, 4);
    /* the host sockaddr from sin_port on: port, address (IPv6: flowinfo, address, scope) */
    struct sockaddr_storage ss = {0};
    uint32_t addrlen, datalen;
    if (a->family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_port = htons(port);
        memcpy(&in->sin_addr, a->bytes, 4);
        addrlen = sizeof(*in);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_port = htons(port);
        memcpy(&in6->sin6_addr, a->bytes, 16);
        addrlen = sizeof(*in6);
    }
    datalen = addrlen - (uint32_t)sizeof(sa_family_t);
    uint8_t *data = mem_at(m, data_ptr, datalen);
    if (data == NULL)
        return WASI_EFAULT;
    memcpy(data, (uint8_t *)&ss + sizeof(sa_family_t), datalen);
    uint8_t family = a->family == AF_INET ? WASI_AF_INET4 : WASI_AF_INET6;
    sa[0] = family;
    memcpy(sa + 4, &datalen, 4);
    memcpy(rec, &flags, 2);
    rec[2] = family;
    rec[3] = socktype;
    rec[4] = socktype == WASI_SOCK_STREAM ? WASI_PROTO_TCP : WASI_PROTO_UDP;
    memcpy(rec + 8, &addrlen, 4);
    memset(rec + 20, 0, 4); /* no canonical name */
    return WASI_ESUCCESS;
}

wasi_errno wasi_sock_getaddrinfo(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    char node[NAME_MAX_LEN + 2], service[32];
    hints h;
    uint32_t first, max_len = (uint32_t)a[6], res_len = (uint32_t)a[7];
    wasi_errno r = guest_string(m, (uint32_t)a[0], (uint32_t)a[1], node, sizeof(node));
    if (r == WASI_ESUCCESS) {
        r = guest_string(m, (uint32_t)a[2], (uint32_t)a[3], service, sizeof(service));
        r = r == WASI_EAI_NONAME ? WASI_EAI_SERVICE : r;
    }
    if (r == WASI_ESUCCESS)
        r = read_hints(m, (uint32_t)a[4], &h);
    if (r != WASI_ESUCCESS)
        return r;
    if (!mem_load_u32(m, (uint32_t)a[5], &first) || mem_at(m, res_len, 4) == NULL)
        return WASI_EFAULT;
    if (node[0] == '\0' && service[0] == '\0')
        return WASI_EAI_NONAME;
    if (max_len == 0)
        return WASI_EAI_MEMORY;
    uint16_t port;
    lookup_addr addrs[MAX_ADDRS];
    size_t naddrs;
    r = parse_port(service, &port);
    if (r == WASI_ESUCCESS)
        r = node_addresses(c, node, &h, addrs, &naddrs);
    if (r != WASI_ESUCCESS)
        return r;
    uint8_t types[2] = {h.socktype, 0};
    size_t ntypes = 1;
    if (h.socktype == WASI_SOCK_ANY) {
        types[0] = h.protocol == WASI_PROTO_UDP ? WASI_SOCK_DGRAM : WASI_SOCK_STREAM;
        types[1] = WASI_SOCK_DGRAM;
        ntypes = h.protocol == WASI_PROTO_IP ? 2 : 1;
    }
    uint32_t count = 0, ai = first;
    for (size_t i = 0; i < naddrs && count < max_len; i++) {
        for (size_t t = 0; t < ntypes && count < max_len; t++) {
            uint32_t next;
            r = store_result(m, ai, &addrs[i], types[t], h.flags, port, &next);
            if (r != WASI_ESUCCESS)
                return r;
            count++;
            ai = next;
        }
    }
    mem_store_u32(m, res_len, count);
    return WASI_ESUCCESS;
}
