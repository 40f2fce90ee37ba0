/* HOST:PORT listen addresses (see net_addr.h). */
#include "net_addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(wc_error *err, const char *text, const char *why)
{
    return wc_error_set(err, -EINVAL, "address \"%.200s\": %s", text, why);
}

int wc_parse_host_port(const char *text, struct sockaddr_storage *ret, socklen_t *ret_len,
                       wc_error *err)
{
    const char *colon = strrchr(text, ':');
    if (colon == NULL || colon == text)
        return bad(err, text, "must be HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464");
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535)
        return bad(err, text, "the port must be a number from 1 to 65535");
    char host[64];
    size_t n = (size_t)(colon - text);
    bool v6 = text[0] == '[';
    if (v6 && (n < 2 || text[n - 1] != ']'))
        return bad(err, text, "an IPv6 host is written in brackets, e.g. [::1]:9464");
    if (n - (v6 ? 2 : 0) >= sizeof(host))
        return bad(err, text, "the host is not a numeric IPv4 or IPv6 address");
    snprintf(host, sizeof(host), "%.*s", (int)(n - (v6 ? 2 : 0)), text + (v6 ? 1 : 0));
    memset(ret, 0, sizeof(*ret));
    struct sockaddr_in *a4 = (struct sockaddr_in *)ret;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ret;
    if (!v6 && inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *ret_len = sizeof(*a4);
        return 0;
    }
    if (v6 && inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *ret_len = sizeof(*a6);
        return 0;
    }
    return bad(err, text, "the host is not a numeric IPv4 or IPv6 address");
}
