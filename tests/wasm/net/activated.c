/* activated.wasm: a plain WASI preview1 HTTP server with no socket extension at all. It serves on
 * the listening sockets the runtime pre-opened for the pod's port mappings, found the systemd way
 * (LISTEN_FDS sockets from fd 3, named by LISTEN_FDNAMES), with wasi-libc's accept/recv/send
 * (preview1 sock_accept, sock_recv, sock_send). Each GET gets 200 and a body naming the socket
 * ("served by tcp-PORT") and the first line of /etc/greeting from the image, which shows the
 * directory preopens are still found after the sockets. Prints "activated: N NAMES" first.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LISTEN 16

int main(void)
{
    const char *count = getenv("LISTEN_FDS"), *names = getenv("LISTEN_FDNAMES");
    int n = count ? atoi(count) : 0;
    if (n <= 0 || n > MAX_LISTEN) {
        printf("activated: no LISTEN_FDS\n");
        return 1;
    }
    char greeting[128] = "no greeting\n";
    FILE *f = fopen("/etc/greeting", "r");
    if (f == NULL || fgets(greeting, sizeof(greeting), f) == NULL)
        snprintf(greeting, sizeof(greeting), "no greeting\n");
    char name_list[512], *name[MAX_LISTEN] = {0}, *save = NULL;
    snprintf(name_list, sizeof(name_list), "%s", names ? names : "");
    for (int i = 0; i < n; i++)
        name[i] = strtok_r(i ? NULL : name_list, ":", &save);
    printf("activated: %d %s\n", n, names ? names : "");
    fflush(stdout);
    struct pollfd p[MAX_LISTEN];
    for (;;) {
        for (int i = 0; i < n; i++)
            p[i] = (struct pollfd){.fd = 3 + i, .events = POLLIN};
        if (poll(p, (nfds_t)n, -1) < 0)
            return 1;
        for (int i = 0; i < n; i++) {
            if (!(p[i].revents & POLLIN))
                continue;
            int c = accept(3 + i, NULL, NULL);
            if (c < 0)
                continue;
            char req[2048];
            size_t len = 0;
            ssize_t got;
            while (len < sizeof(req) - 1 &&
                   (got = recv(c, req + len, sizeof(req) - 1 - len, 0)) > 0) {
                len += (size_t)got;
                req[len] = '\0';
                if (strstr(req, "\r\n\r\n"))
                    break;
            }
            char body[256], resp[512];
            snprintf(body, sizeof(body), "served by %s: %s", name[i] ? name[i] : "?", greeting);
            int r =
                snprintf(resp, sizeof(resp),
                         "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         strlen(body), body);
            send(c, resp, (size_t)r, 0);
            close(c);
        }
    }
}
