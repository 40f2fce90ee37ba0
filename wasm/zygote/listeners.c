/* Pre-opened listeners (listeners.h): socket, bind, listen in the worker, and the socket
 * activation variables. */
#include "listeners.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A listening socket of family on port (IPv6: dual-stack); -errno. */
static int listen_on(int family, uint32_t port)
{
    int one = 1, zero = 0;
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
    struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    bool v6 = family == AF_INET6;
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (v6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, v6 ? (const struct sockaddr *)&in6 : (const struct sockaddr *)&in,
             v6 ? sizeof(in6) : sizeof(in)) < 0 ||
        listen(fd, SOMAXCONN) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/* [::]:port for IPv4 and IPv6 both, or 0.0.0.0:port where the namespace has no IPv6. */
static int open_one(uint32_t port)
{
    int fd = listen_on(AF_INET6, port);
    return fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL ? listen_on(AF_INET, port) : fd;
}

int listeners_open(const worker_listener *l, size_t n, int *fds, wc_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int fd = l[i].port == 0 || l[i].port > 65535 ? -EINVAL : open_one(l[i].port);
        if (fd == -EADDRINUSE)
            fd = -1;
        if (fd < -1) {
            for (size_t k = 0; k < i; k++)
                if (fds[k] >= 0)
                    close(fds[k]);
            return wc_error_set_errno(err, fd, "listen on the pod's port %u", l[i].port);
        }
        fds[i] = fd;
    }
    return 0;
}

char **listeners_env(char *const *env, const worker_listener *l, const int *fds, size_t n)
{
    size_t count = 0, nenv = 0, names_len = 1;
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0)
            count++, names_len += 16;
    while (env[nenv])
        nenv++;
    char **out = calloc(nenv + 3, sizeof(*out));
    if (out == NULL)
        return NULL;
    memcpy(out, env, nenv * sizeof(*out));
    if (count == 0)
        return out;
    char *fds_var = malloc(32), *names = malloc(names_len + 16);
    if (fds_var == NULL || names == NULL) {
        free(fds_var);
        free(names);
        free(out);
        return NULL;
    }
    snprintf(fds_var, 32, "LISTEN_FDS=%zu", count);
    size_t at = (size_t)snprintf(names, 16, "LISTEN_FDNAMES=");
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0)
            at += (size_t)sprintf(names + at, "%stcp-%u", at > 15 ? ":" : "", l[i].port);
    out[nenv] = fds_var;
    out[nenv + 1] = names;
    return out;
}

void listeners_env_free(char **env, char *const *orig)
{
    if (env == NULL)
        return;
    size_t i = 0;
    while (orig[i])
        i++;
    free(env[i]);
    if (env[i])
        free(env[i + 1]);
    free(env);
}
