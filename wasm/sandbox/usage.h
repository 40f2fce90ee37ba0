/* A container's resource usage as stats.h reads it and the stats sampler keeps it
 * (stats_sampler.c): one sample, with when it was taken.
 */
#ifndef WASMCRI_SANDBOX_USAGE_H
#define WASMCRI_SANDBOX_USAGE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct wc_usage {
    int64_t timestamp;    /* ns since the epoch, when read; 0: never sampled */
    bool running;         /* the worker was there to read */
    uint64_t cpu_ns;      /* CPU time the worker used (/proc/PID/schedstat) */
    uint64_t nano_cores;  /* CPU nanoseconds per second since the sample before (sampler only) */
    uint64_t rss_bytes;   /* resident set: interpreter, module, touched linear memory */
    uint64_t working_set; /* private resident pages: linear memory, heap, stacks (RssAnon) */
    uint64_t layer_bytes; /* allocated bytes of the writable layer */
    uint64_t layer_inodes;
} wc_usage;

#endif
