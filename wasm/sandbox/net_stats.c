/* Interface counters inside network namespaces (see net_stats.h).
 *
 * setns(CLONE_NEWNET) moves only the calling thread, and /proc/thread-self/net/dev is that
 * thread's view: a helper thread enters each namespace in turn, reads the file and ends,
 * taking its namespace with it. The daemon's own threads never leave the host namespace.
 */
#include "net_stats.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"

typedef struct read_job {
    char *const *paths;
    size_t n;
    wc_net_ifaces *out;
    int rc;
} read_job;

static int add_iface(wc_net_ifaces *v, const wc_net_iface *it)
{
    wc_net_iface *grown = realloc(v->items, (v->n + 1) * sizeof(*grown));
    if (grown == NULL)
        return -ENOMEM;
    v->items = grown;
    v->items[v->n++] = *it;
    return 0;
}

/* One line of /proc/net/dev: "  eth0: rxbytes rxpackets rxerrs rxdrop fifo frame compressed
 * multicast txbytes txpackets txerrs txdrop ...". 1 when it is an interface other than lo. */
static int parse_line(char *line, wc_net_iface *it)
{
    char *colon = strchr(line, ':');
    if (colon == NULL)
        return 0;
    *colon = '\0';
    char *name = line + strspn(line, " ");
    if (strcmp(name, "lo") == 0 || strlen(name) >= sizeof(it->name))
        return 0;
    unsigned long long f[12];
    if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &f[0],
               &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9], &f[10], &f[11]) != 12)
        return 0;
    memset(it, 0, sizeof(*it));
    snprintf(it->name, sizeof(it->name), "%s", name);
    it->rx_bytes = f[0], it->rx_packets = f[1], it->rx_errors = f[2], it->rx_dropped = f[3];
    it->tx_bytes = f[8], it->tx_packets = f[9], it->tx_errors = f[10], it->tx_dropped = f[11];
    return 1;
}

/* In the namespace already: its interfaces into v. */
static int read_dev(wc_net_ifaces *v)
{
    FILE *f = fopen("/proc/thread-self/net/dev", "re");
    if (f == NULL)
        return 0;
    char line[512];
    int rc = 0;
    wc_net_iface it;
    while (rc == 0 && fgets(line, sizeof(line), f))
        if (parse_line(line, &it) == 1)
            rc = add_iface(v, &it);
    fclose(f);
    return rc;
}

static void *read_all(void *arg)
{
    read_job *job = arg;
    for (size_t i = 0; job->rc == 0 && i < job->n; i++) {
        if (*job->paths[i] == '\0')
            continue;
        _cleanup_close_ int fd = open(job->paths[i], O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && setns(fd, CLONE_NEWNET) == 0)
            job->rc = read_dev(&job->out[i]);
    }
    return NULL;
}

int wc_net_ifaces_read(char *const *paths, size_t n, wc_net_ifaces *out, wc_error *err)
{
    read_job job = {paths, n, out, 0};
    pthread_t t;
    int rc = pthread_create(&t, NULL, read_all, &job);
    if (rc != 0)
        return wc_error_set_errno(err, -rc, "start a thread to read pods' network counters");
    pthread_join(t, NULL);
    if (job.rc < 0)
        return wc_error_set(err, job.rc, "out of memory");
    return 0;
}

void wc_net_ifaces_clear(wc_net_ifaces *v)
{
    free(v->items);
    v->items = NULL;
    v->n = 0;
}
