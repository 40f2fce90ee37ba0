/* net.wasm: the network program of the pod tests (tests/integration/test_net.py) and of the HTTP
 * benchmark (hack/bench/http_rps.sh). Built for wasm32-wasi it opens its sockets through the
 * WasmEdge socket extension (wasm/wasi/guest/wasmedge_sock.h) and does the rest through wasi-libc
 * (accept, recv, send, poll, close: preview1 calls); built natively (net_native, for the
 * benchmark's comparison) the same code runs on POSIX sockets. Commands: http PORT [ADDR] HTTP/1.x
 * on ADDR (default 0.0.0.0, "::" for IPv6): every GET gets 200 "hello from $HOSTNAME\n";
 * keep-alive; up to 256 connections served from one non-blocking poll loop; prints "listening on
 * PORT" when ready udp-echo PORT [ADDR]   answers each datagram with "echo: " and the datagram, to
 * its sender fetch HOST PORT PATH   resolves HOST (the pod's /etc/hosts, then DNS), GETs PATH over
 *                          HTTP/1.0 and prints the response body; exit 1 with the error if any
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef __wasi__
#include "wasmedge_sock.h"
#else
#include <netdb.h>
#endif

#define MAX_CONNS 256
#define REQ_MAX 4096

typedef struct addr {
    int v6;
    uint8_t bytes[16];
    uint16_t port;
} addr;

/* ---- the few calls that differ: socket creation, addresses, name lookup ---- */
#ifdef __wasi__
static int fail(int32_t e)
{
    errno = e;
    return -1;
}

static int net_socket(int v6, int stream)
{
    uint32_t fd;
    int32_t e =
        we_sock_open(v6 ? WE_AF_INET6 : WE_AF_INET4, stream ? WE_SOCK_STREAM : WE_SOCK_DGRAM, &fd);
    return e ? fail(e) : (int)fd;
}

static int net_bind(int fd, const addr *a)
{
    we_address wa = {(void *)a->bytes, a->v6 ? 16 : 4};
    int32_t e = we_sock_bind((uint32_t)fd, &wa, a->port);
    return e ? fail(e) : 0;
}

static int net_connect(int fd, const addr *a)
{
    we_address wa = {(void *)a->bytes, a->v6 ? 16 : 4};
    int32_t e = we_sock_connect((uint32_t)fd, &wa, a->port);
    return e ? fail(e) : 0;
}

static int net_listen(int fd)
{
    int32_t e = we_sock_listen((uint32_t)fd, 128);
    return e ? fail(e) : 0;
}

static ssize_t net_recv_from(int fd, void *buf, size_t len, addr *from)
{
    we_iovec iov = {buf, (uint32_t)len};
    we_addr_storage st = {0};
    we_address wa = {&st, sizeof(st)};
    uint32_t port = 0, n = 0, oflags = 0;
    int32_t e = we_sock_recv_from((uint32_t)fd, &iov, 1, &wa, 0, &port, &n, &oflags);
    if (e)
        return fail(e);
    from->v6 = st.family == WE_AF_INET6;
    memcpy(from->bytes, st.bytes, 16);
    from->port = (uint16_t)port;
    return n;
}

static ssize_t net_send_to(int fd, const void *buf, size_t len, const addr *to)
{
    we_iovec iov = {(void *)buf, (uint32_t)len};
    we_address wa = {(void *)to->bytes, to->v6 ? 16 : 4};
    uint32_t n = 0;
    int32_t e = we_sock_send_to((uint32_t)fd, &iov, 1, &wa, to->port, 0, &n);
    return e ? fail(e) : (ssize_t)n;
}

static int net_resolve(const char *host, uint16_t port, addr *out)
{
    int32_t e = we_resolve_first(host, &out->v6, out->bytes);
    out->port = port;
    return e ? fail(e) : 0;
}
#else
static socklen_t to_sockaddr(const addr *a, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (a->v6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(a->port);
        memcpy(&in6->sin6_addr, a->bytes, 16);
        return sizeof(*in6);
    }
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    in->sin_family = AF_INET;
    in->sin_port = htons(a->port);
    memcpy(&in->sin_addr, a->bytes, 4);
    return sizeof(*in);
}

