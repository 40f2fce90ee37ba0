/* Container events (see events.h): a list of subscribers, each with a ring of
 * events, all under the sandbox mutex; emitters broadcast `changed`, on which
 * wc_events_next waits.
 */
#include "events.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record.h"
#include "sandbox_int.h"

struct wc_event_sub {
    wc_event_sub *next;
    wc_event ring[EVENTS_QUEUE_MAX];
    size_t head, count;
};

void sb_emit(wc_sandbox *sb, wc_event_type type, const wc_container *c)
{
    for (wc_event_sub *s = sb->subs; s; s = s->next) {
        if (s->count == EVENTS_QUEUE_MAX) { /* drop the oldest */
            wc_container_free(s->ring[s->head].ctr);
            s->head = (s->head + 1) % EVENTS_QUEUE_MAX;
            s->count--;
        }
        wc_event *e = &s->ring[(s->head + s->count++) % EVENTS_QUEUE_MAX];
        e->type = type;
        memcpy(e->ctr_id, c->id, WC_ID_SIZE);
        memcpy(e->pod_id, c->pod_id, WC_ID_SIZE);
        e->at = rec_now_ns();
        /* the status as of this change: by the time it is sent the record moved on */
        e->ctr = type == WC_EVENT_DELETED ? NULL : wc_container_copy(c);
    }
    pthread_cond_broadcast(&sb->changed);
}

int wc_events_subscribe(wc_sandbox *sb, wc_event_sub **ret_sub)
{
    wc_event_sub *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -ENOMEM;
    pthread_mutex_lock(&sb->mu);
    s->next = sb->subs;
    sb->subs = s;
    pthread_mutex_unlock(&sb->mu);
    *ret_sub = s;
    return 0;
}

int wc_events_next(wc_sandbox *sb, wc_event_sub *s, wc_event *ret_ev, int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&sb->mu);
    while (s->count == 0)
        if (pthread_cond_timedwait(&sb->changed, &sb->mu, &deadline) != 0)
            break;
    int got = s->count > 0;
    if (got) {
        *ret_ev = s->ring[s->head];
        s->head = (s->head + 1) % EVENTS_QUEUE_MAX;
        s->count--;
    }
    pthread_mutex_unlock(&sb->mu);
    return got;
}

void wc_events_unsubscribe(wc_sandbox *sb, wc_event_sub *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&sb->mu);
    for (wc_event_sub **p = &sb->subs; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    pthread_mutex_unlock(&sb->mu);
    for (size_t i = 0; i < s->count; i++)
        wc_container_free(s->ring[(s->head + i) % EVENTS_QUEUE_MAX].ctr);
    free(s);
}
