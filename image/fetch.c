/* Blob downloads for a pull: a small pool of threads takes layers off a shared counter; each
 * blob is fetched once even when two pulls want it (store single flight), streamed through
 * the store's verifying writer, retried with backoff on transient failures and resumed with
 * a Range request from the byte it stopped at. Progress is reported about once a second.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "pull_int.h"

#define DEFAULT_PARALLEL 4

static double elapsed(const pull *p)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - p->start.tv_sec) + (now.tv_nsec - p->start.tv_nsec) / 1e9;
}

void pull_report(pull *p, bool finished)
{
    if (p->o->progress == NULL)
        return;
    time_t now = time(NULL);
    if (!finished) {
        if (pthread_mutex_trylock(&p->progress_lock) != 0)
            return;
        bool due = now > p->last_report;
        if (due)
            p->last_report = now;
        pthread_mutex_unlock(&p->progress_lock);
        if (!due)
            return;
    }
    double secs = elapsed(p);
    wc_pull_progress pr = {
        .ref = p->ref_str,
        .done = atomic_load(&p->done),
        .total = p->total,
        .rate = secs > 0 ? (double)atomic_load(&p->done) / secs : 0,
        .finished = finished,
    };
    p->o->progress(p->o->ctx, &pr);
}

typedef struct blob_sink {
    pull *p;
    wc_blob_writer *w;
    uint64_t from; /* the Range asked for by the request in flight */
} blob_sink;

static int blob_write(void *ctx, long status, const char *data, size_t len, wc_error *err)
{
    blob_sink *b = ctx;
    if (status == 200 && b->from > 0) {
        /* The registry ignored our Range and sends the whole blob: start over. */
        atomic_fetch_sub(&b->p->done, wc_blob_writer_offset(b->w));
        int r = wc_blob_writer_restart(b->w, err);
        if (r < 0)
            return r;
        b->from = 0;
    }
    int r = wc_blob_writer_write(b->w, data, len, err);
    if (r < 0)
        return r;
    atomic_fetch_add(&b->p->done, len);
    pull_report(b->p, false);
    return 0;
}

static int download(pull *p, const wc_descriptor *d, wc_error *err)
{
    blob_sink b = {.p = p};
    int r = wc_blob_writer_open(p->s, d->digest, d->size, &b.w, err);
    if (r < 0)
        return r;
    for (int attempt = 0;; attempt++) {
        b.from = wc_blob_writer_offset(b.w);
        r = wc_reg_get_blob(p->reg, d->digest, b.from, blob_write, &b, err);
        if ((r != -EAGAIN && r != -ETIMEDOUT) || !wc_reg_backoff(p->reg, attempt))
            break;
    }
    if (r < 0) {
        atomic_fetch_sub(&p->done, wc_blob_writer_offset(b.w));
        wc_blob_writer_abort(b.w);
        return r;
    }
    return wc_blob_writer_commit(b.w, err);
}

int pull_fetch_blob(pull *p, const wc_descriptor *d, wc_error *err)
{
    int r = pull_lease(p, d->digest);
    if (r < 0)
        return wc_error_set(err, r, "out of memory");
    wc_store_flight_begin(p->s, d->digest);
    if (wc_store_blob_exists(p->s, d->digest))
        atomic_fetch_add(&p->done, d->size);
    else
        r = download(p, d, err);
    wc_store_flight_end(p->s, d->digest);
    if (r < 0) {
        wc_error_wrap(err, "fetch %s", d->digest);
        return r;
    }
    return 0;
}

typedef struct workers {
    pull *p;
    _Atomic size_t next;
    pthread_mutex_t lock;
    int rc;
    wc_error err;
} workers;

static void *worker(void *arg)
{
    workers *w = arg;
    pull *p = w->p;
    for (;;) {
        size_t i = atomic_fetch_add(&w->next, 1);
        if (i >= p->m.n_layers || atomic_load(&p->failed))
            return NULL;
        wc_error err = {0};
        int r = pull_fetch_blob(p, &p->m.layers[i], &err);
        if (r < 0) {
            pthread_mutex_lock(&w->lock);
            /* The first real failure wins over the cancellations it causes in the others. */
            if (w->rc == 0 || (w->rc == -ECANCELED && r != -ECANCELED)) {
                w->rc = r;
                w->err = err;
            }
            pthread_mutex_unlock(&w->lock);
            atomic_store(&p->failed, true);
            return NULL;
        }
    }
}

int pull_fetch_blobs(pull *p, wc_error *err)
{
    workers w = {.p = p};
    pthread_mutex_init(&w.lock, NULL);
    unsigned n = p->o->parallel ? p->o->parallel : DEFAULT_PARALLEL;
    if (n > p->m.n_layers)
        n = (unsigned)p->m.n_layers;
    pthread_t threads[16];
    if (n > 16)
        n = 16;
    unsigned started = 0;
    for (; started < n; started++)
        if (pthread_create(&threads[started], NULL, worker, &w) != 0)
            break;
    if (started == 0 && n > 0)
        worker(&w); /* no thread to be had: do it here */
    for (unsigned i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    pthread_mutex_destroy(&w.lock);
    if (w.rc < 0 && err != NULL)
        *err = w.err;
    return w.rc;
}
