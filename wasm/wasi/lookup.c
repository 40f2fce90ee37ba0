/* lookup_host (lookup.h): the container's /etc/hosts, then DNS as its resolv.conf says, the
 * order glibc follows with "hosts: files dns".
 *
 * resolv.conf: up to 3 `nameserver`s (none: 127.0.0.1, as glibc), `search` (or `domain`) with up
 * to 6 domains, `options ndots:N timeout:N attempts:N`. A name with a trailing dot is asked as is;
 * one with at least ndots dots is asked as is first, then with each search domain; others the
 * other way round. Each server gets `timeout` seconds per try, `attempts` rounds over the servers,
 * and the whole lookup ends after LOOKUP_MAX_SECONDS whatever the file says. Both files are read
 * through fds the caller opened in the container's view, at most 64 KiB of each.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lookup.h"

#define FILE_MAX 65536
#define MAX_SERVERS 3
#define MAX_SEARCH 6

/* The whole file (NUL-terminated, malloc'd), or NULL. */
static char *read_file(int fd)
{
    if (fd < 0)
        return NULL;
    char *buf = malloc(FILE_MAX + 1);
    size_t n = 0;
    ssize_t got = 0;
    while (buf != NULL && n < FILE_MAX && (got = pread(fd, buf + n, FILE_MAX - n, (off_t)n)) > 0)
        n += (size_t)got;
    if (buf != NULL)
        buf[n] = '\0';
    return buf;
}

static bool parse_ip(const char *text, lookup_addr *a)
{
    if (inet_pton(AF_INET, text, a->bytes) == 1) {
        a->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, a->bytes) == 1) {
        a->family = AF_INET6;
        return true;
    }
    return false;
}

static void add_unique(const lookup_addr *a, lookup_addr *out, size_t max, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        if (out[i].family == a->family && memcmp(out[i].bytes, a->bytes, 16) == 0)
            return;
    if (*n < max)
        out[(*n)++] = *a;
}

/* Lines "ADDRESS NAME [ALIAS...]" whose name or alias is name (any case); `#` starts a comment.
 * Returns whether the name is there at all (in any family). */
static bool hosts_lookup(char *text, const char *name, int family, lookup_addr *out, size_t max,
                         size_t *n)
{
    bool seen = false;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *fsave = NULL, *addr = strtok_r(line, " \t\r", &fsave);
        lookup_addr a = {0};
        if (addr == NULL || !parse_ip(addr, &a))
            continue;
        for (char *h = strtok_r(NULL, " \t\r", &fsave); h; h = strtok_r(NULL, " \t\r", &fsave)) {
            if (strcasecmp(h, name) != 0)
                continue;
            seen = true;
            if (family == AF_UNSPEC || family == a.family)
                add_unique(&a, out, max, n);
            break;
        }
    }
    return seen;
}

typedef struct resolv_conf {
    struct sockaddr_storage servers[MAX_SERVERS];
    unsigned server_len[MAX_SERVERS];
    size_t nservers;
    char *search[MAX_SEARCH]; /* point into the file's text */
    size_t nsearch;
    int ndots, timeout, attempts;
} resolv_conf;

static void add_server(resolv_conf *rc, const char *text)
{
    if (rc->nservers >= MAX_SERVERS)
        return;
    struct sockaddr_storage *ss = &rc->servers[rc->nservers];
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    memset(ss, 0, sizeof(*ss));
    if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
        in->sin_family = AF_INET, in->sin_port = htons(53);
        rc->server_len[rc->nservers++] = sizeof(*in);
    } else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6, in6->sin6_port = htons(53);
        rc->server_len[rc->nservers++] = sizeof(*in6);
    }
}

static int option_value(const char *opt, const char *key, int lo, int hi, int old)
{
    size_t k = strlen(key);
    if (strncmp(opt, key, k) != 0 || !isdigit((unsigned char)opt[k]))
        return old;
    long v = strtol(opt + k, NULL, 10);
    return v < lo ? lo : v > hi ? hi : (int)v;
}

static void parse_resolv(char *text, resolv_conf *rc)
{
    memset(rc, 0, sizeof(*rc));
    rc->ndots = 1, rc->timeout = 5, rc->attempts = 2;
    for (char *save = NULL, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        char *fsave = NULL, *key = strtok_r(line, " \t\r", &fsave);
        if (key == NULL || key[0] == '#' || key[0] == ';')
            continue;
        bool search = strcmp(key, "search") == 0, domain = strcmp(key, "domain") == 0;
        if (search || domain)
            rc->nsearch = 0; /* the last of these lines wins, as glibc */
        for (char *v = strtok_r(NULL, " \t\r", &fsave); v; v = strtok_r(NULL, " \t\r", &fsave)) {
            if (strcmp(key, "nameserver") == 0)
                add_server(rc, v);
            else if ((search || domain) && rc->nsearch < MAX_SEARCH)
                rc->search[rc->nsearch++] = v;
            else if (strcmp(key, "options") == 0) {
                rc->ndots = option_value(v, "ndots:", 0, 15, rc->ndots);
                rc->timeout = option_value(v, "timeout:", 1, 30, rc->timeout);
                rc->attempts = option_value(v, "attempts:", 1, 5, rc->attempts);
            }
        }
    }
    if (rc->nservers == 0)
        add_server(rc, "127.0.0.1");
}

