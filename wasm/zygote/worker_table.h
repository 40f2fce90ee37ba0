/* The zygote's table of its running workers, kept out of the malloc heap (issue 18).
 *
 * Every worker is forked from the zygote and shares its heap copy-on-write, and each keeps a
 * private copy of every heap page the zygote writes after its fork. With the workers' records
 * (and their strdup'd strings) in the heap between each request's short-lived allocations,
 * the heap grew with the number of workers and every request's writes spread over more of its
 * pages: an idle container cost ~590 KiB PSS at 1,000 and ~1,360 KiB at 10,000. Here a record
 * holds its strings inline (spilled to malloc only when they are unusually long), slots live
 * in mmap'd chunks that never move, and the indexes by id and by pid are mmap'd arrays: adding
 * or removing a worker writes its slot and a few index entries, and finding one is constant
 * time, so a start or an exit costs the same with 10 workers or 10,000. Forked workers do not
 * get the table's memory at all (MADV_DONTFORK): a fork does not grow with it.
 */
#ifndef WASMCRI_ZYGOTE_WORKER_TABLE_H
#define WASMCRI_ZYGOTE_WORKER_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "pod_procs.h"
#include "worker.h"

/* A record's inline room for its strings (pod, name, command, layer paths). */
#define WT_TEXT 384
#define WT_CHUNK_SLOTS 1024
#define WT_MAX_CHUNKS 4096 /* 4M workers: Linux's highest pid_max */

typedef struct zworker {
    char id[80];
    char kind[8];          /* "ctr" | "exec" */
    pid_t pid;             /* 0: a free slot */
    int log_fd;            /* a reopened log the worker has not taken yet (op reopen), or -1 */
    worker_result *result; /* what the worker said of its end (on the layer socket), or NULL */
    const char *layer_dir, *layer_lower; /* containers with an overlay (made on request), or NULL */
    uint64_t module_id;                  /* the cache entry it was forked with, 0: none */
    int stop_signal;    /* a graceful stop's signal (op kill): its exit is reported as by it */
    int stdin_fd;       /* a container with stdin: the write end of its stdin pipe, or -1 */
    pod_proc proc;      /* what its pod's ps and kill see of it */
    uint32_t slot;      /* its number in the table */
    uint32_t next_free; /* a free slot: the next free one + 1, 0: none */
    char *spilled;      /* the strings, when over text */
    char text[WT_TEXT];
} zworker;

/* An open-addressing index of slots (slot number + 1; 0: empty). */
typedef struct wt_index {
    uint32_t *cells;
    size_t cap;
} wt_index;

typedef struct worker_table {
    zworker *chunks[WT_MAX_CHUNKS];
    size_t n_chunks;
    size_t high;       /* slots handed out at least once */
    size_t n;          /* running workers */
    uint32_t free_top; /* the first free slot + 1, 0: none below high */
    wt_index by_id, by_pid;
} worker_table;

/* Records a worker forked for s (kind "ctr" or "exec"); *ret_w is its record. -ENOMEM. */
int wt_add(worker_table *t, const worker_spec *s, const char *kind, pid_t pid, uint64_t module_id,
           zworker **ret_w, wc_error *err);
/* Forgets w (its descriptors and result are the caller's to close and free first). */
void wt_remove(worker_table *t, zworker *w);

zworker *wt_find_id(const worker_table *t, const char *id);
zworker *wt_find_pid(const worker_table *t, pid_t pid);

/* The running worker after w (NULL: the first), or NULL after the last. */
zworker *wt_next(const worker_table *t, const zworker *w);

#endif
