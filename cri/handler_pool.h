/* Threads for the server's slow handlers (ExecSync, StopContainer, streams...), kept for the
 * next call when it ends instead of one new thread per call: a thread is made only when none
 * is idle, and at most HANDLER_POOL_IDLE_MAX stay waiting. */
#ifndef WASMCRI_CRI_HANDLER_POOL_H
#define WASMCRI_CRI_HANDLER_POOL_H

#include <stddef.h>

#define HANDLER_POOL_IDLE_MAX 4

typedef struct handler_pool handler_pool;

/* A pool with no thread yet; NULL when out of memory. */
handler_pool *handler_pool_new(void);

/* Runs fn(arg) on an idle thread of the pool, or on a new one; -1 (fn not run) when there is
 * none and no thread can be made. */
int handler_pool_run(handler_pool *p, void (*fn)(void *), void *arg);

/* The threads waiting for a job now. */
size_t handler_pool_idle(handler_pool *p);

/* Ends the pool's threads, waiting for those still running a handler, and frees it. */
void handler_pool_free(handler_pool *p);

#endif
