/* The WasmEdge socket extension (the ABI is written down in README.md): sockets the guest opens,
 * binds, connects and listens on, datagrams with addresses, local and peer addresses, and socket
 * options. Every socket is created in the worker's network namespace, which is the pod's.
 *
 * Addresses cross the boundary as {buf, buf_len}: 4 bytes (IPv4), 16 (IPv6), or a 128-byte
 * storage whose first u16 is the WASI family and whose address bytes follow; the port travels
 * apart, in host order. Every guest pointer is checked before the system call, so a bad pointer
 * never loses a received datagram or half-applies a call.
 */
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "wasi_calls.h"

wasi_errno wasi_sock_open(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)c;
    uint32_t family = (uint32_t)a[0], type = (uint32_t)a[1], ret = (uint32_t)a[2];
    if (mem_at(m, ret, 4) == NULL)
        return WASI_EFAULT;
    int host_family = family == WASI_AF_INET4 ? AF_INET : family == WASI_AF_INET6 ? AF_INET6 : -1;
    int host_type = type == WASI_SOCK_STREAM  ? SOCK_STREAM
                    : type == WASI_SOCK_DGRAM ? SOCK_DGRAM
                                              : -1;
    if (host_family < 0)
        return WASI_EAFNOSUPPORT;
    if (host_type < 0)
        return WASI_EPROTOTYPE;
    int host = socket(host_family, host_type | SOCK_CLOEXEC, 0);
    if (host < 0)
        return wasi_errno_from_host(errno);
    bool stream = host_type == SOCK_STREAM;
    uint32_t fd;
    wasi_errno r = wasi_sock_insert(
        c, host, stream ? WASI_FILETYPE_SOCKET_STREAM : WASI_FILETYPE_SOCKET_DGRAM,
        stream ? WASI_RIGHTS_SOCKET : WASI_RIGHTS_SOCKET & ~WASI_RIGHT_SOCK_ACCEPT, &fd);
    if (r == WASI_ESUCCESS)
        mem_store_u32(m, ret, fd);
    return r;
}

/* The bytes of a guest address {buf, buf_len} at ptr (EFAULT outside memory). */
static wasi_errno address_bytes(const wasi_mem *m, uint32_t ptr, uint8_t **ret, uint32_t *ret_len)
{
    uint32_t buf;
    if (!mem_load_u32(m, ptr, &buf) || !mem_load_u32(m, (uint64_t)ptr + 4, ret_len))
        return WASI_EFAULT;
    *ret = mem_at(m, buf, *ret_len);
    return *ret == NULL ? WASI_EFAULT : WASI_ESUCCESS;
}

/* Guest address at ptr + port -> host sockaddr. */
static wasi_errno load_address(const wasi_mem *m, uint32_t ptr, uint32_t port,
                               struct sockaddr_storage *ss, socklen_t *ret_len)
{
    uint8_t *b;
    uint32_t len;
    wasi_errno r = address_bytes(m, ptr, &b, &len);
    if (r != WASI_ESUCCESS)
        return r;
    uint32_t family = len == 4 ? WASI_AF_INET4 : len == 16 ? WASI_AF_INET6 : WASI_AF_UNSPEC;
    if (len == WASI_ADDR_STORAGE_SIZE) {
        family = (uint32_t)b[0] | (uint32_t)b[1] << 8;
        b += 2;
    } else if (family == WASI_AF_UNSPEC) {
        return WASI_EINVAL;
    }
    if (port > 0xffff)
        return WASI_EINVAL;
    memset(ss, 0, sizeof(*ss));
    if (family == WASI_AF_INET4) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        memcpy(&in->sin_addr, b, 4);
        *ret_len = sizeof(*in);
    } else if (family == WASI_AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        memcpy(&in6->sin6_addr, b, 16);
        *ret_len = sizeof(*in6);
    } else {
        return WASI_EAFNOSUPPORT;
    }
    return WASI_ESUCCESS;
}

/* Checks that the guest address at ptr can be written (bounds, and a size that takes an address).
 */
