/* The zygote's children, reaped one by one by pid (issue 18).
 *
 * Every child (spare, worker, ready worker) is cloned with a pidfd (spare.c), which goes into one
 * epoll set here from its birth. A pidfd becomes readable when its process has ended, so an exit
 * is found without looking at the other children: waitpid(-1) walked the zygote's whole list of
 * children on every call (a call per exit and one more that found none), so that stopping N
 * containers cost O(N^2) at the zygote: removing 5,000 pods cost it 502 us of CPU each, and
 * 198 us by pid (hack/bench/startup.py). A pid waited for by number is found in constant time. The
 * price is a descriptor per child in the zygote (raise_nofile in zygote.c).
 */
#ifndef WASMCRI_ZYGOTE_REAPER_H
#define WASMCRI_ZYGOTE_REAPER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/types.h>

#include "error.h"

#define REAPER_BATCH 64

typedef struct reaper {
    int epoll_fd; /* readable when a child has ended */
    struct epoll_event ended[REAPER_BATCH];
    size_t n, next; /* ended[next..n) not reaped yet */
} reaper;

/* -errno. */
int reaper_init(reaper *r, wc_error *err);

/* Watches child pid through pidfd, which it takes: closed once the child is reaped (now, with
 * the child killed and reaped, on failure: -errno). The pidfd stays valid for the caller to
 * poll until reaper_next returns pid. */
int reaper_watch(reaper *r, pid_t pid, int pidfd, wc_error *err);

/* Reaps one child that has ended: true with *ret_pid and *ret_status (as waitpid's), false
 * when no other has. */
bool reaper_next(reaper *r, pid_t *ret_pid, int *ret_status);

#endif
