/* A growable hash set of strings: constant-time add and lookup (the paths a layer has made,
 * the blobs and snapshots GC keeps). Zero-initialise; free with wc_strset_clear. */
#ifndef WASMCRI_COMMON_STRSET_H
#define WASMCRI_COMMON_STRSET_H

#include <stdbool.h>
#include <stddef.h>

typedef struct wc_strset {
    char **slots;
    size_t cap, len;
} wc_strset;

/* Adds a copy of s; -ENOMEM. */
int wc_strset_add(wc_strset *set, const char *s);
bool wc_strset_has(const wc_strset *set, const char *s);
void wc_strset_clear(wc_strset *set);

#endif
