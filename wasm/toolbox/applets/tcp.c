/* TCP for wget and nc (tcp.h). */
#include "tcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../applet.h"
#include "wasmedge_sock.h"

static int fail(int32_t e)
{
    errno = e;
    return -1;
}

static void set_text(tb_addr *a)
{
    inet_ntop(a->v6 ? AF_INET6 : AF_INET, a->bytes, a->text, sizeof(a->text));
}

int tb_tcp_resolve(const char *host, uint16_t port, tb_addr *out)
{
    memset(out, 0, sizeof(*out));
    out->port = port;
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1"; /* RFC 6761: always the loopback, whatever /etc/hosts holds */
    out->v6 = inet_pton(AF_INET, host, out->bytes) != 1;
    if (!out->v6 || inet_pton(AF_INET6, host, out->bytes) == 1) {
        set_text(out);
        return 0;
    }
    int v6 = 0;
    if (we_resolve_first(host, &v6, out->bytes) != 0)
        return fail(ENOENT);
    out->v6 = v6;
    set_text(out);
    return 0;
}

int tb_wait_fd(int fd, short events, int timeout_ms)
{
    long long end = timeout_ms > 0 ? tb_now_ms() + timeout_ms : 0;
    if (tb_deadline_ms && (end == 0 || tb_deadline_ms < end))
        end = tb_deadline_ms;
    for (;;) {
        long long left = end ? end - tb_now_ms() : -1;
        if (end && left <= 0)
            return fail(ETIMEDOUT);
        struct pollfd p = {.fd = fd, .events = events};
        int n = poll(&p, 1, left > 0x7fffffff ? 0x7fffffff : (int)left);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return -1;
    }
}

int tb_tcp_connect(const tb_addr *a, int timeout_ms)
{
    uint32_t fd;
    int32_t e = we_sock_open(a->v6 ? WE_AF_INET6 : WE_AF_INET4, WE_SOCK_STREAM, &fd);
    if (e)
        return fail(e);
    we_address wa = {(void *)a->bytes, a->v6 ? 16 : 4};
    fcntl((int)fd, F_SETFL, O_NONBLOCK); /* the connect's wait is ours, with its timeout */
    e = we_sock_connect(fd, &wa, a->port);
    if (e == EINPROGRESS && tb_wait_fd((int)fd, POLLOUT, timeout_ms) == 0) {
        int32_t so_error = 0;
        uint32_t size = sizeof(so_error);
        e = we_sock_getsockopt(fd, WE_SOL_SOCKET, WE_SO_ERROR, &so_error, &size) ?: so_error;
    } else if (e == EINPROGRESS) {
        e = errno;
    }
    if (e) {
        close((int)fd);
        return fail(e);
    }
    fcntl((int)fd, F_SETFL, 0);
    return (int)fd;
}

/* A socket of the family listening on port on every address; a WASI errno on failure. */
static int32_t listen_any(bool v6, uint16_t port, uint32_t *fd)
{
    uint8_t any[16] = {0};
    we_address wa = {any, v6 ? 16 : 4};
    int32_t e = we_sock_open(v6 ? WE_AF_INET6 : WE_AF_INET4, WE_SOCK_STREAM, fd);
    if (e)
        return e;
    int32_t one = 1;
    we_sock_setsockopt(*fd, WE_SOL_SOCKET, WE_SO_REUSEADDR, &one, sizeof(one));
    e = we_sock_bind(*fd, &wa, port) ?: we_sock_listen(*fd, 1);
    if (e)
        close((int)*fd);
    return e;
}

int tb_tcp_listen(uint16_t port)
{
    uint32_t fd;
    int32_t e = listen_any(true, port, &fd);
    if (e == EAFNOSUPPORT || e == EADDRNOTAVAIL) /* a network without IPv6 */
        e = listen_any(false, port, &fd);
    return e ? fail(e) : (int)fd;
}

uint16_t tb_port(const char *text)
{
    char *end;
    long n = strtol(text, &end, 10);
    return *text && *end == '\0' && n > 0 && n < 65536 ? (uint16_t)n : 0;
}
