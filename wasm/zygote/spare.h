/* A spare worker: a child the zygote forks ahead of need, which waits for one
 * start or exec request. Handing a request to it is one sendmsg instead of a fork
 * (the fork of the zygote, with its copy of the page tables and the TLB-flush IPIs,
 * was the largest part of StartContainer), and the next spare is forked after the zygote
 * has answered. A spare can run the modules the zygote had compiled when its forker was
 * forked (module_cache.h); a module it does not hold comes as a descriptor with the spec,
 * and the worker compiles it itself.
 *
 * The zygote forks no spare itself: its forker does (spare_fork), a child made as a spare
 * once was, which then clones each spare as a child of the zygote (CLONE_PARENT).
 *
 * The zygote may hold a descriptor per worker (the write end of a container's stdin pipe;
 * a worker's socket is closed once its spec is sent: issue 18), thousands of them: a plain
 * fork would copy that table (and the child close it again), work that grew with every
 * container running. So the forker is cloned sharing the zygote's table (CLONE_FILES), with
 * its end of the socket at a reserved low descriptor (the slot, held by /dev/null otherwise),
 * and its first act is close_range(CLOSE_RANGE_UNSHARE) above it: a table of a few
 * descriptors of its own, whatever the zygote holds, which its spares copy. Until the forker
 * says it has its own table, the slot stays lent to it (spare_ready).
 */
#ifndef WASMCRI_SANDBOX_SPARE_H
#define WASMCRI_SANDBOX_SPARE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "worker.h"

/* Finds a module in the (forked copy of the) zygote's cache; NULL if it is not there. */
typedef const wr_module *(*spare_find_fn)(void *ctx, const char *module_key);

typedef struct spare {
    pid_t pid;        /* 0: no spare */
    int sock;         /* the zygote's end of the hand-over socket */
    int pidfd;        /* the forker's, while the slot is lent to it; else -1 */
    bool ready;       /* it has said it is ready (spare_ready) */
    uint64_t mark;    /* the cache's next_id when it forked: it holds entries below */
    uint64_t version; /* the cache's version when it forked */
} spare;

/* The reserved descriptor and the /dev/null that holds it; made once (spare_init),
 * before the zygote has many descriptors, so that it is low; and the forker that forks the
 * spares (spare_fork). */
typedef struct spare_slots {
    int sock, devnull;
    spare forker;
} spare_slots;

/* Reserves the slot; -errno. The spare is empty. */
int spare_init(spare *sp, spare_slots *slots, wc_error *err);

/* A spare holding what the cache holds now (mark and version are the cache's), forked by the
 * forker (slots->forker): a copy of the zygote made when the cache had this version (cloned
 * as above, at its first spare or a change of the cache; once more if it died), which clones
 * each spare as a child of the zygote (CLONE_PARENT), so that the zygote forks none. After each
 * fork the zygote shared every page with the spare, and its first write to each (a request's
 * heap, its stack, malloc's state: 16 a start) was a copy-on-write fault and a TLB flush (an IPI
 * to the other CPU), ~30 us each on a paravirtualised guest, and the fork itself (page tables)
 * 25% of its CPU. find runs in the child, which keeps layer_fd (a low descriptor, made before
 * the slots or with it) for the worker it becomes (worker_fds.layer). */
int spare_fork(spare *sp, spare_slots *slots, uint64_t mark, uint64_t version, int layer_fd,
               spare_find_fn find, void *ctx, wc_error *err);

/* Waits until the spare (or the forker) has a descriptor table of its own (at once but on one
 * that has not run yet; at most a few seconds), then takes the slot back. -ECHILD: it died
 * first (it is then discarded). */
int spare_ready(spare *sp, const spare_slots *slots, wc_error *err);

/* Takes a ready spare to be a worker: its pid and hand-over socket become the caller's,
 * and *sp is empty. The zygote answers the daemon first, then hands the spec over
 * (spare_send): the daemon's thread wakes before the worker does. */
void spare_claim(spare *sp, pid_t *ret_pid, int *ret_sock);

/* Sends the start/exec request's spec (borrowed) on a claimed spare's socket, with the
 * guest's stdio (borrowed, -1 when absent): stdout and stderr (an exec's; both or neither),
 * stdin (an exec's, or the pipe of a container with stdin) and an exec's status pipe
 * (worker_fds.status), and, for a module the spare does not
 * hold, the module's fd (module_fd >= 0, borrowed: the worker compiles it, without validating it
 * again when validated: the zygote did at create, compile_jobs.h). The caller closes its end
 * then (the worker closes its own once it has the spec: the rest goes on the layer socket,
 * layer.h). On failure the caller kills the spare (its exit is then reported like any
 * worker's). */
int spare_send(int sock, const json_t *spec, const int stdio[4], int module_fd, bool validated,
               wc_error *err);

/* Sends a claimed spare the set-up of a container's execs (spec, borrowed: an exec's; exec) or
 * of its start (a start's spec), to do now and keep until its exec's or start's fields come
 * (spare_send); ready.h. done_fd (borrowed; -1: none) is closed by the worker once its set-up
 * is done (the reader sees its end). */
int spare_prepare(int sock, const json_t *spec, bool exec, int done_fd, wc_error *err);

/* Kills the spare (the zygote reaps it like any child), takes the slot back and
 * empties *sp. */
void spare_discard(spare *sp, const spare_slots *slots);

#endif
