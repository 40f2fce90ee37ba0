/* The serving loop's proof of life, for systemd's watchdog: every completion-queue
 * thread of the server (server.c) reports each turn of its loop here, and a beat is
 * sent from a queue thread once per interval, only while every queue thread has come
 * round its loop within that interval. A queue thread stuck in a handler, or in gRPC,
 * stops the beats, and systemd (WatchdogSec=) restarts the daemon.
 */
#ifndef WASMCRI_CRI_HEARTBEAT_H
#define WASMCRI_CRI_HEARTBEAT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* What the daemon asks for: beat(ctx) about every interval_us (0: never). */
typedef struct cri_heartbeat {
    uint64_t interval_us;
    void (*beat)(void *ctx);
    void *ctx;
} cri_heartbeat;

typedef struct cri_pulse cri_pulse;

/* For n_threads queue threads; hb is copied (NULL or an interval of 0: no beats).
 * -ENOMEM. */
int cri_pulse_new(const cri_heartbeat *hb, size_t n_threads, uint64_t now_ns, cri_pulse **ret_pulse,
                  wc_error *err);
void cri_pulse_free(cri_pulse *p);

/* Queue thread `thread` is at the top of its loop at now_ns (CLOCK_MONOTONIC): beats
 * when one is due and every thread is alive. Returns the time by which this thread
 * must come back (UINT64_MAX when there are no beats). p may be NULL. */
uint64_t cri_pulse_tick(cri_pulse *p, size_t thread, uint64_t now_ns);

#endif
