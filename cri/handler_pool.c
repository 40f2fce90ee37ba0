/* handler_pool.h: a queue of jobs taken by detached threads, which wait for the next job
 * while fewer than HANDLER_POOL_IDLE_MAX others do, and otherwise end. */
#include "handler_pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct job {
    void (*fn)(void *);
    void *arg;
    struct job *next;
} job;

struct handler_pool {
    pthread_mutex_t lock;
    pthread_cond_t work;  /* a job was queued, or the pool stops */
    pthread_cond_t ended; /* a thread ended */
    job *head, *tail;
    size_t queued;  /* jobs no thread has taken yet */
    size_t idle;    /* threads waiting for a job */
    size_t threads; /* threads alive */
    bool stopping;
};

static job *take(handler_pool *p)
{
    job *j = p->head;
    p->head = j->next;
    if (p->head == NULL)
        p->tail = NULL;
    p->queued--;
    return j;
}

static void *pool_thread(void *arg)
{
    handler_pool *p = arg;
    pthread_setname_np(pthread_self(), "cri-handler"); /* not the queue thread's it inherits */
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->head == NULL && !p->stopping) {
            p->idle++;
            pthread_cond_wait(&p->work, &p->lock);
            p->idle--;
        }
        if (p->head == NULL) /* stopping, nothing left */
            break;
        job *j = take(p);
        pthread_mutex_unlock(&p->lock);
        j->fn(j->arg);
        free(j);
        pthread_mutex_lock(&p->lock);
        if (p->head == NULL && p->idle >= HANDLER_POOL_IDLE_MAX)
            break; /* enough threads wait already */
    }
    p->threads--;
    pthread_cond_broadcast(&p->ended);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

handler_pool *handler_pool_new(void)
{
    handler_pool *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->ended, NULL);
    return p;
}

/* Takes j out of the queue if no thread took it yet; true when it did. */
static bool unqueue(handler_pool *p, job *j)
{
    for (job **at = &p->head, *prev = NULL; *at; prev = *at, at = &(*at)->next) {
        if (*at != j)
            continue;
        *at = j->next;
        if (p->tail == j)
            p->tail = prev;
        p->queued--;
        return true;
    }
    return false;
}

int handler_pool_run(handler_pool *p, void (*fn)(void *), void *arg)
{
    job *j = malloc(sizeof(*j));
    if (j == NULL)
        return -1;
    *j = (job){fn, arg, NULL};
    pthread_mutex_lock(&p->lock);
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    p->queued++;
    bool spawn = p->queued > p->idle; /* every waiting thread has a job already */
    if (spawn)
        p->threads++;
    pthread_mutex_unlock(&p->lock);
    if (!spawn) { /* after the unlock: the thread woken does not block on the lock held here */
        pthread_cond_signal(&p->work);
        return 0;
    }
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, pool_thread, p);
    pthread_attr_destroy(&attr);
    if (rc == 0)
        return 0;
    pthread_mutex_lock(&p->lock);
    p->threads--;
    bool mine = unqueue(p, j); /* else a thread that just finished took it: it runs */
    pthread_mutex_unlock(&p->lock);
    if (!mine)
        return 0;
    free(j);
    return -1;
}

size_t handler_pool_idle(handler_pool *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->idle;
    pthread_mutex_unlock(&p->lock);
    return n;
}

void handler_pool_free(handler_pool *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->work);
    while (p->threads > 0)
        pthread_cond_wait(&p->ended, &p->lock);
    pthread_mutex_unlock(&p->lock);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->ended);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
