/* The stats sampler: one thread that reads every container's usage (stats.h) and every
 * pod's interface counters (net_stats.h) in a sweep, and keeps the result in the records
 * (wc_container.usage, wc_pod.net), so that ListContainerStats and ListPodSandboxStats
 * answer from the last sample without reading a file (at 10,000 containers reading them
 * per call took a second: issue 18), as cAdvisor's housekeeping does for kubelet. Each
 * sample carries its timestamp, so a client's rates stay right; the sampler also gives
 * each container its CPU rate since the sample before (usage_nano_cores).
 *
 * A sweep takes the lock twice, briefly: once to note what to read (the records and
 * their worker pids), once to store what it read; the reading itself runs unlocked. Sweeps are
 * WC_STATS_PERIOD_MS apart, or 20 times the last sweep's duration when that is longer, so that
 * sampling never takes more than about 5% of a core however many containers there are.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sandbox_int.h"
#include "stats.h"

#define SWEEP_SHARE 20 /* the period is at least this many times a sweep's duration */

typedef struct ctr_job {
    wc_container *c;
    int pid; /* <= 0: not running */
    wc_usage u;
} ctr_job;

/* A sweep is a walk (record_walk.c): the records it notes stay readable until it ends, and
 * it reads only what never changes once they are published (dir, rootfs, overlay,
 * readonly_rootfs, a pod's netns_path), so it copies no path and looks no record up again. */
typedef struct sweep {
    ctr_job *ctrs;
    size_t n_ctrs;
    wc_pod **pods;
    char **netns; /* the pods' namespace paths (borrowed), as wc_net_ifaces_read takes them */
    wc_net_ifaces *net;
    size_t n_pods;
} sweep;

struct sb_sampler {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stop;
};

static void sweep_clear(sweep *s)
{
    for (size_t i = 0; i < s->n_pods; i++)
        wc_net_ifaces_clear(&s->net[i]);
    free(s->ctrs);
    free(s->pods);
    free(s->netns);
    free(s->net);
    memset(s, 0, sizeof(*s));
}

/* What to read: every container, and every ready pod with a namespace of its own. mu held. */
static int note_all(wc_sandbox *sb, sweep *s)
{
    s->ctrs = calloc(sb->n_ctrs + 1, sizeof(*s->ctrs));
    s->pods = calloc(sb->n_pods + 1, sizeof(*s->pods));
    s->netns = calloc(sb->n_pods + 1, sizeof(*s->netns));
    s->net = calloc(sb->n_pods + 1, sizeof(*s->net));
    if (!s->ctrs || !s->pods || !s->netns || !s->net)
        return -ENOMEM;
    for (size_t i = 0; i < sb->n_ctrs; i++, s->n_ctrs++) {
        wc_container *c = sb->ctrs[i];
        s->ctrs[i] = (ctr_job){.c = c, .pid = c->state == WC_CTR_RUNNING ? c->pid : 0};
    }
    for (size_t i = 0; i < sb->n_pods; i++) {
        wc_pod *p = sb->pods[i];
        if (p->state != WC_POD_READY || *p->netns_path == '\0')
            continue;
        s->pods[s->n_pods] = p;
        s->netns[s->n_pods++] = p->netns_path;
    }
    return 0;
}

/* The CPU rate between c's last sample and u, in ns per s (0 without one to compare). */
static uint64_t nano_cores(const wc_usage *last, const wc_usage *u)
{
    if (last->timestamp == 0 || !last->running || !u->running || u->timestamp <= last->timestamp ||
        u->cpu_ns < last->cpu_ns)
        return 0;
    double rate =
        (double)(u->cpu_ns - last->cpu_ns) * 1e9 / (double)(u->timestamp - last->timestamp);
    return (uint64_t)rate;
}

