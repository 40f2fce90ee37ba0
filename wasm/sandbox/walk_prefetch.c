/* Prefetching for the list walks (record_walk.c): what a walk's fn reads of the records
 * ahead of the one it is at. At 10,000 records the lists spent most of their time
 * waiting for memory (issue 18): the records are cold when a poll comes, and fn
 * (protobuf-c's packer) reads their strings one after another. A few records ahead, the
 * record's pointer fields are fetched; nearer, the rest of its block (a published record
 * is packed: its strings and lists follow the struct, record_table.h); the strings it
 * shares with others (interned) are hot already.
 *
 * Under the lock, a walk's noting waits on memory alike (a pod, its set of containers,
 * their states and samples; a container's labels, state and sample): sb_pods_note_ahead
 * and sb_ctrs_note_ahead fetch those ahead too.
 *
 * What is fetched is what a walk may read (sandbox.h: wc_ctr_seen); a field added there
 * goes here too. Prefetching never faults, so a record freed meanwhile would be harmless,
 * and none is (walks keep them).
 */
#include "sandbox_int.h"

enum { AHEAD = 8 }; /* records: the pointers at 2 AHEAD, the rest of the block at AHEAD */

/* The lines of a packed record's block after its struct (nothing for one not packed). */
static void fetch_block(const void *rec, size_t size, size_t packed)
{
    for (size_t at = size; at < packed; at += 64)
        __builtin_prefetch((const char *)rec + at);
}

static void ctr_fields(const wc_container *c)
{
    __builtin_prefetch(c->id);
    __builtin_prefetch(&c->name);
    __builtin_prefetch(&c->dir_parent);
    __builtin_prefetch(&c->packed);
    __builtin_prefetch(&c->created_at); /* its line was read under the lock, long before */
}

static void ctr_strings(const wc_container *c)
{
    fetch_block(c, sizeof(*c), c->packed);
}

void sb_ctrs_ahead(const wc_ctr_seen *seen, size_t i, size_t n)
{
    if (i + 2 * AHEAD < n)
        ctr_fields(seen[i + 2 * AHEAD].c);
    if (i + AHEAD < n)
        ctr_strings(seen[i + AHEAD].c);
}

/* A pod at the distance stage (0: its pointer fields, 1: the rest of its block), and its
 * containers alike. */
static void pod_stage(const wc_pod_seen *s, int stage)
{
    const wc_pod *p = s->p;
    if (stage == 0) {
        __builtin_prefetch(p->id);
        __builtin_prefetch(&p->name);
        __builtin_prefetch(&p->runtime_handler);
        __builtin_prefetch(&p->packed);
        __builtin_prefetch(&p->created_at);
    } else {
        fetch_block(p, sizeof(*p), p->packed);
    }
    for (size_t j = 0; j < s->n_ctrs; j++) {
        const wc_container *c = s->ctrs[j].c;
        if (stage == 0)
            ctr_fields(c);
        else
            ctr_strings(c);
    }
}

void sb_pods_ahead(const wc_pod_seen *seen, size_t i, size_t n)
{
    if (i + 2 * AHEAD < n)
        pod_stage(&seen[i + 2 * AHEAD], 0);
    if (i + AHEAD < n)
        pod_stage(&seen[i + AHEAD], 1);
}

void sb_pods_note_ahead(wc_pod *const *pods, size_t i, size_t n)
{
    if (i + 2 * AHEAD < n) {
        const wc_pod *p = pods[i + 2 * AHEAD];
        __builtin_prefetch(p->id);
        __builtin_prefetch(&p->state);
        __builtin_prefetch(&p->net);
        __builtin_prefetch(&p->ctrs);
    }
    if (i + AHEAD < n && pods[i + AHEAD]->ctrs) {
        __builtin_prefetch(pods[i + AHEAD]->ctrs);
        __builtin_prefetch(pods[i + AHEAD]->net.items);
    }
    if (i + AHEAD / 2 < n && pods[i + AHEAD / 2]->ctrs)
        __builtin_prefetch(pods[i + AHEAD / 2]->ctrs->items);
    const sb_ctr_set *set = i + AHEAD / 4 < n ? pods[i + AHEAD / 4]->ctrs : NULL;
    for (size_t j = 0; set && j < set->n; j++) {
        __builtin_prefetch(&set->items[j]->state);
        __builtin_prefetch(&set->items[j]->usage);
    }
}

void sb_ctrs_note_ahead(wc_container *const *ctrs, size_t i, size_t n)
{
    if (i + AHEAD >= n)
        return;
    const wc_container *c = ctrs[i + AHEAD];
    __builtin_prefetch(&c->labels);
    __builtin_prefetch(&c->state);
    __builtin_prefetch(&c->usage);
    __builtin_prefetch((const char *)(&c->usage + 1) - 1);
}
