/* Internals of one pull, shared by pull.c (the steps), fetch.c (blob downloads and progress)
 * and pull_record.c (the image record). */
#ifndef WASMCRI_IMAGE_PULL_INT_H
#define WASMCRI_IMAGE_PULL_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "image.h"
#include "manifest.h"
#include "reference.h"
#include "registry.h"

typedef struct pull {
    wc_store *s;
    const wc_pull_opts *o;
    wc_ref ref;
    char *ref_str;        /* canonical, for messages and progress */
    wc_reg *reg;          /* the endpoint that answered */
    wc_credentials creds; /* the request's, else the config's for the host; reg borrows them */
    char *top_digest;     /* what the tag points to (index or manifest) */
    char **manifests;     /* digests of the index (if any) and manifest kept in the store */
    wc_manifest m;
    char *config_body;
    size_t config_len;
    wc_image_config cfg;
    char **index_annotations;
    char **leases;              /* keys leased in the store; released at the end */
    pthread_mutex_t lease_lock; /* leases grow from the download threads */
    uint64_t blob_bytes;        /* manifests + config + layers, for the record */
    /* progress */
    _Atomic uint64_t done;
    uint64_t total;
    struct timespec start;
    pthread_mutex_t progress_lock;
    time_t last_report;
    atomic_bool failed; /* a layer failed: the others stop */
    bool left_over;     /* leased blobs the recorded image does not list */
} pull;

bool pull_cancelled(void *ctx);
/* Leases key for the rest of the pull (thread-safe). */
int pull_lease(pull *p, const char *key);

/* Downloads every layer (and the config) that is not in the store yet, `parallel` at a time. */
int pull_fetch_blobs(pull *p, wc_error *err);
/* Downloads one blob into the store unless present (single flight per digest). */
int pull_fetch_blob(pull *p, const wc_descriptor *d, wc_error *err);
void pull_report(pull *p, bool finished);

/* Builds the record of the pulled image (shape, what would run, ...). */
int pull_record(pull *p, wc_image_shape shape, size_t module, char **chain_ids, wc_image **ret_img,
                wc_error *err);

#endif
