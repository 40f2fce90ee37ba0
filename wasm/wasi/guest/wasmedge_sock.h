/* The WasmEdge socket extension's imports (module wasi_snapshot_preview1), declared for C guests
 * (toolbox.wasm's wget and nc, the test programs): wasi-libc has no declarations for them. The ABI
 * is written down in wasm/wasi/README.md; every function returns a WASI errno (the same numbers as
 * wasi-libc's errno, plus WE_EAI_* for sock_getaddrinfo). */
#ifndef WASMEDGE_SOCK_H
#define WASMEDGE_SOCK_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#define WE(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

enum { WE_AF_UNSPEC = 0, WE_AF_INET4 = 1, WE_AF_INET6 = 2 };
enum { WE_SOCK_ANY = 0, WE_SOCK_DGRAM = 1, WE_SOCK_STREAM = 2 };
enum { WE_PROTO_IP = 0, WE_PROTO_TCP = 1, WE_PROTO_UDP = 2 };
enum { WE_SOL_SOCKET = 0 };
enum {
    WE_SO_REUSEADDR = 0,
    WE_SO_TYPE = 1,
    WE_SO_ERROR = 2,
    WE_SO_RCVTIMEO = 11,
    WE_SO_ACCEPTCONN = 13,
};
enum { WE_AI_PASSIVE = 1, WE_AI_NUMERICHOST = 4 };
enum { WE_EAI_AGAIN = 78, WE_EAI_FAIL = 80, WE_EAI_NODATA = 83, WE_EAI_NONAME = 84 };

/* an address: 4 bytes (IPv4), 16 (IPv6) or a we_addr_storage (128) */
typedef struct we_address {
    void *buf;
    uint32_t buf_len;
} we_address;

typedef struct we_addr_storage {
    uint16_t family; /* WE_AF_* */
    uint8_t bytes[126];
} we_addr_storage;

typedef struct we_sockaddr {
    uint8_t family;
    uint32_t data_len;
    uint8_t *data; /* the port (big-endian), then the address (IPv6: flowinfo first) */
} we_sockaddr;

typedef struct we_addrinfo {
    uint16_t flags;
    uint8_t family, socktype, protocol;
    uint32_t addrlen;
    we_sockaddr *addr;
    char *canonname;
    uint32_t canonname_len;
    struct we_addrinfo *next;
} we_addrinfo;

typedef struct we_iovec {
    void *buf;
    uint32_t len;
} we_iovec;

WE(sock_open) int32_t we_sock_open(uint32_t family, uint32_t type, uint32_t *fd);
WE(sock_open_v2) int32_t we_sock_open_v2(uint32_t family, uint32_t type, uint32_t *fd);
WE(sock_bind) int32_t we_sock_bind(uint32_t fd, we_address *addr, uint32_t port);
WE(sock_bind_v2) int32_t we_sock_bind_v2(uint32_t fd, we_address *addr, uint32_t port);
WE(sock_listen) int32_t we_sock_listen(uint32_t fd, uint32_t backlog);
WE(sock_listen_v2) int32_t we_sock_listen_v2(uint32_t fd, uint32_t backlog);
WE(sock_accept) int32_t we_sock_accept(uint32_t fd, uint32_t *new_fd); /* not preview1's */
WE(sock_accept_v2) int32_t we_sock_accept_v2(uint32_t fd, uint32_t fdflags, uint32_t *new_fd);
WE(sock_connect) int32_t we_sock_connect(uint32_t fd, we_address *addr, uint32_t port);
WE(sock_connect_v2) int32_t we_sock_connect_v2(uint32_t fd, we_address *addr, uint32_t port);
WE(sock_recv)
int32_t we_sock_recv(uint32_t fd, we_iovec *iovs, uint32_t n, uint32_t flags, uint32_t *len,
                     uint32_t *oflags);
