/* Walks over the records for the list rpcs (sandbox.h: wc_container_walk, wc_pod_walk),
 * holding the sandbox's lock only to note what they visit. Packing ListContainerStats of
 * 10,000 containers under the lock held every create, start and status call, and the
 * completion-queue thread, for 20-40 ms (issue 18).
 *
 * Under the lock a walk notes each matching record with the parts of it that change (its
 * state, the last usage sample, a pod's interface counters: wc_ctr_seen, wc_pod_seen); it
 * then calls fn for each with the lock released. What fn reads of the record itself never
 * changes once the record is published (sandbox.h lists it), and the record's memory stays:
 * one removed while walks are under way is buried (sb_bury_*) and freed when the last
 * walk ends. To let a walk read another field that changes: note it in wc_*_seen here.
 */
#include <stdlib.h>
#include <string.h>

#include "sandbox_int.h"

/* ---- graves ---- */

void sb_bury_pod(wc_sandbox *sb, wc_pod *p)
{
    if (sb->walks == 0) {
        wc_pod_free(p);
        return;
    }
    p->buried = true;
    p->buried_next = sb->buried_pods;
    sb->buried_pods = p;
}

void sb_bury_ctr(wc_sandbox *sb, wc_container *c)
{
    if (sb->walks == 0) {
        wc_container_free(c);
        return;
    }
    c->buried = true;
    c->buried_next = sb->buried_ctrs;
    sb->buried_ctrs = c;
}

void sb_graves_clear(wc_sandbox *sb)
{
    while (sb->buried_pods) {
        wc_pod *p = sb->buried_pods;
        sb->buried_pods = p->buried_next;
        wc_pod_free(p);
    }
    while (sb->buried_ctrs) {
        wc_container *c = sb->buried_ctrs;
        sb->buried_ctrs = c->buried_next;
        wc_container_free(c);
    }
}

void sb_walk_end_locked(wc_sandbox *sb)
{
    if (--sb->walks == 0)
        sb_graves_clear(sb);
}

static void walk_end(wc_sandbox *sb)
{
    pthread_mutex_lock(&sb->mu);
    sb_walk_end_locked(sb);
    pthread_mutex_unlock(&sb->mu);
}

/* ---- noting ---- */

static void note_ctr(wc_ctr_seen *s, const wc_container *c)
{
    s->c = c;
    s->state = c->state;
    s->usage = c->usage;
}

/* What a pod walk notes, in three arrays sized before they are filled. */
typedef struct pod_notes {
    wc_pod_seen *pods;
    size_t n_pods;
    wc_ctr_seen *ctrs;
    size_t n_ctrs;
    wc_net_iface *ifaces;
    size_t n_ifaces;
} pod_notes;

static void pod_notes_free(pod_notes *n)
{
    free(n->pods);
    free(n->ctrs);
    free(n->ifaces);
}

/* Room for n_pods pods, n_ctrs containers and their pods' interfaces; mu held. -ENOMEM. */
static int pod_notes_alloc(wc_pod *const *pods, size_t n_pods, size_t n_ctrs, bool with_ctrs,
                           pod_notes *out)
{
    size_t n_ifaces = 0;
    for (size_t i = 0; with_ctrs && i < n_pods; i++)
        n_ifaces += pods[i]->net.n;
    out->pods = malloc((n_pods + 1) * sizeof(*out->pods));
    out->ctrs = malloc((n_ctrs + 1) * sizeof(*out->ctrs));
    out->ifaces = malloc((n_ifaces + 1) * sizeof(*out->ifaces));
    return out->pods && out->ctrs && out->ifaces ? 0 : -ENOMEM;
}

