/* handler_pool.h: a queue of jobs taken by detached threads, which wait for the next job
 * while fewer than HANDLER_POOL_IDLE_MAX others do, and otherwise end. A job for a waiting
 * thread is handed to it directly and the thread woken by its own semaphore: it runs the job
 * without taking the pool's lock (a condition variable's waiter takes it back on waking, and its
 * unlock then wakes nobody at the cost of a system call: issue 18). */
#include "handler_pool.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct job {
    void (*fn)(void *);
    void *arg;
    struct job *next;
} job;

/* A thread waiting for a job: on its stack while it waits. */
typedef struct waiter {
    sem_t go;
    job *job; /* handed over before go is posted; NULL: the pool stops */
    struct waiter *next;
} waiter;

struct handler_pool {
    pthread_mutex_t lock;
    pthread_cond_t ended; /* a thread ended */
    job *head, *tail;     /* jobs for threads being made (no thread was waiting) */
    size_t queued;        /* jobs no thread has taken yet */
    waiter *waiters;      /* threads waiting for a job */
    size_t idle;          /* how many */
    size_t threads;       /* threads alive */
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

/* Waits, lock held and then released, for the job handed to w; NULL when the pool stops. */
static job *wait_for_job(handler_pool *p, waiter *w)
{
    w->job = NULL;
    w->next = p->waiters;
    p->waiters = w;
    p->idle++;
    pthread_mutex_unlock(&p->lock);
    while (sem_wait(&w->go) < 0 && errno == EINTR)
        ;
    return w->job;
}

static void *pool_thread(void *arg)
{
    handler_pool *p = arg;
    waiter w;
    sem_init(&w.go, 0, 0);
    pthread_setname_np(pthread_self(), "cri-handler"); /* not the queue thread's it inherits */
    pthread_mutex_lock(&p->lock);
    for (;;) {
        job *j = NULL;
        if (p->head) {
            j = take(p);
            pthread_mutex_unlock(&p->lock);
        } else if (p->stopping || p->idle >= HANDLER_POOL_IDLE_MAX) {
            break; /* enough threads wait already */
        } else if ((j = wait_for_job(p, &w)) == NULL) {
            pthread_mutex_lock(&p->lock);
            break; /* stopping */
        }
        j->fn(j->arg);
        free(j);
        pthread_mutex_lock(&p->lock);
    }
    p->threads--;
    pthread_cond_broadcast(&p->ended);
    pthread_mutex_unlock(&p->lock);
    sem_destroy(&w.go);
    return NULL;
}

handler_pool *handler_pool_new(void)
{
    handler_pool *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    pthread_mutex_init(&p->lock, NULL);
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
    waiter *w = p->waiters;
    if (w) {
        p->waiters = w->next;
        p->idle--;
        w->job = j;
        pthread_mutex_unlock(&p->lock);
        sem_post(&w->go); /* after the unlock: the thread woken does not block on the lock */
        return 0;
    }
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    p->queued++;
    p->threads++;
    pthread_mutex_unlock(&p->lock);
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
    for (waiter *w; (w = p->waiters) != NULL; p->idle--) {
        p->waiters = w->next;
        sem_post(&w->go); /* w->job NULL: it ends */
    }
    while (p->threads > 0)
        pthread_cond_wait(&p->ended, &p->lock);
    pthread_mutex_unlock(&p->lock);
    pthread_cond_destroy(&p->ended);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