static wasi_errno check_address_out(const wasi_mem *m, uint32_t ptr)
{
    uint8_t *b;
    uint32_t len;
    wasi_errno r = address_bytes(m, ptr, &b, &len);
    if (r == WASI_ESUCCESS && len != 4 && len != 16 && len != WASI_ADDR_STORAGE_SIZE)
        r = WASI_EINVAL;
    return r;
}

/* Host sockaddr -> the guest address at ptr (checked by check_address_out); the WASI family and
 * the port go to *family and *port. An IPv6 address does not fit a 4-byte buffer (EINVAL); an
 * unnamed peer (AF_UNSPEC) writes family 0 and no bytes. */
static wasi_errno store_address(const wasi_mem *m, uint32_t ptr, const struct sockaddr_storage *ss,
                                uint32_t *family, uint16_t *port)
{
    uint8_t *b;
    uint32_t len;
    wasi_errno r = address_bytes(m, ptr, &b, &len);
    if (r != WASI_ESUCCESS)
        return r;
    const void *bytes = NULL;
    uint32_t n = 0;
    *family = WASI_AF_UNSPEC;
    *port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        *family = WASI_AF_INET4, bytes = &in->sin_addr, n = 4, *port = ntohs(in->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        *family = WASI_AF_INET6, bytes = &in6->sin6_addr, n = 16, *port = ntohs(in6->sin6_port);
    }
    if (len == WASI_ADDR_STORAGE_SIZE) {
        b[0] = (uint8_t)*family, b[1] = 0;
        b += 2;
    } else if (n > len) {
        return WASI_EINVAL;
    }
    if (n > 0)
        memcpy(b, bytes, n);
    return WASI_ESUCCESS;
}

/* bind or connect: (fd, address, port). */
static wasi_errno bind_or_connect(wasi_ctx *c, wasi_mem *m, const uint64_t *a, bool bind_it)
{
    wasi_fd *e;
    wasi_errno r = wasi_get_socket(c, (uint32_t)a[0], 0, &e);
    struct sockaddr_storage ss;
    socklen_t len = 0;
    if (r == WASI_ESUCCESS)
        r = load_address(m, (uint32_t)a[1], (uint32_t)a[2], &ss, &len);
    if (r != WASI_ESUCCESS)
        return r;
    int rc;
    if (bind_it) {
        rc = bind(e->host, (struct sockaddr *)&ss, len);
    } else {
        do {
            rc = connect(e->host, (struct sockaddr *)&ss, len);
        } while (rc < 0 && errno == EINTR);
    }
    return rc < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
}

wasi_errno wasi_sock_bind(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return bind_or_connect(c, m, a, true);
}

wasi_errno wasi_sock_connect(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return bind_or_connect(c, m, a, false);
}

wasi_errno wasi_sock_listen(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    wasi_fd *e;
    wasi_errno r = wasi_get_socket(c, (uint32_t)a[0], WASI_RIGHT_SOCK_ACCEPT, &e);
    if (r != WASI_ESUCCESS)
        return r;
    int backlog = (int32_t)a[1] < 0 ? SOMAXCONN : (int)(int32_t)a[1];
    return listen(e->host, backlog) < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
}

/* recvmsg with the sender's address: (fd, iovs, niovs, address, riflags, [port (u16),] ret_len,
 * ret_flags); the address and port are checked before anything is received. */
static wasi_errno recv_from(wasi_ctx *c, wasi_mem *m, const uint64_t *a, bool with_port)
{
    uint32_t addr = (uint32_t)a[3], port = (uint32_t)a[5], rest = with_port ? 6 : 5;
    wasi_errno r = check_address_out(m, addr);
    if (r == WASI_ESUCCESS && with_port && mem_at(m, port, 2) == NULL)
        r = WASI_EFAULT;
    struct sockaddr_storage ss;
    if (r == WASI_ESUCCESS)
        r = wasi_sock_recvmsg(c, m, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2], (uint16_t)a[4],
                              (uint32_t)a[rest], (uint32_t)a[rest + 1], &ss);
    if (r != WASI_ESUCCESS)
        return r;
    uint32_t family;
    uint16_t from_port = 0;
    r = store_address(m, addr, &ss, &family, &from_port);
    if (with_port)
        mem_store_u16(m, port, from_port);
    return r;
}