static void from_sockaddr(const struct sockaddr_storage *ss, addr *a)
{
    a->v6 = ss->ss_family == AF_INET6;
    if (a->v6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        memcpy(a->bytes, &in6->sin6_addr, 16);
        a->port = ntohs(in6->sin6_port);
    } else {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        memcpy(a->bytes, &in->sin_addr, 4);
        a->port = ntohs(in->sin_port);
    }
}

static int net_socket(int v6, int stream)
{
    return socket(v6 ? AF_INET6 : AF_INET, stream ? SOCK_STREAM : SOCK_DGRAM, 0);
}

static int net_bind(int fd, const addr *a)
{
    struct sockaddr_storage ss;
    socklen_t len = to_sockaddr(a, &ss);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    return bind(fd, (struct sockaddr *)&ss, len);
}

static int net_connect(int fd, const addr *a)
{
    struct sockaddr_storage ss;
    socklen_t len = to_sockaddr(a, &ss);
    return connect(fd, (struct sockaddr *)&ss, len);
}

static int net_listen(int fd)
{
    return listen(fd, 128);
}

static ssize_t net_recv_from(int fd, void *buf, size_t len, addr *from)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    ssize_t n = recvfrom(fd, buf, len, 0, (struct sockaddr *)&ss, &sl);
    if (n >= 0)
        from_sockaddr(&ss, from);
    return n;
}

static ssize_t net_send_to(int fd, const void *buf, size_t len, const addr *to)
{
    struct sockaddr_storage ss;
    socklen_t sl = to_sockaddr(to, &ss);
    return sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sl);
}

static int net_resolve(const char *host, uint16_t port, addr *out)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return -1;
    struct sockaddr_storage ss = {0};
    memcpy(&ss, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    from_sockaddr(&ss, out);
    out->port = port;
    return 0;
}
#endif

static int parse_addr(const char *text, uint16_t port, addr *a)
{
    memset(a, 0, sizeof(*a));
    a->port = port;
    if (inet_pton(AF_INET, text, a->bytes) == 1)
        return 0;
    a->v6 = 1;
    return inet_pton(AF_INET6, text, a->bytes) == 1 ? 0 : -1;
}

static int open_bound(const char *where, uint16_t port, int stream)
{
    addr a;
    if (parse_addr(where, port, &a) < 0) {
        fprintf(stderr, "bad address %s\n", where);
        return -1;
    }
    int fd = net_socket(a.v6, stream);
    if (fd < 0 || net_bind(fd, &a) < 0 || (stream && net_listen(fd) < 0)) {
        fprintf(stderr, "listen on [%s]:%u: %s\n", where, port, strerror(errno));
        return -1;
    }
    return fd;
}

/* ---- the HTTP server ---- */
typedef struct conn {
    int fd;
    size_t len;
    char buf[REQ_MAX];
} conn;

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, 0);
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pf = {.fd = fd, .events = POLLOUT};
            poll(&pf, 1, 1000);
            continue;
        }
        if (w <= 0)
            return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

/* Answers every complete request in c's buffer; 0 to keep the connection, -1 to close it. */
static int serve_requests(conn *c, const char *body)
{
    char *end;
    while ((end = strstr(c->buf, "\r\n\r\n")) != NULL) {
        *end = '\0';
        int http10 = strstr(c->buf, "HTTP/1.0") != NULL;
        int keep = http10 ? strcasestr(c->buf, "connection: keep-alive") != NULL
                          : strcasestr(c->buf, "connection: close") == NULL;
        int get = strncmp(c->buf, "GET ", 4) == 0;
        char resp[512]; /* one send: header and body in two would meet Nagle and delayed ACKs */
        int n = snprintf(resp, sizeof(resp),
                         "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                         "Connection: %s\r\n\r\n%s",
                         get ? "200 OK" : "405 Method Not Allowed", get ? strlen(body) : 0,
                         keep ? "keep-alive" : "close", get ? body : "");
        if (send_all(c->fd, resp, (size_t)n) < 0)
            return -1;
        if (!keep)
            return -1;
        size_t used = (size_t)(end + 4 - c->buf);
        memmove(c->buf, c->buf + used, c->len - used + 1);
        c->len -= used;
    }
    return c->len >= REQ_MAX - 1 ? -1 : 0; /* a request too long for us */
}

