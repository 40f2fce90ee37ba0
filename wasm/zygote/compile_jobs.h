/* Modules compiled in the background of the zygote's loop (issue 14): CreateContainer asks for its
 * module (op "compile"), and the zygote compiles it a slice at a time between the events of its
 * loop (cj_step, about CJ_SLICE_BYTES of function bodies to compile or CJ_VALIDATE_SLICE_BYTES
 * to validate, a few milliseconds), so no start, exit or
 * request waits behind a long compile. A finished module goes into the cache (module_cache.h) and
 * every spare forked after holds it: its starts compile nothing. A module too big to compile
 * here (module_cache.h's MC_EXPANSION rule) is only validated, and held so when it fits the
 * budget (mc_holds_decoded): the worker forked with it compiles the functions it calls; the key is
 * remembered as valid, so it validates it no more (a later create of it, evicted since, has it
 * decoded again to be held, without validation). The outcome of each job
 * (ready, or why the module is invalid) is kept until the daemon asks for it (at most
 * CJ_MAX_OUTCOMES of them).
 */
#ifndef WASMCRI_ZYGOTE_COMPILE_JOBS_H
#define WASMCRI_ZYGOTE_COMPILE_JOBS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "module_cache.h"
#include "worker_run.h"

#define CJ_SLICE_BYTES (64u << 10)
/* A slice of a job that only validates: validation is ~7 times as fast as a compile and runs on
 * two threads (wasm/engine/validate_split.c, above 256 KiB), so this is a millisecond or two too */
#define CJ_VALIDATE_SLICE_BYTES (1u << 20)
#define CJ_MAX_OUTCOMES 64
#define CJ_MAX_VALID 256

typedef struct cj_job {
    char *key, *name;
    wr_module *module;
    bool cache;  /* compiled for the cache (else: validated only) */
    size_t heap; /* heap its steps took */
} cj_job;

typedef struct cj_outcome {
    char *key;
    int code; /* 0: ready, else the error's */
    char *msg;
} cj_outcome;

typedef struct compile_jobs {
    cj_job *jobs;
    size_t n, cap;
    cj_outcome outcomes[CJ_MAX_OUTCOMES];
    size_t n_outcomes;
    uint64_t finished;         /* modules compiled in the background, ever */
    char *valid[CJ_MAX_VALID]; /* keys of the last modules that passed, oldest replaced first */
    size_t next_valid;
} compile_jobs;

typedef enum cj_state { CJ_UNKNOWN, CJ_RUNNING, CJ_READY, CJ_FAILED } cj_state;

/* Starts compiling the module open on fd (borrowed; read now) as key, or -ENOEXEC etc. when it
 * cannot even be decoded. */
int cj_start(compile_jobs *cj, const module_cache *mc, const char *key, int fd, const char *name,
             wc_error *err);

/* How key's job is: running, or its outcome (taken: asked once; a failure's message in err). */
cj_state cj_state_of(compile_jobs *cj, const char *key, wc_error *err);

bool cj_running(const compile_jobs *cj, const char *key);

/* Whether key's module passed a background compile or validation (one of the last
 * CJ_MAX_VALID): a worker that loads it need not validate it again (WR_LOAD_LAZY_VALIDATED). */
bool cj_validated(const compile_jobs *cj, const char *key);
static inline bool cj_busy(const compile_jobs *cj)
{
    return cj->n > 0;
}

/* One slice of the oldest job; a finished one goes into mc (when compiled for it). */
void cj_step(compile_jobs *cj, module_cache *mc);

#endif
