/* Applying one layer tarball (plain, gzip or zstd) onto a directory, safely (unpack.c). */
#ifndef WASMCRI_IMAGE_UNPACK_H
#define WASMCRI_IMAGE_UNPACK_H

#include <stdint.h>

#include "error.h"

typedef struct wc_unpack_limits {
    uint64_t max_bytes; /* sum of the entries' sizes */
    uint64_t max_entries;
    /* The entries' data may be at most this many times the compressed file (but always
     * WC_UNPACK_RATIO_FLOOR bytes): a decompression bomb is refused at the header of the
     * entry that passes the limit, before its data is written. 0: no ratio limit. */
    uint64_t max_ratio;
} wc_unpack_limits;

typedef struct wc_unpack_report {
    uint64_t entries, bytes;
    uint64_t skipped;        /* device nodes, fifos, sockets */
    char first_skipped[256]; /* the first of them, for the log */
    uint64_t stripped;       /* entries that lost setuid/setgid bits */
} wc_unpack_report;

/* Extracts the tarball at path onto the existing directory dest (a snapshot being prepared),
 * applying whiteouts (.wh.NAME) and opaque markers (.wh..wh..opq). Refused with -EPERM and
 * the entry named: absolute paths, ".." components, symlinks whose relative target climbs out
 * of dest, hard links to anything but a regular file inside dest, any path through a symlink.
 * Skipped: device nodes, fifos, sockets. Stripped: setuid/setgid bits. -EFBIG past the limits,
 * naming the limit.
 * Files are replaced, never written in place (dest shares inodes with its parent): a hard
 * link's own data and metadata are ignored, as Docker and containerd ignore them. */
int wc_unpack_layer(const char *path, const char *dest, const wc_unpack_limits *lim,
                    wc_unpack_report *rep, wc_error *err);

/* Like wc_unpack_layer, and checks that the uncompressed tar hashes to diff_id (the config's
 * rootfs.diff_ids entry, which names the snapshot): -EILSEQ when it does not. */
int wc_unpack_layer_verified(const char *path, const char *dest, const char *diff_id,
                             const wc_unpack_limits *lim, wc_unpack_report *rep, wc_error *err);

#endif
