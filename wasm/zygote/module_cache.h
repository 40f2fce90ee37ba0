/* The zygote's cache of compiled modules, within a memory budget.
 *
 * A module compiled here is shared with every worker forked afterwards (fork's
 * copy-on-write), so a start of a cached module compiles nothing. The cache holds at
 * most `budget` bytes of compiled code (the heap each compile took): past it, the
 * least recently used modules that no running worker was forked with are freed. Modules
 * come compiled in the background (compile_jobs.h, mc_add_module) or, an exec's module
 * never seen, at its request (mc_add). A module whose file is too big to compile here (file
 * size × MC_EXPANSION > budget) is never compiled here; one whose file fits the budget is held
 * validated but not compiled (lazy: decoded, its bodies kept, each function compiled by the
 * worker that first calls it, on its copy-on-write copy), so a start of it decodes nothing
 * either. A bigger one the worker loads itself (module_fd passed on), so the zygote never grows
 * past the budget for it.
 *
 * Entries have increasing ids: a spare forked when next_id was N holds every entry
 * with id < N that was in the cache then (spare.h). `version` changes whenever an
 * entry comes or goes, so the zygote knows when its spare is out of date.
 */
#ifndef WASMCRI_ZYGOTE_MODULE_CACHE_H
#define WASMCRI_ZYGOTE_MODULE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "worker_run.h"

/* Compiled code taken as this many times its wasm file (an estimate, not measured here:
 * issue 11 saw a 94 MB module take 2 GiB); a file over budget / MC_EXPANSION compiles in
 * its worker. */
#define MC_EXPANSION 16

typedef struct mc_entry {
    char *key;
    wr_module *module;
    size_t bytes;       /* heap its compile took */
    uint64_t id;        /* unique, increasing */
    uint64_t last_used; /* the cache's clock at its last start */
    unsigned users;     /* running workers forked with it */
} mc_entry;

typedef struct module_cache {
    mc_entry *entries;
    size_t n, cap;
    size_t bytes, budget;
    uint64_t next_id, clock, version;
} module_cache;

void mc_init(module_cache *mc, size_t budget);

/* The entry of key, or NULL (also in a spare, on its forked copy). Borrowed. */
mc_entry *mc_find(module_cache *mc, const char *key);

/* True when the module open on fd is small enough to compile here. */
bool mc_compiles_here(const module_cache *mc, int fd);
/* True when the module open on fd may be held here validated, not compiled (a decoded module
 * takes about its file's size: the copy of its bodies, and its per-function arrays). */
bool mc_holds_decoded(const module_cache *mc, int fd);

/* Compiles the module open on fd (borrowed; name is for messages) as key, then frees
 * least recently used unused entries while over budget. -ENOEXEC: not wasm. */
int mc_add(module_cache *mc, const char *key, int fd, const char *name, mc_entry **ret_entry,
           wc_error *err);

/* Adds m (taken; compiled or validated in steps elsewhere, the heap it took is bytes) as key,
 * as mc_add does; *ret_entry (may be NULL) is NULL when the module was larger than the budget
 * (then freed at once, evicting nothing). */
int mc_add_module(module_cache *mc, const char *key, wr_module *m, size_t bytes,
                  mc_entry **ret_entry, wc_error *err);

/* The heap in use now, and how much it grew since such a mark. */
size_t mc_heap_mark(void);
size_t mc_heap_since(size_t mark);

/* A worker was forked with e / the worker forked with entry id ended. */
void mc_use(module_cache *mc, mc_entry *e);
void mc_release(module_cache *mc, uint64_t id);

#endif
