/* The zygote's children, reaped one by one by pid (issue 18).
 *
 * waitpid(-1) walks the zygote's whole list of children on every call, and SIGCHLD says only
 * that some child ended (signals of one kind pending at once merge into one): reaping by
 * waitpid(-1, WNOHANG) loops (a call per exit and one more that found none) made stopping N
 * containers cost O(N^2) at the zygote: removing 5,000 pods cost it 502-544 us of CPU each,
 * ~200 us by pid, as at 10,000 (hack/bench/startup.py). So every child is cloned with a realtime
 * signal as its exit signal (spare.c): realtime signals queue, one per exit, each with the pid,
 * and a pid waited for by number is found in constant time. The zygote holds no descriptor per
 * child. A realtime signal that does not fit the queue (RLIMIT_SIGPENDING,
 * raised here as far as allowed) is lost: reaper_sweep, run now and then, finds what such a
 * loss left (the old walk, but seconds apart, not per exit).
 */
#ifndef WASMCRI_ZYGOTE_REAPER_H
#define WASMCRI_ZYGOTE_REAPER_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* How often the zygote sweeps for a child whose exit signal was lost, at most (ms). */
#define REAPER_SWEEP_MS 10000

typedef struct reaper {
    int sig_fd;    /* the exit signal's signalfd: readable when a child has ended */
    sigset_t mask; /* the exit signal */
} reaper;

/* The signal every child is cloned with as its exit signal. */
int reaper_exit_signal(void);

/* Blocks the exit signal (the calling thread's mask: the children inherit it), opens its
 * signalfd and raises RLIMIT_SIGPENDING; -errno. */
int reaper_init(reaper *r, wc_error *err);

/* Reaps a child whose exit signal is queued: true with *ret_pid and *ret_status (as waitpid's),
 * false when none is. */
bool reaper_next(reaper *r, pid_t *ret_pid, int *ret_status);

/* Reaps any child that has ended, by walking them all (the backstop); as reaper_next. */
bool reaper_sweep(pid_t *ret_pid, int *ret_status);

#endif
