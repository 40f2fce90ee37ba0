/* The queue threads' heartbeat (heartbeat.h).
 *
 * Each thread stamps the time of its last turn; the thread that finds a beat due checks
 * every stamp, claims the beat (compare-and-swap on the time of the last one, so two
 * threads never both send it) and calls beat(). A thread waits in gRPC at most until
 * the next beat is due, so a healthy idle thread always comes round in time.
 */
#include "heartbeat.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

struct cri_pulse {
    cri_heartbeat hb;
    uint64_t interval_ns;
    _Atomic uint64_t last_beat_ns;
    size_t n_threads;
    _Atomic uint64_t stamp_ns[]; /* per thread: its last turn */
};

int cri_pulse_new(const cri_heartbeat *hb, size_t n_threads, uint64_t now_ns, cri_pulse **ret_pulse,
                  wc_error *err)
{
    cri_pulse *p = calloc(1, sizeof(*p) + n_threads * sizeof(p->stamp_ns[0]));
    if (p == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (hb && hb->interval_us && hb->beat)
        p->hb = *hb;
    p->interval_ns = p->hb.interval_us * 1000;
    p->n_threads = n_threads;
    atomic_init(&p->last_beat_ns, now_ns);
    for (size_t i = 0; i < n_threads; i++)
        atomic_init(&p->stamp_ns[i], now_ns);
    *ret_pulse = p;
    return 0;
}

void cri_pulse_free(cri_pulse *p)
{
    free(p);
}

static bool all_alive(cri_pulse *p, uint64_t now_ns)
{
    for (size_t i = 0; i < p->n_threads; i++)
        if (now_ns - atomic_load(&p->stamp_ns[i]) > p->interval_ns)
            return false;
    return true;
}

uint64_t cri_pulse_tick(cri_pulse *p, size_t thread, uint64_t now_ns)
{
    if (p == NULL || p->interval_ns == 0)
        return UINT64_MAX;
    atomic_store(&p->stamp_ns[thread], now_ns);
    uint64_t last = atomic_load(&p->last_beat_ns);
    if (now_ns - last >= p->interval_ns && all_alive(p, now_ns) &&
        atomic_compare_exchange_strong(&p->last_beat_ns, &last, now_ns)) {
        p->hb.beat(p->hb.ctx);
        last = now_ns;
    }
    /* Not due yet, or due but held back by a stuck thread: look again an interval on. */
    return last + p->interval_ns > now_ns ? last + p->interval_ns : now_ns + p->interval_ns;
}
