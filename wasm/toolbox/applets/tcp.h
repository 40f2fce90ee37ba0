/* tcp.h: what wget and nc share: TCP through the WasmEdge socket extension the runtime offers
 * (wasm/wasi/guest/wasmedge_sock.h; the sockets live in the pod's network namespace), name
 * resolution as the runtime does it (an IP literal, `localhost`, else the container's /etc/hosts
 * and DNS), and waits that end at a timeout or at `timeout`'s deadline (applet.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct tb_addr {
    bool v6;
    uint8_t bytes[16];
    uint16_t port;
    char text[48]; /* the address as text, without the port */
} tb_addr;

/* host's address with port into *out; -1 with errno (ENOENT: no such name). */
int tb_tcp_resolve(const char *host, uint16_t port, tb_addr *out);

/* A connected TCP socket (blocking), the connect waiting at most timeout_ms (0: no limit, but
 * `timeout`'s deadline); -1 with errno (ETIMEDOUT). */
int tb_tcp_connect(const tb_addr *a, int timeout_ms);

/* A socket listening on port on every address, as busybox's nc -l: `::`, which takes IPv4 too
 * (the kernel's bindv6only is 0 by default), else, where the network has no IPv6, 0.0.0.0;
 * -1 with errno. */
int tb_tcp_listen(uint16_t port);

/* Waits until fd has events (POLLIN/POLLOUT) for at most timeout_ms (0: no limit, but
 * `timeout`'s deadline); 0, or -1 with errno ETIMEDOUT. */
int tb_wait_fd(int fd, short events, int timeout_ms);

/* A port number ("80"); 0 when text is none. */
uint16_t tb_port(const char *text);
