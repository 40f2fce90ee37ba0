/* cri/handler_pool: slow handlers (ExecSync...) reuse threads instead of one new thread per
 * call; calls that block together each still get a thread; free waits for running handlers
 * and leaves at most HANDLER_POOL_IDLE_MAX threads behind before it. */
#include <dirent.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "../../cri/handler_pool.h"
#include "check.h"

#define SEQUENTIAL 200
#define TOGETHER 6

static sem_t done;
static pid_t tids[SEQUENTIAL];
static atomic_int started, finished;

static bool wait_sem(sem_t *s)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += 10;
    return sem_timedwait(s, &t) == 0;
}

static void record_tid(void *arg)
{
    tids[(long)arg] = gettid();
    sem_post(&done);
}

/* Waits (at most 10 s) until all TOGETHER jobs run at once. */
static void rendezvous(void *arg)
{
    (void)arg;
    atomic_fetch_add(&started, 1);
    for (int i = 0; i < 1000 && atomic_load(&started) < TOGETHER; i++)
        usleep(10000);
    sem_post(&done);
}

static void slow_job(void *arg)
{
    (void)arg;
    usleep(100000);
    atomic_fetch_add(&finished, 1);
}

static int threads_of_this_process(void)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

int main(void)
{
    sem_init(&done, 0, 0);
    handler_pool *p = handler_pool_new();
    CHECK(p != NULL);

    /* one call after the other, as a kubelet's probes come: one thread serves them all */
    for (long i = 0; i < SEQUENTIAL; i++) {
        CHECK(handler_pool_run(p, record_tid, (void *)i) == 0);
        CHECK(wait_sem(&done));
        for (int k = 0; k < 10000 && handler_pool_idle(p) == 0; k++)
            usleep(100); /* back to waiting: the reply went out before, as in the server */
    }
    int distinct = 0;
    for (int i = 0; i < SEQUENTIAL; i++) {
        bool seen = false;
        for (int k = 0; k < i && !seen; k++)
            seen = tids[k] == tids[i];
        distinct += !seen;
    }
    CHECK_EQ_INT(distinct, 1); /* a thread per call: 200 */
    CHECK(tids[0] != gettid());

    /* calls that wait together: each has a thread of its own, or none would end */
    for (int i = 0; i < TOGETHER; i++)
        CHECK(handler_pool_run(p, rendezvous, NULL) == 0);
    for (int i = 0; i < TOGETHER; i++)
        CHECK(wait_sem(&done));
    CHECK_EQ_INT(atomic_load(&started), TOGETHER);
    usleep(200000); /* the threads past the idle limit end */
    CHECK(threads_of_this_process() - 1 <= HANDLER_POOL_IDLE_MAX);

    /* free waits for the handlers still running */
    for (int i = 0; i < 3; i++)
        CHECK(handler_pool_run(p, slow_job, NULL) == 0);
    handler_pool_free(p);
    CHECK_EQ_INT(atomic_load(&finished), 3);
    for (int k = 0; k < 1000 && threads_of_this_process() > 1; k++)
        usleep(1000); /* detached: gone from /proc a moment after they returned */
    CHECK_EQ_INT(threads_of_this_process(), 1);
    return CHECK_DONE();
}
