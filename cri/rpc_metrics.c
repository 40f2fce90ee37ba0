/* Per-rpc counts and latencies (see rpc_metrics.h). */
#include "rpc_metrics.h"

#include <string.h>

static const char *const code_names[CRI_N_STATUS_CODES] = {
    "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
    "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
    "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
    "DataLoss", "Unauthenticated"};

void cri_rpc_stats_record(cri_rpc_stats *s, int code, uint64_t ns)
{
    if (code < 0 || code >= CRI_N_STATUS_CODES)
        code = 2; /* Unknown */
    atomic_fetch_add_explicit(&s->by_code[code], 1, memory_order_relaxed);
    wc_histogram_observe(&s->seconds, ns);
}

void cri_rpc_stats_hold(cri_rpc_stats *s, uint64_t ns)
{
    wc_histogram_observe(&s->queue_hold, ns);
    uint64_t max = atomic_load_explicit(&s->queue_hold_max, memory_order_relaxed);
    while (ns > max &&
           !atomic_compare_exchange_weak_explicit(&s->queue_hold_max, &max, ns,
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
}

/* `grpc_service="runtime.v1.RuntimeService",grpc_method="Version"` from a method path. */
static void labels_of(const char *path, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/');
    const char *service = path[0] == '/' ? path + 1 : path;
    int service_len = slash && slash > service ? (int)(slash - service) : 0;
    snprintf(buf, n, "grpc_service=\"%.*s\",grpc_method=\"%s\"", service_len, service,
             slash ? slash + 1 : path);
}

static uint64_t calls(const cri_rpc_stats *s)
{
    return atomic_load_explicit(&s->seconds.count, memory_order_relaxed);
}

/* The queue thread's holds: only methods whose handlers ran on it. */
static void write_holds(FILE *f, const char *const *paths, cri_rpc_stats *const *stats, size_t n)
{
    char labels[256];
    wc_prom_family(f, "wasmcri_grpc_server_queue_hold_seconds", "histogram",
                   "Time a CRI rpc's handler held the completion-queue thread, by method.");
    for (size_t i = 0; i < n; i++) {
        if (atomic_load_explicit(&stats[i]->queue_hold.count, memory_order_relaxed) == 0)
            continue;
        labels_of(paths[i], labels, sizeof(labels));
        wc_histogram_write(f, "wasmcri_grpc_server_queue_hold_seconds", labels,
                           &stats[i]->queue_hold);
    }
    wc_prom_family(f, "wasmcri_grpc_server_queue_hold_max_seconds", "gauge",
                   "The longest a CRI rpc's handler held the completion-queue thread, by method.");
    for (size_t i = 0; i < n; i++) {
        uint64_t max = atomic_load_explicit(&stats[i]->queue_hold_max, memory_order_relaxed);
        if (atomic_load_explicit(&stats[i]->queue_hold.count, memory_order_relaxed) == 0)
            continue;
        labels_of(paths[i], labels, sizeof(labels));
        fprintf(f, "wasmcri_grpc_server_queue_hold_max_seconds{%s} %.9f\n", labels, max / 1e9);
    }
}

void cri_rpc_metrics_write(FILE *f, const char *const *paths, cri_rpc_stats *const *stats, size_t n)
{
    char labels[256];
    wc_prom_family(f, "wasmcri_grpc_server_handled_total", "counter",
                   "CRI rpcs completed, by method and gRPC status code.");
    for (size_t i = 0; i < n; i++) {
        if (calls(stats[i]) == 0)
            continue;
        labels_of(paths[i], labels, sizeof(labels));
        for (int c = 0; c < CRI_N_STATUS_CODES; c++) {
            uint64_t v = atomic_load_explicit(&stats[i]->by_code[c], memory_order_relaxed);
            if (v)
                fprintf(f, "wasmcri_grpc_server_handled_total{%s,grpc_code=\"%s\"} %llu\n", labels,
                        code_names[c], (unsigned long long)v);
        }
    }
    wc_prom_family(f, "wasmcri_grpc_server_handling_seconds", "histogram",
                   "Time from a CRI rpc's arrival to its status, by method.");
    for (size_t i = 0; i < n; i++) {
        if (calls(stats[i]) == 0)
            continue;
        labels_of(paths[i], labels, sizeof(labels));
        wc_histogram_write(f, "wasmcri_grpc_server_handling_seconds", labels, &stats[i]->seconds);
    }
    write_holds(f, paths, stats, n);
}