wasi_errno wasi_sock_recv_from(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return recv_from(c, m, a, true);
}

/* The first form: no port out. */
wasi_errno wasi_sock_recv_from_v1(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return recv_from(c, m, a, false);
}

/* (fd, iovs, niovs, address, port, siflags, ret_len) */
wasi_errno wasi_sock_send_to(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    struct sockaddr_storage ss;
    socklen_t len = 0;
    wasi_errno r = load_address(m, (uint32_t)a[3], (uint32_t)a[4], &ss, &len);
    return r != WASI_ESUCCESS ? r
                              : wasi_sock_sendmsg(c, m, (uint32_t)a[0], (uint32_t)a[1],
                                                  (uint32_t)a[2], &ss, len, (uint32_t)a[6]);
}

/* getsockname/getpeername into (address, family out or none, port out as u32). The first form's
 * family out is 4 or 6 (what WasmEdge has always written there), not the WASI family. */
static wasi_errno sock_name(wasi_ctx *c, wasi_mem *m, uint32_t fd, uint32_t addr,
                            const uint32_t *family_out, uint32_t port_out, bool peer)
{
    wasi_fd *e;
    wasi_errno r = wasi_get_socket(c, fd, 0, &e);
    if (r == WASI_ESUCCESS)
        r = check_address_out(m, addr);
    if (r != WASI_ESUCCESS)
        return r;
    if (mem_at(m, port_out, 4) == NULL || (family_out != NULL && mem_at(m, *family_out, 4) == NULL))
        return WASI_EFAULT;
    struct sockaddr_storage ss = {0};
    socklen_t len = sizeof(ss);
    int rc = peer ? getpeername(e->host, (struct sockaddr *)&ss, &len)
                  : getsockname(e->host, (struct sockaddr *)&ss, &len);
    if (rc < 0)
        return wasi_errno_from_host(errno);
    uint32_t family;
    uint16_t port;
    r = store_address(m, addr, &ss, &family, &port);
    if (r != WASI_ESUCCESS)
        return r;
    mem_store_u32(m, port_out, port);
    if (family_out != NULL)
        mem_store_u32(m, *family_out,
                      family == WASI_AF_INET4   ? 4
                      : family == WASI_AF_INET6 ? 6
                                                : 0);
    return WASI_ESUCCESS;
}

wasi_errno wasi_sock_getlocaladdr(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return sock_name(c, m, (uint32_t)a[0], (uint32_t)a[1], NULL, (uint32_t)a[2], false);
}

wasi_errno wasi_sock_getpeeraddr(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return sock_name(c, m, (uint32_t)a[0], (uint32_t)a[1], NULL, (uint32_t)a[2], true);
}

wasi_errno wasi_sock_getlocaladdr_v1(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    uint32_t family = (uint32_t)a[2];
    return sock_name(c, m, (uint32_t)a[0], (uint32_t)a[1], &family, (uint32_t)a[3], false);
}

wasi_errno wasi_sock_getpeeraddr_v1(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    uint32_t family = (uint32_t)a[2];
    return sock_name(c, m, (uint32_t)a[0], (uint32_t)a[1], &family, (uint32_t)a[3], true);
}

/* The guest-visible socket options: WASI name -> SOL_SOCKET name and the guest value's size
 * (i32; linger {i32 onoff, i32 seconds}; timeouts {i64 seconds, i64 microseconds}). */
static const struct {
    int host;
    uint32_t size;
    bool settable;
} sockopts[] = {
    [WASI_SO_REUSEADDR] = {SO_REUSEADDR, 4, true}, [WASI_SO_TYPE] = {SO_TYPE, 4, false},
    [WASI_SO_ERROR] = {SO_ERROR, 4, false},        [WASI_SO_DONTROUTE] = {SO_DONTROUTE, 4, true},
    [WASI_SO_BROADCAST] = {SO_BROADCAST, 4, true}, [WASI_SO_SNDBUF] = {SO_SNDBUF, 4, true},
    [WASI_SO_RCVBUF] = {SO_RCVBUF, 4, true},       [WASI_SO_KEEPALIVE] = {SO_KEEPALIVE, 4, true},
    [WASI_SO_OOBINLINE] = {SO_OOBINLINE, 4, true}, [WASI_SO_LINGER] = {SO_LINGER, 8, true},
    [WASI_SO_RCVLOWAT] = {SO_RCVLOWAT, 4, true},   [WASI_SO_RCVTIMEO] = {SO_RCVTIMEO, 16, true},
    [WASI_SO_SNDTIMEO] = {SO_SNDTIMEO, 16, true},  [WASI_SO_ACCEPTCONN] = {SO_ACCEPTCONN, 4, false},
};
#define NSOCKOPTS (sizeof(sockopts) / sizeof(sockopts[0]))

