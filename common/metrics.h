/* The daemon's own Prometheus metrics: counters and latency histograms kept with atomics,
 * so any thread may count without a lock, and written out in the Prometheus text exposition
 * format (version 0.0.4) by the metrics endpoint (cri/metrics_http.c).
 *
 * What counts here are events the daemon's libraries see (pulls, starts, zygote restarts);
 * per-rpc figures are the gRPC server's (cri/rpc_metrics.h) and gauges of the current state
 * (pods, containers, the module cache) are read at each scrape. To add a counter: a name in
 * wc_counter and its line in the table of metrics.c.
 */
#ifndef WASMCRI_COMMON_METRICS_H
#define WASMCRI_COMMON_METRICS_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

typedef enum wc_counter {
    WC_M_CONTAINER_STARTS, /* StartContainer that started a worker */
    WC_M_ZYGOTE_RESTARTS,  /* a zygote started again after the last one ended */
    WC_M_PULL_BYTES,       /* blob bytes a successful pull fetched */
    WC_M_PULLS_OK,         /* PullImage that succeeded */
    WC_M_PULLS_FAILED,     /* PullImage that failed */
    WC_N_COUNTERS
} wc_counter;

void wc_metrics_count(wc_counter c, uint64_t n);

/* A latency histogram in seconds, buckets from 100 µs to 60 s. */
#define WC_HIST_BUCKETS 15
typedef struct wc_histogram {
    _Atomic uint64_t buckets[WC_HIST_BUCKETS + 1]; /* the last is +Inf */
    _Atomic uint64_t count, sum_ns;
} wc_histogram;

void wc_histogram_observe(wc_histogram *h, uint64_t ns);

/* The image pulls' durations (PullImage, success or failure). */
void wc_metrics_observe_pull(uint64_t ns);

/* "# HELP name help\n# TYPE name type\n". */
void wc_prom_family(FILE *f, const char *name, const char *type, const char *help);

/* The _bucket, _sum and _count samples of h, each with labels (`k="v",...`, or "") first. */
void wc_histogram_write(FILE *f, const char *name, const char *labels, const wc_histogram *h);

/* Every counter and histogram of this file, family by family. */
void wc_metrics_write(FILE *f);

#endif
