/* WASI sockets (preview1): sock_accept, sock_recv, sock_send, sock_shutdown on sockets the
 * runtime preopened (e.g. a listening socket in the pod's netns), that sock_accept returned or
 * that the WasmEdge extension opened (sock_ext.c). Guest iovecs map straight onto
 * recvmsg/sendmsg. Sending never raises SIGPIPE (MSG_NOSIGNAL): a closed peer is EPIPE. An fd that
 * is not a socket is ENOTSOCK before any rights check (as Linux and wasmtime answer).
 */
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_impl.h"

wasi_errno wasi_get_socket(wasi_ctx *c, uint32_t fd, uint64_t rights, wasi_fd **ret)
{
    wasi_errno r = fdt_get(c, fd, 0, ret);
    if (r == WASI_ESUCCESS && (*ret)->kind != WASI_FD_SOCKET)
        return WASI_ENOTSOCK;
    return r == WASI_ESUCCESS ? fdt_get(c, fd, rights, ret) : r;
}

wasi_errno wasi_sock_insert(wasi_ctx *c, int host, uint8_t filetype, uint64_t rights,
                            uint32_t *ret_fd)
{
    wasi_fd n = {.kind = WASI_FD_SOCKET,
                 .host = host,
                 .filetype = filetype,
                 .rights_base = rights,
                 .rights_inheriting = rights};
    wasi_errno r = fdt_insert(c, &n, ret_fd);
    if (r != WASI_ESUCCESS)
        close(host);
    return r;
}

/* accept4 on fd with WASI fdflags (only NONBLOCK); the new fd's number goes to guest ret. */
static wasi_errno accept_into(wasi_ctx *c, wasi_mem *m, uint32_t fd, uint16_t flags, uint32_t ret)
{
    wasi_fd *e;
    wasi_errno r = wasi_get_socket(c, fd, WASI_RIGHT_SOCK_ACCEPT, &e);
    if (r != WASI_ESUCCESS)
        return r;
    if (flags & ~WASI_FDFLAG_NONBLOCK)
        return WASI_EINVAL;
    if (mem_at(m, ret, 4) == NULL)
        return WASI_EFAULT;
    int host = accept4(e->host, NULL, NULL,
                       SOCK_CLOEXEC | (flags & WASI_FDFLAG_NONBLOCK ? SOCK_NONBLOCK : 0));
    if (host < 0)
        return wasi_errno_from_host(errno);
    uint32_t nfd;
    r = wasi_sock_insert(c, host, WASI_FILETYPE_SOCKET_STREAM,
                         WASI_RIGHTS_SOCKET & ~WASI_RIGHT_SOCK_ACCEPT, &nfd);
    if (r == WASI_ESUCCESS)
        mem_store_u32(m, ret, nfd);
    return r;
}

wasi_errno wasi_sock_accept(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return accept_into(c, m, (uint32_t)a[0], (uint16_t)a[1], (uint32_t)a[2]);
}

/* The extension's first form, sock_accept(fd, ret_fd): no flags. */
wasi_errno wasi_sock_accept_v1(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return accept_into(c, m, (uint32_t)a[0], 0, (uint32_t)a[1]);
}

wasi_errno wasi_sock_recvmsg(wasi_ctx *c, wasi_mem *m, uint32_t fd, uint32_t iovs, uint32_t niovs,
                             uint16_t riflags, uint32_t ret_len, uint32_t ret_flags,
                             struct sockaddr_storage *from)
{
    wasi_fd *e;
    struct iovec iov[WASI_MAX_IOVS];
    size_t total;
    wasi_errno r = wasi_get_socket(c, fd, WASI_RIGHT_FD_READ, &e);
    if (r == WASI_ESUCCESS)
        r = wasi_map_iovs(m, iovs, niovs, iov, &total);
    if (r != WASI_ESUCCESS)
        return r;
    if (riflags & ~(WASI_RIFLAG_RECV_PEEK | WASI_RIFLAG_RECV_WAITALL))
        return WASI_EINVAL;
    if (mem_at(m, ret_len, 4) == NULL || mem_at(m, ret_flags, 2) == NULL)
        return WASI_EFAULT;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = niovs};
    if (from != NULL) {
        memset(from, 0, sizeof(*from));
        msg.msg_name = from;
        msg.msg_namelen = sizeof(*from);
    }
    int flags = (riflags & WASI_RIFLAG_RECV_PEEK ? MSG_PEEK : 0) |
                (riflags & WASI_RIFLAG_RECV_WAITALL ? MSG_WAITALL : 0);
    ssize_t n;
    do {
        n = recvmsg(e->host, &msg, flags);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return wasi_errno_from_host(errno);
    if (from != NULL && msg.msg_namelen == 0)
        from->ss_family = AF_UNSPEC; /* a connected stream names no sender */
    mem_store_u32(m, ret_len, (uint32_t)n);
    mem_store_u16(m, ret_flags, (msg.msg_flags & MSG_TRUNC) ? WASI_ROFLAG_RECV_DATA_TRUNCATED : 0);
    return WASI_ESUCCESS;
}

wasi_errno wasi_sock_sendmsg(wasi_ctx *c, wasi_mem *m, uint32_t fd, uint32_t iovs, uint32_t niovs,
                             const struct sockaddr_storage *to, unsigned to_len, uint32_t ret_len)
{
    wasi_fd *e;
    struct iovec iov[WASI_MAX_IOVS];
    size_t total;
    wasi_errno r = wasi_get_socket(c, fd, WASI_RIGHT_FD_WRITE, &e);
    if (r == WASI_ESUCCESS)
        r = wasi_map_iovs(m, iovs, niovs, iov, &total);
    if (r != WASI_ESUCCESS)
        return r;
    if (mem_at(m, ret_len, 4) == NULL)
        return WASI_EFAULT;
    struct msghdr msg = {
        .msg_name = (void *)to, .msg_namelen = to_len, .msg_iov = iov, .msg_iovlen = niovs};
    ssize_t n;
    do {
        n = sendmsg(e->host, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return wasi_errno_from_host(errno);
    mem_store_u32(m, ret_len, (uint32_t)n);
    return WASI_ESUCCESS;
}

/* (fd, iovs, niovs, riflags, ret_len, ret_flags) */
wasi_errno wasi_sock_recv(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return wasi_sock_recvmsg(c, m, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2], (uint16_t)a[3],
                             (uint32_t)a[4], (uint32_t)a[5], NULL);
}

/* (fd, iovs, niovs, siflags (none defined), ret_len) */
wasi_errno wasi_sock_send(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return wasi_sock_sendmsg(c, m, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2], NULL, 0,
                             (uint32_t)a[4]);
}

wasi_errno wasi_sock_shutdown(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    wasi_fd *e;
    wasi_errno r = wasi_get_socket(c, (uint32_t)a[0], WASI_RIGHT_SOCK_SHUTDOWN, &e);
    if (r != WASI_ESUCCESS)
        return r;
    uint8_t how = (uint8_t)a[1];
    static const int map[] = {-1, SHUT_RD, SHUT_WR, SHUT_RDWR};
    if (how == 0 || how > 3)
        return WASI_EINVAL;
    return shutdown(e->host, map[how]) < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
}
