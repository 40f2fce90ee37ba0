/* The zygote's background compiles (see compile_jobs.h). */
#include "compile_jobs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"

static void remember_valid(compile_jobs *cj, const char *key)
{
    if (cj_validated(cj, key))
        return;
    char *k = strdup(key);
    if (k == NULL)
        return;
    size_t slot = cj->next_valid++ % CJ_MAX_VALID;
    free(cj->valid[slot]);
    cj->valid[slot] = k;
}

bool cj_validated(const compile_jobs *cj, const char *key)
{
    for (size_t i = 0; i < CJ_MAX_VALID; i++)
        if (cj->valid[i] && strcmp(cj->valid[i], key) == 0)
            return true;
    return false;
}

static void outcome(compile_jobs *cj, const char *key, int code, const char *msg)
{
    if (cj->n_outcomes == CJ_MAX_OUTCOMES) { /* nobody asked for the oldest: forget it */
        free(cj->outcomes[0].key);
        free(cj->outcomes[0].msg);
        memmove(&cj->outcomes[0], &cj->outcomes[1], (CJ_MAX_OUTCOMES - 1) * sizeof(cj_outcome));
        cj->n_outcomes--;
    }
    cj_outcome *o = &cj->outcomes[cj->n_outcomes];
    *o = (cj_outcome){.key = strdup(key), .code = code, .msg = msg ? strdup(msg) : NULL};
    if (o->key)
        cj->n_outcomes++;
    else
        free(o->msg);
}

int cj_start(compile_jobs *cj, const module_cache *mc, const char *key, int fd, const char *name,
             wc_error *err)
{
    if (cj->n == cj->cap) {
        size_t cap = cj->cap ? 2 * cj->cap : 4;
        cj_job *grown = realloc(cj->jobs, cap * sizeof(*grown));
        if (grown == NULL)
            return wc_error_set(err, -ENOMEM, "out of memory");
        cj->jobs = grown;
        cj->cap = cap;
    }
    cj_job job = {.key = strdup(key), .name = strdup(name), .cache = mc_compiles_here(mc, fd)};
    if (job.key == NULL || job.name == NULL) {
        free(job.key);
        free(job.name);
        return wc_error_set(err, -ENOMEM, "out of memory");
    }
    /* validated only: held so (when it fits), its bodies read from a store's file (a content
     * digest: never changed) or copied; one validated before (evicted since) is not validated
     * again */
    wr_load how = job.cache               ? WR_LOAD_EAGER
                  : cj_validated(cj, key) ? WR_LOAD_LAZY_VALIDATED
                                          : WR_LOAD_LAZY;
    bool from_store = !job.cache && strncmp(key, "sha256:", 7) == 0;
    size_t mark = mc_heap_mark();
    int rc = wr_module_decode_fd(fd, name, how, from_store, &job.module, err);
    if (rc < 0) {
        free(job.key);
        free(job.name);
        return rc;
    }
    job.heap = mc_heap_since(mark);
    cj->jobs[cj->n++] = job;
    return 0;
}

cj_state cj_state_of(compile_jobs *cj, const char *key, wc_error *err)
{
    if (cj_running(cj, key))
        return CJ_RUNNING;
    for (size_t i = 0; i < cj->n_outcomes; i++) {
        cj_outcome *o = &cj->outcomes[i];
        if (strcmp(o->key, key) != 0)
            continue;
        cj_state st = o->code == 0 ? CJ_READY : CJ_FAILED;
        if (st == CJ_FAILED)
            wc_error_set(err, o->code, "%s", o->msg ? o->msg : "out of memory");
        free(o->key);
        free(o->msg);
        *o = cj->outcomes[--cj->n_outcomes];
        return st;
    }
    return CJ_UNKNOWN;
}

bool cj_running(const compile_jobs *cj, const char *key)
{
    for (size_t i = 0; i < cj->n; i++)
        if (strcmp(cj->jobs[i].key, key) == 0)
            return true;
    return false;
}

static void finish(compile_jobs *cj, module_cache *mc, int rc, const wc_error *err)
{
    cj_job job = cj->jobs[0];
    memmove(&cj->jobs[0], &cj->jobs[1], (cj->n - 1) * sizeof(cj_job));
    cj->n--;
    wc_error add_err = {0};
    mc_entry *held = NULL;
    if (rc == 0) {
        int added = mc_add_module(mc, job.key, take_ptr(job.module), job.heap, &held, &add_err);
        if (job.cache) /* a validated-only one is held when it fits, else each worker loads it */
            rc = added;
    }
    if (rc == 0) {
        cj->finished++;
        remember_valid(cj, job.key);
    }
    /* a module held is "ready" while it is (op compile asks the cache first): an outcome kept
     * for it would answer a create after its eviction, which must have it decoded again */
    if (held == NULL)
        outcome(cj, job.key, rc, rc == 0 ? NULL : add_err.code ? add_err.msg : err->msg);
    wr_module_free(job.module);
    free(job.key);
    free(job.name);
}

void cj_step(compile_jobs *cj, module_cache *mc)
{
    if (cj->n == 0)
        return;
    cj_job *job = &cj->jobs[0];
    wc_error err = {0};
    size_t mark = mc_heap_mark();
    size_t slice = job->cache ? CJ_SLICE_BYTES : CJ_VALIDATE_SLICE_BYTES;
    int rc = wr_module_prepare(job->module, slice, job->name, &err);
    job->heap += mc_heap_since(mark);
    if (rc != 1)
        finish(cj, mc, rc, &err);
}