/* Notes p (and its containers and interfaces) at the ends of out's arrays; mu held. */
static void note_pod(const wc_pod *p, bool with_ctrs, pod_notes *out)
{
    wc_pod_seen *s = &out->pods[out->n_pods++];
    *s = (wc_pod_seen){.p = p, .state = p->state};
    if (!with_ctrs)
        return;
    const sb_ctr_set *set = p->ctrs;
    s->ctrs = out->ctrs + out->n_ctrs;
    s->n_ctrs = set ? set->n : 0;
    for (size_t i = 0; i < s->n_ctrs; i++)
        note_ctr(&out->ctrs[out->n_ctrs++], set->items[i]);
    s->net = (wc_net_ifaces){.items = out->ifaces + out->n_ifaces, .n = p->net.n};
    s->net_at = p->net_at;
    if (p->net.n)
        memcpy(s->net.items, p->net.items, p->net.n * sizeof(*p->net.items));
    out->n_ifaces += p->net.n;
}

/* ---- walks ---- */

int wc_container_walk(wc_sandbox *sb, const wc_container_filter *f, wc_ctr_seen_fn fn, void *ctx)
{
    pthread_mutex_lock(&sb->mu);
    size_t n = 0, k = 0;
    wc_container *const *items = sb_ctrs_for(sb, f, &n);
    wc_ctr_seen *seen = malloc((n + 1) * sizeof(*seen));
    for (size_t i = 0; seen && i < n; i++) {
        sb_ctrs_note_ahead(items, i, n);
        if (sb_ctr_matches(items[i], f))
            note_ctr(&seen[k++], items[i]);
    }
    sb->walks += seen != NULL;
    pthread_mutex_unlock(&sb->mu);
    if (seen == NULL)
        return -ENOMEM;
    int rc = 0;
    for (size_t i = 0; rc >= 0 && i < k; i++) {
        sb_ctrs_ahead(seen, i, k);
        rc = fn(ctx, &seen[i]);
    }
    walk_end(sb);
    free(seen);
    return rc < 0 ? rc : 0;
}

int wc_pod_walk(wc_sandbox *sb, const wc_pod_filter *f, bool with_ctrs, wc_pod_seen_fn fn,
                void *ctx)
{
    pod_notes notes = {0};
    pthread_mutex_lock(&sb->mu);
    int rc = pod_notes_alloc(sb->pods, sb->n_pods, with_ctrs ? sb->n_ctrs : 0, with_ctrs, &notes);
    for (size_t i = 0; rc == 0 && i < sb->n_pods; i++) {
        if (with_ctrs)
            sb_pods_note_ahead(sb->pods, i, sb->n_pods);
        if (sb_pod_matches(sb->pods[i], f))
            note_pod(sb->pods[i], with_ctrs, &notes);
    }
    bool walking = rc == 0;
    sb->walks += walking;
    pthread_mutex_unlock(&sb->mu);
    for (size_t i = 0; rc >= 0 && i < notes.n_pods; i++) {
        sb_pods_ahead(notes.pods, i, notes.n_pods);
        rc = fn(ctx, &notes.pods[i]);
    }
    if (walking)
        walk_end(sb);
    pod_notes_free(&notes);
    return rc < 0 ? rc : 0;
}

int wc_pod_with_ctrs(wc_sandbox *sb, const char *id, wc_pod_seen_fn fn, void *ctx, wc_error *err)
{
    pod_notes notes = {0};
    pthread_mutex_lock(&sb->mu);
    wc_pod *p = NULL;
    int rc = sb_find_pod(sb, id, &p, err);
    const sb_ctr_set *set = rc == 0 ? sb_pod_ctrs(sb, p->id) : NULL;
    if (rc == 0 && pod_notes_alloc(&p, 1, set ? set->n : 0, true, &notes) < 0)
        rc = wc_error_set(err, -ENOMEM, "out of memory");
    if (rc == 0) {
        note_pod(p, true, &notes);
        rc = fn(ctx, &notes.pods[0]);
    }
    pthread_mutex_unlock(&sb->mu);
    pod_notes_free(&notes);
    return rc;
}