/* One fully qualified name through every server, attempts times: 0 (answered), -ENOENT, or the
 * last failure. */
static int ask_servers(const resolv_conf *rc, const char *fqdn, int family, int64_t end,
                       lookup_addr *out, size_t max, size_t *n)
{
    int last = -ETIMEDOUT;
    size_t start = *n;
    for (int round = 0; round < rc->attempts; round++) {
        for (size_t s = 0; s < rc->nservers; s++) {
            int64_t now = lookup_now_ms();
            if (now >= end)
                return -ETIMEDOUT;
            int64_t until = now + rc->timeout * 1000 < end ? now + rc->timeout * 1000 : end;
            const struct sockaddr *sa = (const struct sockaddr *)&rc->servers[s];
            int r = 0;
            if (family != AF_INET6)
                r = dns_query(sa, rc->server_len[s], fqdn, DNS_A, until, out, max, n);
            if ((r == 0 || r == -ENOENT) && family != AF_INET)
                r = dns_query(sa, rc->server_len[s], fqdn, DNS_AAAA, until, out, max, n);
            if (*n > start) /* one family answered: the other's failure does not undo it */
                return 0;
            if (r == 0 || r == -ENOENT || r == -EINVAL)
                return r;
            last = r;
        }
    }
    return last;
}

static wasi_errno dns_lookup(const resolv_conf *rc, const char *name, int family, lookup_addr *out,
                             size_t max, size_t *n)
{
    size_t dots = 0, len = strlen(name);
    for (const char *p = name; *p; p++)
        dots += *p == '.';
    bool absolute = len > 0 && name[len - 1] == '.';
    int64_t budget = (int64_t)rc->timeout * rc->attempts * 1000;
    int64_t end =
        lookup_now_ms() + (budget < LOOKUP_MAX_SECONDS * 1000 ? budget : LOOKUP_MAX_SECONDS * 1000);
    /* candidates: -1 is the name as given, i >= 0 the name with search domain i */
    int order[MAX_SEARCH + 1], count = 0;
    if (absolute || (int)dots >= rc->ndots)
        order[count++] = -1;
    for (size_t i = 0; !absolute && i < rc->nsearch; i++)
        order[count++] = (int)i;
    if (!absolute && (int)dots < rc->ndots)
        order[count++] = -1;
    int last = -ENOENT;
    for (int i = 0; i < count; i++) {
        char fqdn[512];
        int w = order[i] < 0
                    ? snprintf(fqdn, sizeof(fqdn), "%.*s", (int)(absolute ? len - 1 : len), name)
                    : snprintf(fqdn, sizeof(fqdn), "%s.%s", name, rc->search[order[i]]);
        if (w < 0 || (size_t)w >= sizeof(fqdn))
            continue;
        int r = ask_servers(rc, fqdn, family, end, out, max, n);
        if (r == 0 && *n > 0)
            return WASI_ESUCCESS;
        if (r == 0)
            last = 0; /* the name exists, without an address of this family */
        else if (r != -ENOENT && r != -EINVAL && last == -ENOENT)
            last = r;
        if (r == -ETIMEDOUT && lookup_now_ms() >= end)
            break;
    }
    return last == 0                            ? WASI_EAI_NODATA
           : last == -ENOENT || last == -EINVAL ? WASI_EAI_NONAME
           : last == -ETIMEDOUT                 ? WASI_EAI_AGAIN
                                                : WASI_EAI_FAIL;
}

wasi_errno lookup_host(int hosts_fd, int resolv_fd, const char *name, int family, lookup_addr *out,
                       size_t max, size_t *ret_n)
{
    *ret_n = 0;
    char *hosts = read_file(hosts_fd);
    bool seen = hosts != NULL && hosts_lookup(hosts, name, family, out, max, ret_n);
    free(hosts);
    if (*ret_n > 0)
        return WASI_ESUCCESS;
    if (seen)
        return WASI_EAI_NODATA;
    char *text = read_file(resolv_fd);
    resolv_conf rc;
    parse_resolv(text, &rc);
    wasi_errno r = dns_lookup(&rc, name, family, out, max, ret_n);
    free(text);
    return r;
}