static wasi_errno sockopt_socket(wasi_ctx *c, const uint64_t *a, wasi_fd **e, uint32_t *name)
{
    wasi_errno r = wasi_get_socket(c, (uint32_t)a[0], 0, e);
    *name = (uint32_t)a[2];
    if (r == WASI_ESUCCESS && ((uint32_t)a[1] != WASI_SOL_SOCKET || *name >= NSOCKOPTS))
        r = WASI_ENOPROTOOPT;
    return r;
}

/* (fd, level, name, value, size) */
wasi_errno wasi_sock_setsockopt(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    wasi_fd *e;
    uint32_t name;
    wasi_errno r = sockopt_socket(c, a, &e, &name);
    if (r != WASI_ESUCCESS)
        return r;
    if (!sockopts[name].settable)
        return WASI_ENOPROTOOPT;
    if ((uint32_t)a[4] != sockopts[name].size)
        return WASI_EINVAL;
    const uint8_t *v = mem_at(m, (uint32_t)a[3], sockopts[name].size);
    if (v == NULL)
        return WASI_EFAULT;
    int rc;
    if (sockopts[name].size == 16) {
        int64_t t[2];
        memcpy(t, v, 16);
        if (t[0] < 0 || t[1] < 0 || t[1] >= 1000000)
            return WASI_EINVAL;
        struct timeval tv = {.tv_sec = (time_t)t[0], .tv_usec = (suseconds_t)t[1]};
        rc = setsockopt(e->host, SOL_SOCKET, sockopts[name].host, &tv, sizeof(tv));
    } else {
        int32_t iv[2];
        memcpy(iv, v, sockopts[name].size);
        rc = setsockopt(e->host, SOL_SOCKET, sockopts[name].host, iv, sockopts[name].size);
    }
    return rc < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
}

/* (fd, level, name, value out, size in/out): SO_TYPE answers WASI socket types, SO_ERROR WASI
 * errnos. */
wasi_errno wasi_sock_getsockopt(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    wasi_fd *e;
    uint32_t name, size;
    wasi_errno r = sockopt_socket(c, a, &e, &name);
    if (r != WASI_ESUCCESS)
        return r;
    if (!mem_load_u32(m, (uint32_t)a[4], &size))
        return WASI_EFAULT;
    uint32_t want = sockopts[name].size;
    if (size < want)
        return WASI_EINVAL;
    uint8_t *v = mem_at(m, (uint32_t)a[3], want);
    if (v == NULL)
        return WASI_EFAULT;
    union {
        int32_t i[2];
        struct timeval tv;
    } got = {{0}};
    socklen_t len = want == 16 ? sizeof(got.tv) : want;
    if (getsockopt(e->host, SOL_SOCKET, sockopts[name].host, &got, &len) < 0)
        return wasi_errno_from_host(errno);
    if (name == WASI_SO_TYPE)
        got.i[0] = got.i[0] == SOCK_STREAM  ? WASI_SOCK_STREAM
                   : got.i[0] == SOCK_DGRAM ? WASI_SOCK_DGRAM
                                            : WASI_SOCK_ANY;
    if (name == WASI_SO_ERROR && got.i[0] != 0)
        got.i[0] = wasi_errno_from_host(got.i[0]);
    if (want == 16) {
        int64_t t[2] = {got.tv.tv_sec, got.tv.tv_usec};
        memcpy(v, t, 16);
    } else {
        memcpy(v, got.i, want);
    }
    mem_store_u32(m, (uint32_t)a[4], want);
    return WASI_ESUCCESS;
}