WE(sock_recv_v2)
int32_t we_sock_recv_v2(uint32_t fd, we_iovec *iovs, uint32_t n, uint32_t flags, uint32_t *len,
                        uint32_t *oflags);
WE(sock_send)
int32_t we_sock_send(uint32_t fd, we_iovec *iovs, uint32_t n, uint32_t flags, uint32_t *len);
WE(sock_send_v2)
int32_t we_sock_send_v2(uint32_t fd, we_iovec *iovs, uint32_t n, uint32_t flags, uint32_t *len);
/* the form with the sender's port (what the Rust crate imports under this name) */
WE(sock_recv_from)
int32_t we_sock_recv_from(uint32_t fd, we_iovec *iovs, uint32_t n, we_address *addr, uint32_t flags,
                          uint32_t *port, uint32_t *len, uint32_t *oflags);
WE(sock_recv_from_v2)
int32_t we_sock_recv_from_v2(uint32_t fd, we_iovec *iovs, uint32_t n, we_address *addr,
                             uint32_t flags, uint32_t *port, uint32_t *len, uint32_t *oflags);
WE(sock_send_to)
int32_t we_sock_send_to(uint32_t fd, we_iovec *iovs, uint32_t n, we_address *addr, uint32_t port,
                        uint32_t flags, uint32_t *len);
WE(sock_send_to_v2)
int32_t we_sock_send_to_v2(uint32_t fd, we_iovec *iovs, uint32_t n, we_address *addr, uint32_t port,
                           uint32_t flags, uint32_t *len);
WE(sock_shutdown) int32_t we_sock_shutdown(uint32_t fd, uint32_t how);
/* the first form: *type is 4 or 6 */
WE(sock_getlocaladdr)
int32_t we_sock_getlocaladdr(uint32_t fd, we_address *addr, uint32_t *type, uint32_t *port);
WE(sock_getpeeraddr)
int32_t we_sock_getpeeraddr(uint32_t fd, we_address *addr, uint32_t *type, uint32_t *port);
WE(sock_getlocaladdr_v2)
int32_t we_sock_getlocaladdr_v2(uint32_t fd, we_address *addr, uint32_t *port);
WE(sock_getpeeraddr_v2)
int32_t we_sock_getpeeraddr_v2(uint32_t fd, we_address *addr, uint32_t *port);
WE(sock_getsockopt)
int32_t we_sock_getsockopt(uint32_t fd, uint32_t level, uint32_t name, void *value, uint32_t *size);
WE(sock_setsockopt)
int32_t we_sock_setsockopt(uint32_t fd, uint32_t level, uint32_t name, const void *value,
                           uint32_t size);
WE(sock_getaddrinfo)
int32_t we_sock_getaddrinfo(const char *node, uint32_t node_len, const char *service,
                            uint32_t service_len, const we_addrinfo *hints, we_addrinfo **res,
                            uint32_t max, uint32_t *res_len);

/* The first address sock_getaddrinfo gives for host (for a stream socket): *ret_v6 and its 4 or
 * 16 bytes into bytes; a WASI errno (ENOENT when there is none). */
static inline int32_t we_resolve_first(const char *host, int *ret_v6, uint8_t bytes[16])
{
    we_addrinfo ai = {0}, hints = {.socktype = WE_SOCK_STREAM};
    uint8_t data[26];
    we_sockaddr sa = {0, sizeof(data), data};
    ai.addr = &sa;
    we_addrinfo *res = &ai;
    uint32_t n = 0;
    int32_t e = we_sock_getaddrinfo(host, (uint32_t)strlen(host), "", 0, &hints, &res, 1, &n);
    if (e || n == 0)
        return e ? e : ENOENT;
    *ret_v6 = ai.family == WE_AF_INET6;
    memcpy(bytes, data + (*ret_v6 ? 6 : 2), *ret_v6 ? 16 : 4); /* after the port (and flowinfo) */
    return 0;
}

#endif