static int cmd_http(uint16_t port, const char *where)
{
    int lfd = open_bound(where, port, 1);
    if (lfd < 0)
        return 1;
    fcntl(lfd, F_SETFL, O_NONBLOCK);
    const char *host = getenv("HOSTNAME");
    char body[128];
    snprintf(body, sizeof(body), "hello from %s\n", host ? host : "wasm");
    printf("listening on %u\n", port);
    fflush(stdout);
    static conn conns[MAX_CONNS];
    struct pollfd pfds[MAX_CONNS + 1];
    size_t nconns = 0;
    for (;;) {
        pfds[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
        for (size_t i = 0; i < nconns; i++)
            pfds[i + 1] = (struct pollfd){.fd = conns[i].fd, .events = POLLIN};
        if (poll(pfds, nconns + 1, -1) < 0 && errno != EINTR)
            return 1;
        for (size_t i = nconns; i-- > 0;) {
            if (!(pfds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            conn *c = &conns[i];
            ssize_t got = recv(c->fd, c->buf + c->len, REQ_MAX - 1 - c->len, 0);
            if (got < 0 && errno == EAGAIN)
                continue;
            if (got > 0) {
                c->len += (size_t)got;
                c->buf[c->len] = '\0';
            }
            if (got <= 0 || serve_requests(c, body) < 0) {
                close(c->fd);
                conns[i] = conns[--nconns];
            }
        }
        if (pfds[0].revents & POLLIN) {
            int fd;
            while (nconns < MAX_CONNS && (fd = accept(lfd, NULL, NULL)) >= 0) {
                conns[nconns].fd = fd;
                conns[nconns].len = 0;
                conns[nconns++].buf[0] = '\0';
            }
        }
    }
}

static int cmd_udp_echo(uint16_t port, const char *where)
{
    int fd = open_bound(where, port, 0);
    if (fd < 0)
        return 1;
    printf("echoing on %u\n", port);
    fflush(stdout);
    for (;;) {
        char in[1024], out[1100];
        addr from;
        ssize_t n = net_recv_from(fd, in, sizeof(in), &from);
        if (n < 0) {
            fprintf(stderr, "recv_from: %s\n", strerror(errno));
            return 1;
        }
        int len = snprintf(out, sizeof(out), "echo: %.*s", (int)n, in);
        if (net_send_to(fd, out, (size_t)len, &from) < 0)
            fprintf(stderr, "send_to: %s\n", strerror(errno));
    }
}

static int cmd_fetch(const char *host, uint16_t port, const char *path)
{
    addr a;
    if (net_resolve(host, port, &a) < 0) {
        printf("fetch: cannot resolve %s: error %d\n", host, errno);
        return 1;
    }
    int fd = net_socket(a.v6, 1);
    if (fd < 0 || net_connect(fd, &a) < 0) {
        printf("fetch: connect to %s:%u: %s\n", host, port, strerror(errno));
        return 1;
    }
    char req[512], resp[8192];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, host);
    size_t len = 0;
    ssize_t got;
    if (send_all(fd, req, (size_t)n) < 0)
        return 1;
    while (len < sizeof(resp) - 1 && (got = recv(fd, resp + len, sizeof(resp) - 1 - len, 0)) > 0)
        len += (size_t)got;
    resp[len] = '\0';
    close(fd);
    char *body = strstr(resp, "\r\n\r\n");
    printf("%s", body ? body + 4 : resp);
    return body ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "http") == 0)
        return cmd_http((uint16_t)atoi(argv[2]), argc > 3 ? argv[3] : "0.0.0.0");
    if (argc >= 3 && strcmp(argv[1], "udp-echo") == 0)
        return cmd_udp_echo((uint16_t)atoi(argv[2]), argc > 3 ? argv[3] : "0.0.0.0");
    if (argc >= 5 && strcmp(argv[1], "fetch") == 0)
        return cmd_fetch(argv[2], (uint16_t)atoi(argv[3]), argv[4]);
    fprintf(stderr, "usage: net http PORT [ADDR] | udp-echo PORT [ADDR] | fetch HOST PORT PATH\n");
    return 2;
}
