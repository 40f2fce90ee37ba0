/* Per-rpc Prometheus figures of the gRPC server: calls handled by status code and their
 * latency (from the call's arrival to its status being sent), and how long each handler that
 * ran on the completion-queue thread held it (the longest hold too: every other rpc waits that
 * long; issue 18), kept per method by server.c
 * and written by the metrics endpoint, following the names of grpc-ecosystem's
 * go-grpc-prometheus (grpc_server_handled_total, grpc_server_handling_seconds) under the
 * wasmcri_ prefix.
 */
#ifndef WASMCRI_CRI_RPC_METRICS_H
#define WASMCRI_CRI_RPC_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "metrics.h"

#define CRI_N_STATUS_CODES 17 /* OK .. UNAUTHENTICATED */

typedef struct cri_rpc_stats {
    _Atomic uint64_t by_code[CRI_N_STATUS_CODES];
    wc_histogram seconds;
    wc_histogram queue_hold;         /* handlers run on the queue thread */
    _Atomic uint64_t queue_hold_max; /* ns */
} cri_rpc_stats;

/* One call of the method ended with code after ns nanoseconds. */
void cri_rpc_stats_record(cri_rpc_stats *s, int code, uint64_t ns);
/* A handler of the method held the completion-queue thread for ns nanoseconds. */
void cri_rpc_stats_hold(cri_rpc_stats *s, uint64_t ns);

/* The families for n methods: paths[i] ("/runtime.v1.RuntimeService/Version") and
 * stats[i]; methods never called are left out. */
void cri_rpc_metrics_write(FILE *f, const char *const *paths, cri_rpc_stats *const *stats,
                           size_t n);

#endif
