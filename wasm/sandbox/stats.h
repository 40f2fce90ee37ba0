/* Resource usage of a container's worker and writable layer, read from /proc and
 * the filesystem (no cgroup needed, so it works the same under v1, v2 or none).
 */
#ifndef WASMCRI_SANDBOX_STATS_H
#define WASMCRI_SANDBOX_STATS_H

#include <stddef.h>

#include "container.h"
#include "usage.h"

/* Fills u now from the worker pid (<= 0: none) and the writable layer's directory
 * (layer_dir, "" for none); fields stay 0 for what cannot be read. */
void wc_usage_read(int pid, const char *layer_dir, wc_usage *u);

/* wc_usage_read for c (a copy: no lock needed). */
void wc_container_usage(const wc_container *c, wc_usage *u);

/* The writable layer's directory of c (its overlay upper dir, or its private
 * rootfs), into buf; "" when it has none (readonly rootfs). */
void wc_container_layer_dir(const wc_container *c, char *buf, size_t n);

/* The directory that names the filesystem of c's writable layer (the CRI's fs_id
 * mountpoint, which kubelet looks up): <root>/containers, there from the daemon's
 * start, while the layer itself is made only at the container's first write. */
void wc_container_layer_fs(const wc_container *c, char *buf, size_t n);

#endif
