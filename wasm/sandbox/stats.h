/* Resource usage of a container's worker and writable layer, read from /proc and
 * the filesystem (no cgroup needed, so it works the same under v1, v2 or none).
 */
#ifndef WASMCRI_SANDBOX_STATS_H
#define WASMCRI_SANDBOX_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "container.h"

typedef struct wc_usage {
    int64_t timestamp;    /* ns since the epoch, when read */
    bool running;         /* the worker was there to read */
    uint64_t cpu_ns;      /* CPU time the worker used (/proc/PID/schedstat) */
    uint64_t rss_bytes;   /* resident set: interpreter, module, touched linear memory */
    uint64_t working_set; /* private resident pages: linear memory, heap, stacks (RssAnon) */
    uint64_t layer_bytes; /* allocated bytes of the writable layer */
    uint64_t layer_inodes;
} wc_usage;

/* Fills u for c (a copy: no lock needed); fields stay 0 for what cannot be read. */
void wc_container_usage(const wc_container *c, wc_usage *u);

/* The writable layer's directory of c (its overlay upper dir, or its private
 * rootfs), into buf; "" when it has none (readonly rootfs). */
void wc_container_layer_dir(const wc_container *c, char *buf, size_t n);

/* The directory that names the filesystem of c's writable layer (the CRI's fs_id
 * mountpoint, which kubelet looks up): <root>/containers, there from the daemon's
 * start, while the layer itself is made only at the container's first write. */
void wc_container_layer_fs(const wc_container *c, char *buf, size_t n);

#endif
