/* WASI sockets (preview1): sock_accept, sock_recv, sock_send, sock_shutdown on sockets the
 * runtime preopened (e.g. a listening socket in the pod's netns) or that sock_accept returned.
 * Guest iovecs map straight onto recvmsg/sendmsg. Sending never raises SIGPIPE (MSG_NOSIGNAL):
 * a closed peer is EPIPE. Creating sockets (the WasmEdge extension) would live here as well.
 */
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_impl.h"

static wasi_errno get_socket(wasi_ctx *c, uint32_t fd, uint64_t right, wasi_fd **ret)
{
    wasi_errno r = fdt_get(c, fd, right, ret);
    if (r == WASI_ESUCCESS && (*ret)->kind != WASI_FD_SOCKET)
        r = WASI_ENOTSOCK;
    return r;
}

wasi_errno wasi_sock_accept(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    wasi_fd *e;
    wasi_errno r = get_socket(c, (uint32_t)a[0], WASI_RIGHT_SOCK_ACCEPT, &e);
    if (r != WASI_ESUCCESS)
        return r;
    uint16_t flags = (uint16_t)a[1];
    if (flags & ~WASI_FDFLAG_NONBLOCK)
        return WASI_EINVAL;
    if (mem_at(m, (uint32_t)a[2], 4) == NULL)
        return WASI_EFAULT;
    int host = accept4(e->host, NULL, NULL,
                       SOCK_CLOEXEC | (flags & WASI_FDFLAG_NONBLOCK ? SOCK_NONBLOCK : 0));
    if (host < 0)
        return wasi_errno_from_host(errno);
    wasi_fd n = {.kind = WASI_FD_SOCKET,
                 .host = host,
                 .filetype = WASI_FILETYPE_SOCKET_STREAM,
                 .rights_base = WASI_RIGHTS_SOCKET & ~WASI_RIGHT_SOCK_ACCEPT,
                 .rights_inheriting = WASI_RIGHTS_SOCKET & ~WASI_RIGHT_SOCK_ACCEPT};
    uint32_t fd;
    r = fdt_insert(c, &n, &fd);
    if (r != WASI_ESUCCESS) {
        close(host);
        return r;
    }
    mem_store_u32(m, (uint32_t)a[2], fd);
    return WASI_ESUCCESS;
}

/* sock_recv/sock_send's socket (fd a[0], needing right) and buffers (a[1], a[2]). */
static wasi_errno socket_and_iovs(wasi_ctx *c, wasi_mem *m, const uint64_t *a, uint64_t right,
                                  wasi_fd **ret, struct iovec iov[WASI_MAX_IOVS])
{
    size_t total;
    wasi_errno r = get_socket(c, (uint32_t)a[0], right, ret);
    return r != WASI_ESUCCESS ? r : wasi_map_iovs(m, (uint32_t)a[1], (uint32_t)a[2], iov, &total);
}

wasi_errno wasi_sock_recv(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    wasi_fd *e;
    struct iovec iov[WASI_MAX_IOVS];
    uint32_t niov = (uint32_t)a[2];
    wasi_errno r = socket_and_iovs(c, m, a, WASI_RIGHT_FD_READ, &e, iov);
    if (r != WASI_ESUCCESS)
        return r;
    uint16_t riflags = (uint16_t)a[3];
    if (riflags & ~(WASI_RIFLAG_RECV_PEEK | WASI_RIFLAG_RECV_WAITALL))
        return WASI_EINVAL;
    if (mem_at(m, (uint32_t)a[4], 4) == NULL || mem_at(m, (uint32_t)a[5], 2) == NULL)
        return WASI_EFAULT;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = niov};
    int flags = (riflags & WASI_RIFLAG_RECV_PEEK ? MSG_PEEK : 0) |
                (riflags & WASI_RIFLAG_RECV_WAITALL ? MSG_WAITALL : 0);
    ssize_t n;
    do {
        n = recvmsg(e->host, &msg, flags);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return wasi_errno_from_host(errno);
    mem_store_u32(m, (uint32_t)a[4], (uint32_t)n);
    mem_store_u16(m, (uint32_t)a[5],
                  (msg.msg_flags & MSG_TRUNC) ? WASI_ROFLAG_RECV_DATA_TRUNCATED : 0);
    return WASI_ESUCCESS;
}

wasi_errno wasi_sock_send(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    wasi_fd *e;
    struct iovec iov[WASI_MAX_IOVS];
    uint32_t niov = (uint32_t)a[2];
    wasi_errno r = socket_and_iovs(c, m, a, WASI_RIGHT_FD_WRITE, &e, iov);
    if (r != WASI_ESUCCESS)
        return r;
    if (mem_at(m, (uint32_t)a[4], 4) == NULL)
        return WASI_EFAULT;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = niov};
    ssize_t n;
    do {
        n = sendmsg(e->host, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return wasi_errno_from_host(errno);
    mem_store_u32(m, (uint32_t)a[4], (uint32_t)n);
    return WASI_ESUCCESS;
}

wasi_errno wasi_sock_shutdown(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    wasi_fd *e;
    wasi_errno r = get_socket(c, (uint32_t)a[0], WASI_RIGHT_SOCK_SHUTDOWN, &e);
    if (r != WASI_ESUCCESS)
        return r;
    uint8_t how = (uint8_t)a[1];
    static const int map[] = {-1, SHUT_RD, SHUT_WR, SHUT_RDWR};
    if (how == 0 || how > 3)
        return WASI_EINVAL;
    return shutdown(e->host, map[how]) < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
}