/* Stores what was read in the records still there. mu held. */
static void store_all(sweep *s)
{
    for (size_t i = 0; i < s->n_ctrs; i++) {
        wc_container *c = s->ctrs[i].c;
        if (c->buried)
            continue;
        s->ctrs[i].u.nano_cores = nano_cores(&c->usage, &s->ctrs[i].u);
        c->usage = s->ctrs[i].u;
    }
    int64_t now = rec_now_ns();
    for (size_t i = 0; i < s->n_pods; i++) {
        wc_pod *p = s->pods[i];
        if (p->buried)
            continue;
        wc_net_ifaces_clear(&p->net);
        p->net = s->net[i];
        p->net_at = now;
        s->net[i] = (wc_net_ifaces){0};
    }
}

static void read_ctr(ctr_job *j)
{
    char dir[4096];
    wc_container_layer_dir(j->c, dir, sizeof(dir));
    wc_usage_read(j->pid, dir, &j->u);
}

static int sweep_once(wc_sandbox *sb, wc_error *err)
{
    sweep s = {0};
    pthread_mutex_lock(&sb->mu);
    int rc = note_all(sb, &s);
    sb->walks += rc == 0;
    pthread_mutex_unlock(&sb->mu);
    if (rc < 0) {
        sweep_clear(&s);
        return wc_error_set(err, rc, "out of memory");
    }
    for (size_t i = 0; i < s.n_ctrs; i++)
        read_ctr(&s.ctrs[i]);
    rc = s.n_pods ? wc_net_ifaces_read(s.netns, s.n_pods, s.net, err) : 0;
    pthread_mutex_lock(&sb->mu);
    if (rc == 0)
        store_all(&s);
    sb_walk_end_locked(sb);
    pthread_mutex_unlock(&sb->mu);
    sweep_clear(&s);
    return rc;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits ms or until asked to stop; true to go on. */
static bool wait_next(sb_sampler *sp, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&sp->mu);
    while (!sp->stop && pthread_cond_timedwait(&sp->wake, &sp->mu, &until) == 0)
        ;
    bool go_on = !sp->stop;
    pthread_mutex_unlock(&sp->mu);
    return go_on;
}

static void *sampler_thread(void *arg)
{
    wc_sandbox *sb = arg;
    do {
        int64_t t0 = mono_ms();
        wc_error err = {0};
        if (sweep_once(sb, &err) < 0)
            wc_warn("sandbox", "stats sample: %s", err.msg);
        int64_t took = mono_ms() - t0;
        int64_t period =
            took * SWEEP_SHARE > WC_STATS_PERIOD_MS ? took * SWEEP_SHARE : WC_STATS_PERIOD_MS;
        if (!wait_next(sb->sampler, period - took))
            break;
    } while (true);
    return NULL;
}

int wc_sandbox_start_stats(wc_sandbox *sb, wc_error *err)
{
    sb_sampler *sp = calloc(1, sizeof(*sp));
    if (sp == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sp->wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&sp->mu, NULL);
    sb->sampler = sp;
    int rc = pthread_create(&sp->thread, NULL, sampler_thread, sb);
    if (rc != 0) {
        sb->sampler = NULL;
        pthread_cond_destroy(&sp->wake);
        pthread_mutex_destroy(&sp->mu);
        free(sp);
        return wc_error_set_errno(err, -rc, "start the stats sampler's thread");
    }
    pthread_setname_np(sp->thread, "stats-sampler");
    return 0;
}

void sb_sampler_stop(wc_sandbox *sb)
{
    sb_sampler *sp = sb->sampler;
    if (sp == NULL)
        return;
    pthread_mutex_lock(&sp->mu);
    sp->stop = true;
    pthread_cond_signal(&sp->wake);
    pthread_mutex_unlock(&sp->mu);
    pthread_join(sp->thread, NULL);
    pthread_cond_destroy(&sp->wake);
    pthread_mutex_destroy(&sp->mu);
    free(sp);
    sb->sampler = NULL;
}
