/* The mount table: what part of the host a container can see, and where it sees it.
 *
 * Each mount maps a guest path to a host directory or a single host file, read-only or
 * not. The host side is opened once when the mount is added (the host path itself is trusted: it
 * comes from the image store or from kubelet); everything the guest names later is resolved
 * beneath that open directory by the kernel (see resolve.h). Mounts become the WASI preopens, in
 * table order. Usable without WASI: the sandbox builds a table and hands it to wasi_ctx_create.
 */
#ifndef WASMCRI_WASI_MOUNT_H
#define WASMCRI_WASI_MOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct wasi_mount {
    char *guest; /* normalised: "/", "/data", "/etc/hosts", or relative such as "." */
    char *host;  /* as given, for messages */
    bool readonly;
    bool lazy; /* read-only until the guest first writes under it: then the ctx's
                * make_writable hook gives the writable directory (wasi.h) */
    bool is_file;
    int dir_fd;      /* O_RDONLY|O_DIRECTORY: the directory itself, or the file's parent */
    bool shares_dir; /* dir_fd is an earlier file mount's of the same table (closed with it) */
    char *file_name; /* file mounts: the file's name inside dir_fd; NULL for directories */
} wasi_mount;

typedef struct wasi_mounts {
    wasi_mount *items;
    size_t count;
} wasi_mounts;

/* Adds host (a directory or a regular file) at guest. guest is normalised ("//a/./b/" -> "/a/b";
 * a relative name such as "." stays relative, as wasmtime's `--dir .`); ".." is refused, and so
 * is a guest path already in the table. */
int wasi_mounts_add(wasi_mounts *m, const char *host, const char *guest, bool readonly,
                    wc_error *err);

/* Parses "HOST[:GUEST][:ro|:rw]" (GUEST defaults to HOST) and adds it. */
int wasi_mounts_add_spec(wasi_mounts *m, const char *spec, wc_error *err);

/* Closes and frees every mount; the table is empty afterwards. Accepts an empty table. */
void wasi_mounts_clear(wasi_mounts *m);

#endif
