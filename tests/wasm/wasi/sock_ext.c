/* The WasmEdge socket extension, every import and both generations of each, on loopback:
 * TCP over IPv4 (open, options, bind, listen, non-blocking accept, poll_oneoff, connect, send,
 * recv, addresses, shutdown), UDP over IPv6 (send_to, recv_from with and without the port), bad
 * input (families, types, address sizes, pointers outside memory, non-sockets, options), and
 * sock_getaddrinfo from the /etc preopen (hosts, DNS through resolv.conf) when "lookup" is the
 * first argument. Prints "what: result" lines; run_wasi_tests.py compares them.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#include "common.h"
#include "wasmedge_sock.h"

static void show(const char *what, int32_t e)
{
    printf("%s: %s\n", what, errname(e));
}

static const char *ip(int family, const void *bytes)
{
    static char text[64];
    inet_ntop(family, bytes, text, sizeof(text));
    return text;
}

static int32_t send_text(uint32_t fd, const char *text)
{
    we_iovec iov = {(void *)text, (uint32_t)strlen(text)};
    uint32_t n = 0;
    return we_sock_send_v2(fd, &iov, 1, 0, &n);
}

static void tcp_v4(void)
{
    uint32_t lfd, cfd, afd, one = 1, type = 0, port = 0, port2 = 0, cport = 0;
    show("open tcp4", we_sock_open(WE_AF_INET4, WE_SOCK_STREAM, &lfd));
    show("reuseaddr", we_sock_setsockopt(lfd, WE_SOL_SOCKET, WE_SO_REUSEADDR, &one, 4));
    uint8_t lo[4] = {127, 0, 0, 1};
    we_address a4 = {lo, 4};
    show("bind 127.0.0.1:0", we_sock_bind(lfd, &a4, 0));
    show("listen", we_sock_listen(lfd, 8));
    uint8_t raw[16] = {0};
    we_address out = {raw, 16};
    show("getlocaladdr", we_sock_getlocaladdr(lfd, &out, &type, &port));
    printf("local: type %u %s, port set: %s\n", type, ip(AF_INET, raw), port ? "yes" : "no");
    we_addr_storage st = {0};
    we_address out2 = {&st, sizeof(st)};
    show("getlocaladdr_v2", we_sock_getlocaladdr_v2(lfd, &out2, &port2));
    printf("local v2: family %u %s, same port: %s\n", st.family, ip(AF_INET, st.bytes),
           port2 == port ? "yes" : "no");
    show("nonblock", __wasi_fd_fdstat_set_flags(lfd, __WASI_FDFLAGS_NONBLOCK));
    show("accept, none pending", we_sock_accept(lfd, &afd));
    show("open client", we_sock_open_v2(WE_AF_INET4, WE_SOCK_STREAM, &cfd));
    we_addr_storage to = {.family = WE_AF_INET4, .bytes = {127, 0, 0, 1}};
    we_address ato = {&to, sizeof(to)};
    show("connect_v2 (storage form)", we_sock_connect_v2(cfd, &ato, port));
    __wasi_subscription_t sub[2] = {
        {.userdata = 1, .u = {.tag = __WASI_EVENTTYPE_FD_READ, .u.fd_read = {lfd}}},
        {.userdata = 2,
         .u = {.tag = __WASI_EVENTTYPE_CLOCK,
               .u.clock = {.id = __WASI_CLOCKID_MONOTONIC, .timeout = 5000000000ull}}}};
    __wasi_event_t ev[2];
    __wasi_size_t nev = 0;
    show("poll_oneoff", __wasi_poll_oneoff(sub, ev, 2, &nev));
    printf("poll: %u event(s), first for %s\n", (unsigned)nev,
           ev[0].userdata == 1 ? "the listener" : "?");
    show("accept", we_sock_accept(lfd, &afd));
    uint8_t peer[16] = {0};
    we_address pa = {peer, 16};
    show("getpeeraddr", we_sock_getpeeraddr(afd, &pa, &type, &port2));
    uint8_t mine[16] = {0};
    we_address ma = {mine, 16};
    uint32_t t2;
    we_sock_getlocaladdr(cfd, &ma, &t2, &cport);
    printf("peer: type %u %s, is the client: %s\n", type, ip(AF_INET, peer),
           port2 == cport ? "yes" : "no");
    we_addr_storage ps = {0};
    we_address psa = {&ps, sizeof(ps)};
    show("getpeeraddr_v2", we_sock_getpeeraddr_v2(cfd, &psa, &port2));
    printf("client's peer: family %u %s, the listener's port: %s\n", ps.family,
           ip(AF_INET, ps.bytes), port2 == port ? "yes" : "no");
    show("send_v2", send_text(cfd, "ping"));
    char buf[16] = {0};
    we_iovec iov = {buf, sizeof(buf) - 1};
    uint32_t n = 0, of = 0;
    show("recv", we_sock_recv(afd, &iov, 1, 0, &n, &of));
    printf("received %u: %s\n", n, buf);
    show("shutdown write", we_sock_shutdown(afd, __WASI_SDFLAGS_WR));
    show("recv_v2 after the peer's shutdown", we_sock_recv_v2(cfd, &iov, 1, 0, &n, &of));
    printf("eof: %s\n", n == 0 ? "yes" : "no");
    int32_t v = -1;
    uint32_t sz = 4;
    show("SO_TYPE", we_sock_getsockopt(afd, WE_SOL_SOCKET, WE_SO_TYPE, &v, &sz));
    printf("type %d (stream 2), size %u\n", v, sz);
    show("SO_ERROR", we_sock_getsockopt(afd, WE_SOL_SOCKET, WE_SO_ERROR, &v, &sz));
    printf("error %d\n", v);
    show("SO_ACCEPTCONN", we_sock_getsockopt(lfd, WE_SOL_SOCKET, WE_SO_ACCEPTCONN, &v, &sz));
    printf("listening %d\n", v);
    int64_t tv[2] = {1, 500000}, back[2] = {0, 0};
    show("set SO_RCVTIMEO", we_sock_setsockopt(afd, WE_SOL_SOCKET, WE_SO_RCVTIMEO, tv, 16));
    sz = 16;
    show("get SO_RCVTIMEO", we_sock_getsockopt(afd, WE_SOL_SOCKET, WE_SO_RCVTIMEO, back, &sz));
    printf("timeout %lld s %lld us\n", (long long)back[0], (long long)back[1]);
    show("accept_v2, none pending", we_sock_accept_v2(lfd, 0, &afd));
    close(afd);
    close(cfd);
    close(lfd);
}

static void udp_v6(void)
{
    uint32_t u1, u2, port = 0, p2 = 0, type = 0, sent = 0;
    show("open udp6", we_sock_open_v2(WE_AF_INET6, WE_SOCK_DGRAM, &u1));
    uint8_t lo6[16] = {[15] = 1};
    we_address a6 = {lo6, 16};
    show("bind_v2 [::1]:0", we_sock_bind_v2(u1, &a6, 0));
    we_addr_storage st = {0};
    we_address sa = {&st, sizeof(st)};
    show("getlocaladdr_v2", we_sock_getlocaladdr_v2(u1, &sa, &port));
    printf("local: family %u %s\n", st.family, ip(AF_INET6, st.bytes));
    show("open udp6 sender", we_sock_open(WE_AF_INET6, WE_SOCK_DGRAM, &u2));
    we_iovec iov = {"dgram", 5};
    show("send_to", we_sock_send_to(u2, &iov, 1, &a6, port, 0, &sent));
    printf("sent %u\n", sent);
    char buf[16] = {0};
    we_iovec in = {buf, sizeof(buf) - 1};
    we_addr_storage from = {0};
    we_address fa = {&from, sizeof(from)};
    uint32_t fport = 0, n = 0, of = 0;
    show("recv_from", we_sock_recv_from(u1, &in, 1, &fa, 0, &fport, &n, &of));
    uint8_t raw[16];
    we_address ra = {raw, 16};
    we_sock_getlocaladdr(u2, &ra, &type, &p2);
    printf("got %u: %s from family %u %s, the sender's port: %s, sender type %u\n", n, buf,
           from.family, ip(AF_INET6, from.bytes), fport == p2 ? "yes" : "no", type);
    we_addr_storage to = {.family = WE_AF_INET6, .bytes = {[15] = 1}};
    we_address ta = {&to, sizeof(to)};
    we_iovec iov2 = {"dgram2", 6};
    show("send_to_v2 (storage form)", we_sock_send_to_v2(u2, &iov2, 1, &ta, port, 0, &sent));
    memset(buf, 0, sizeof(buf));
    memset(raw, 0, sizeof(raw));
    show("recv_from_v2", we_sock_recv_from_v2(u1, &in, 1, &ra, 0, &fport, &n, &of));
    printf("got %u: %s from %s\n", n, buf, ip(AF_INET6, raw));
    show("nonblock", __wasi_fd_fdstat_set_flags(u1, __WASI_FDFLAGS_NONBLOCK));
    show("recv_from, nothing queued", we_sock_recv_from(u1, &in, 1, &fa, 0, &fport, &n, &of));
    close(u1);
    close(u2);
}

static void bad_input(void)
{
    uint32_t fd, n;
    show("open family 9", we_sock_open(9, WE_SOCK_STREAM, &fd));
    show("open type 7", we_sock_open(WE_AF_INET4, 7, &fd));
    show("open, fd out of memory",
         we_sock_open(WE_AF_INET4, WE_SOCK_STREAM, (uint32_t *)0xfffffff0));
    we_sock_open(WE_AF_INET4, WE_SOCK_STREAM, &fd);
    uint8_t b[5] = {127, 0, 0, 1, 0};
    we_address a5 = {b, 5};
    show("bind, 5-byte address", we_sock_bind(fd, &a5, 0));
    show("bind, address record outside memory", we_sock_bind(fd, (we_address *)0xfffffffc, 0));
    we_address far = {(void *)0xfffffff0, 16};
    show("bind, address bytes outside memory", we_sock_bind(fd, &far, 0));
    we_address a4 = {b, 4};
    show("bind, port 70000", we_sock_bind(fd, &a4, 70000));
    we_addr_storage st = {.family = 7};
    we_address as = {&st, sizeof(st)};
    show("connect, storage family 7", we_sock_connect(fd, &as, 80));
    show("connect to a closed port", we_sock_connect(fd, &a4, 1));
    show("bind on stdout", we_sock_bind(1, &a4, 0));
    show("listen on stdout", we_sock_listen_v2(1, 1));
    show("shutdown on stdout", we_sock_shutdown(1, __WASI_SDFLAGS_WR));
    show("getsockopt on fd 99", we_sock_getsockopt(99, 0, WE_SO_TYPE, &n, &n));
    int32_t v = 1;
    uint32_t sz = 4;
    show("getsockopt level 6", we_sock_getsockopt(fd, 6, WE_SO_TYPE, &v, &sz));
    show("getsockopt name 99", we_sock_getsockopt(fd, 0, 99, &v, &sz));
    show("setsockopt SO_TYPE", we_sock_setsockopt(fd, 0, WE_SO_TYPE, &v, 4));
    show("setsockopt, size 3", we_sock_setsockopt(fd, 0, WE_SO_REUSEADDR, &v, 3));
    sz = 2;
    show("getsockopt, size 2", we_sock_getsockopt(fd, 0, WE_SO_TYPE, &v, &sz));
    we_iovec iov = {"x", 1};
    show("send_to, address outside memory",
         we_sock_send_to(fd, &iov, 1, (we_address *)0xfffffffc, 80, 0, &n));
    uint32_t fd6;
    uint8_t lo6[16] = {[15] = 1}, small[4];
    we_address a6 = {lo6, 16}, a6small = {small, 4};
    we_sock_open(WE_AF_INET6, WE_SOCK_DGRAM, &fd6);
    we_sock_bind(fd6, &a6, 0);
    show("getlocaladdr_v2 of [::1], 4-byte buffer", we_sock_getlocaladdr_v2(fd6, &a6small, &n));
    close(fd6);
    close(fd);
}

/* sock_getaddrinfo: one line per answer. */
static void lookup(const char *node, const char *service, uint8_t family, uint8_t socktype,
                   uint16_t flags)
{
    we_addrinfo ai[4];
    we_sockaddr sa[4];
    uint8_t data[4][26];
    for (int i = 0; i < 4; i++) {
        sa[i] = (we_sockaddr){0, 26, data[i]};
        ai[i] = (we_addrinfo){.addr = &sa[i], .next = i < 3 ? &ai[i + 1] : NULL};
    }
    we_addrinfo hints = {.flags = flags, .family = family, .socktype = socktype};
    we_addrinfo *res = ai;
    uint32_t count = 0;
    /* the node's length counts its NUL, as the Rust crate passes it */
    int32_t e = we_sock_getaddrinfo(node, (uint32_t)strlen(node) + 1, service,
                                    (uint32_t)strlen(service), &hints, &res, 4, &count);
    printf("getaddrinfo %s %s: %s, %u answer(s)\n", node[0] ? node : "(none)", service, errname(e),
           count);
    for (uint32_t i = 0; e == 0 && i < count; i++) {
        int v6 = sa[i].family == WE_AF_INET6;
        printf("  family %u socktype %u protocol %u addrlen %u: %s port %u\n", ai[i].family,
               ai[i].socktype, ai[i].protocol, ai[i].addrlen,
               ip(v6 ? AF_INET6 : AF_INET, data[i] + (v6 ? 6 : 2)),
               (unsigned)(data[i][0] << 8 | data[i][1]));
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "lookup") == 0) {
        for (int i = 2; i + 1 < argc; i += 2)
            lookup(argv[i], argv[i + 1], WE_AF_UNSPEC, WE_SOCK_STREAM, 0);
        lookup("::1", "53", WE_AF_UNSPEC, WE_SOCK_ANY, 0);
        lookup("", "8080", WE_AF_UNSPEC, WE_SOCK_STREAM, WE_AI_PASSIVE);
        lookup("db.test", "", WE_AF_INET6, WE_SOCK_STREAM, 0);
        lookup("db.test", "http", WE_AF_UNSPEC, WE_SOCK_STREAM, 0);
        lookup("db.test", "1", WE_AF_UNSPEC, WE_SOCK_STREAM, WE_AI_NUMERICHOST);
        lookup("v4host.test", "1", WE_AF_INET6, WE_SOCK_STREAM, 0);
        lookup("v4only.test", "1", WE_AF_INET6, WE_SOCK_STREAM, 0);
        return 0;
    }
    tcp_v4();
    udp_v6();
    bad_input();
    return 0;
}
