/* A spare worker: a child the zygote forks ahead of need, which waits for one
 * start or exec request. Handing a request to it is one sendmsg instead of a fork
 * (the fork of the zygote, with its copy of the page tables and the TLB-flush IPIs,
 * was the largest part of StartContainer), and the zygote forks the next spare
 * after it has answered. A spare can run the modules the zygote had compiled when
 * it forked it: the first n_modules of the zygote's cache.
 */
#ifndef WASMCRI_SANDBOX_SPARE_H
#define WASMCRI_SANDBOX_SPARE_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "worker.h"

/* Finds a module among the first n of the (forked copy of the) zygote's cache. */
typedef const wr_module *(*spare_find_fn)(void *ctx, const char *module_key, size_t n);

typedef struct spare {
    pid_t pid;        /* 0: no spare */
    int sock;         /* the zygote's end of the hand-over socket */
    int result_fd;    /* read end of the spare's worker_result pipe */
    size_t n_modules; /* how many of the zygote's modules the spare has */
} spare;

/* Forks a spare holding the first n_modules modules; find runs in the child, which
 * keeps layer_fd for the worker it becomes (worker_fds.layer). */
int spare_fork(spare *sp, size_t n_modules, int layer_fd, spare_find_fn find, void *ctx,
               wc_error *err);

/* Takes the spare to be a worker: its pid, result pipe and hand-over socket become
 * the caller's, and *sp is empty. The zygote answers the daemon first, then hands
 * the spec over (spare_send): the daemon's thread wakes before the worker does. */
void spare_claim(spare *sp, pid_t *ret_pid, int *ret_result_fd, int *ret_sock);

/* Sends the start/exec request's spec (borrowed) and, for an exec, its two output
 * fds (borrowed) on a claimed spare's socket, which stays open: the worker keeps its
 * end (worker_fds.control). On failure the caller kills the spare (its exit is then
 * reported like any worker's). */
int spare_send(int sock, const json_t *spec, const int *stdio, wc_error *err);

/* Kills the spare (the zygote reaps it like any child) and empties *sp. */
void spare_discard(spare *sp);

#endif
