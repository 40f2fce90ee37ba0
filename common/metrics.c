/* Process-wide counters and histograms, and the exposition format (see metrics.h). */
#include "metrics.h"

static _Atomic uint64_t counters[WC_N_COUNTERS];
static wc_histogram pull_seconds;

static const double bounds[WC_HIST_BUCKETS] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 15, 60};

void wc_metrics_count(wc_counter c, uint64_t n)
{
    atomic_fetch_add_explicit(&counters[c], n, memory_order_relaxed);
}

void wc_histogram_observe(wc_histogram *h, uint64_t ns)
{
    double s = (double)ns / 1e9;
    size_t i = 0;
    while (i < WC_HIST_BUCKETS && s > bounds[i])
        i++;
    atomic_fetch_add_explicit(&h->buckets[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
}

void wc_metrics_observe_pull(uint64_t ns)
{
    wc_histogram_observe(&pull_seconds, ns);
}

void wc_prom_family(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void wc_histogram_write(FILE *f, const char *name, const char *labels, const wc_histogram *h)
{
    const char *sep = *labels ? "," : "";
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= WC_HIST_BUCKETS; i++) {
        cumulative += atomic_load_explicit(&h->buckets[i], memory_order_relaxed);
        if (i < WC_HIST_BUCKETS)
            fprintf(f, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep, bounds[i],
                    (unsigned long long)cumulative);
        else
            fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
                    (unsigned long long)cumulative);
    }
    const char *open = *labels ? "{" : "", *close = *labels ? "}" : "";
    fprintf(f, "%s_sum%s%s%s %.9f\n", name, open, labels, close,
            (double)atomic_load_explicit(&h->sum_ns, memory_order_relaxed) / 1e9);
    /* the buckets' total: a count read apart from them could disagree with +Inf */
    fprintf(f, "%s_count%s%s%s %llu\n", name, open, labels, close, (unsigned long long)cumulative);
}

static unsigned long long get(wc_counter c)
{
    return (unsigned long long)atomic_load_explicit(&counters[c], memory_order_relaxed);
}

void wc_metrics_write(FILE *f)
{
    wc_prom_family(f, "wasmcri_container_starts_total", "counter",
                   "Containers started (StartContainer that started a worker).");
    fprintf(f, "wasmcri_container_starts_total %llu\n", get(WC_M_CONTAINER_STARTS));
    wc_prom_family(f, "wasmcri_zygote_restarts_total", "counter",
                   "Zygotes started again after the previous one ended.");
    fprintf(f, "wasmcri_zygote_restarts_total %llu\n", get(WC_M_ZYGOTE_RESTARTS));
    wc_prom_family(f, "wasmcri_image_pull_bytes_total", "counter",
                   "Bytes of blobs fetched by successful image pulls.");
    fprintf(f, "wasmcri_image_pull_bytes_total %llu\n", get(WC_M_PULL_BYTES));
    wc_prom_family(f, "wasmcri_image_pulls_total", "counter", "Image pulls by result.");
    fprintf(f, "wasmcri_image_pulls_total{result=\"success\"} %llu\n", get(WC_M_PULLS_OK));
    fprintf(f, "wasmcri_image_pulls_total{result=\"failure\"} %llu\n", get(WC_M_PULLS_FAILED));
    wc_prom_family(f, "wasmcri_image_pull_duration_seconds", "histogram",
                   "Time PullImage took, successful or not.");
    wc_histogram_write(f, "wasmcri_image_pull_duration_seconds", "", &pull_seconds);
}
