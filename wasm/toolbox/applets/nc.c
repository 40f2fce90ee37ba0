/* nc [-w SEC] [-z] HOST PORT, nc -l [-p] PORT: a TCP client, or a server for one connection,
 * through the runtime's guest sockets (tcp.h). Bytes go both ways: stdin to the peer (at its
 * end the connection is half-closed, so the peer sees EOF) and the peer's to stdout, until the
 * peer closes. -z only checks that the port accepts a connection (exit 0, else 1, silently);
 * -w bounds the connect and any wait with nothing moving either way. Messages as busybox's. */
#include "applet.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "numbers.h"
#include "tcp.h"

typedef struct opts {
    bool listen, zero;
    int timeout_ms;
    uint16_t port; /* -p */
} opts;

/* stdin to the socket, all at once: a pipe of sh's is in memory and has no descriptor. */
static int send_stream(FILE *in, int sock)
{
    char buf[16384];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (send(sock, buf, n, 0) != (ssize_t)n)
            return -1;
    return 0;
}

/* Moves what is ready; false when the peer closed (or failed). */
static bool pump_peer(tb_io *io, int sock)
{
    char buf[16384];
    ssize_t n = recv(sock, buf, sizeof(buf), 0);
    if (n <= 0)
        return false;
    fwrite(buf, 1, (size_t)n, io->out);
    fflush(io->out);
    return true;
}

/* Both ways until the peer closes, or nothing moved for -w. */
static int relay(tb_io *io, const opts *o, int sock)
{
    int in = fileno(io->in);
    if (in < 0) {
        if (send_stream(io->in, sock) < 0)
            return 1;
        shutdown(sock, SHUT_WR);
    }
    for (;;) {
        struct pollfd p[2] = {{.fd = sock, .events = POLLIN}, {.fd = in, .events = POLLIN}};
        long long left = tb_deadline_ms ? tb_deadline_ms - tb_now_ms() : -1;
        int wait = o->timeout_ms > 0 ? o->timeout_ms : -1;
        if (left >= 0 && (wait < 0 || left < wait))
            wait = (int)left;
        int n = poll(p, in >= 0 ? 2 : 1, wait);
        if (n == 0)
            return left >= 0 && left <= wait ? 143 : 0; /* `timeout`'s deadline, or -w idle */
        if (n < 0 && errno != EINTR)
            return 1;
        if (n > 0 && p[0].revents && !pump_peer(io, sock))
            return 0;
        if (n > 0 && in >= 0 && p[1].revents) {
            char buf[16384];
            ssize_t got = read(in, buf, sizeof(buf));
            if (got > 0 && send(sock, buf, (size_t)got, 0) != got)
                return 1;
            if (got <= 0) { /* stdin's end: the peer hears EOF, its answer still comes */
                shutdown(sock, SHUT_WR);
                in = -1;
            }
        }
    }
}

static int client(tb_io *io, const opts *o, const char *host, const char *port_text)
{
    tb_addr a;
    uint16_t port = tb_port(port_text);
    if (port == 0) {
        tb_err(io, "nc", "invalid port '%s'", port_text);
        return 1;
    }
    if (tb_tcp_resolve(host, port, &a) < 0) {
        tb_err(io, "nc", "bad address '%s'", host);
        return 1;
    }
    int sock = tb_tcp_connect(&a, o->timeout_ms);
    if (sock < 0) {
        if (!o->zero)
            tb_err(io, "nc", "can't connect to remote host (%s): %s", a.text, strerror(errno));
        return 1;
    }
    int status = o->zero ? 0 : relay(io, o, sock);
    close(sock);
    return status;
}

static int server(tb_io *io, const opts *o)
{
    int lsock = tb_tcp_listen(o->port);
    if (lsock < 0) {
        tb_err(io, "nc", "bind: %s", strerror(errno));
        return 1;
    }
    int sock = tb_wait_fd(lsock, POLLIN, 0) == 0 ? accept(lsock, NULL, NULL) : -1;
    int e = errno;
    close(lsock);
    if (sock < 0) {
        tb_err(io, "nc", "accept: %s", strerror(e));
        return e == ETIMEDOUT ? 143 : 1;
    }
    int status = relay(io, o, sock);
    close(sock);
    return status;
}

int applet_nc(tb_io *io, int argc, char **argv)
{
    opts o = {0};
    int c;
    tb_getopt_reset();
    while ((c = tb_getopt(io, argc, argv, "lzw:p:n")) != -1) {
        if (c == 'l')
            o.listen = true;
        else if (c == 'z')
            o.zero = true;
        else if (c == 'w')
            o.timeout_ms = tb_secs_to_ms_int(strtod(optarg, NULL));
        else if (c == 'p' && (o.port = tb_port(optarg)) == 0) {
            tb_err(io, "nc", "invalid port '%s'", optarg);
            return 1;
        } else if (c == '?')
            return 1;
    }
    if (o.listen && o.port == 0 && optind < argc) /* nc -l PORT */
        o.port = tb_port(argv[optind++]);
    if (o.listen && o.port != 0 && optind == argc)
        return server(io, &o);
    if (!o.listen && optind + 2 == argc)
        return client(io, &o, argv[optind], argv[optind + 1]);
    fputs("Usage: nc [-w SEC] [-z] HOST PORT, nc -l [-p] PORT\n", io->err);
    return 1;
}
