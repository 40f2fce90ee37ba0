/* The sandbox's records by id and by name (sandbox_int.h): hash maps next to the pod and
 * container arrays, so that RunPodSandbox, CreateContainer and StartContainer look a record
 * up in constant time instead of comparing with every record there is (at 10,000
 * containers those scans were most of the daemon's time per start: issue 18). A container
 * is found by name among its pod's (a pod has a few), which costs no map. The arrays stay
 * for listing. Every function here runs with mu held. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "sandbox_int.h"

/* Length-prefixed parts, so that no name can make another's key; NULL: out of memory. */
static char *pod_name_key(const char *namespace_, const char *name, const char *uid,
                          unsigned attempt)
{
    char *key = NULL;
    if (asprintf(&key, "%zu:%s%zu:%s%zu:%s%u", strlen(namespace_), namespace_, strlen(name), name,
                 strlen(uid), uid, attempt) < 0)
        return NULL;
    return key;
}

int sb_pod_by_name(wc_sandbox *sb, const wc_pod_spec *s, wc_pod **ret_pod)
{
    _cleanup_free_ char *key =
        pod_name_key(s->namespace_ ? s->namespace_ : "", s->name ? s->name : "",
                     s->uid ? s->uid : "", s->attempt);
    if (key == NULL)
        return -ENOMEM;
    *ret_pod = wc_ptrmap_get(&sb->pod_names, key);
    return 0;
}

int sb_claim_pod_name(wc_sandbox *sb, wc_pod *p)
{
    _cleanup_free_ char *key = pod_name_key(p->namespace_, p->name, p->uid, p->attempt);
    return key ? wc_ptrmap_put(&sb->pod_names, key, p) : -ENOMEM;
}

void sb_release_pod_name(wc_sandbox *sb, const wc_pod *p)
{
    _cleanup_free_ char *key = pod_name_key(p->namespace_, p->name, p->uid, p->attempt);
    if (key == NULL)
        wc_ptrmap_del_value(&sb->pod_names, p);
    else if (wc_ptrmap_get(&sb->pod_names, key) == p)
        wc_ptrmap_del(&sb->pod_names, key);
}

int sb_add_pod(wc_sandbox *sb, wc_pod *p)
{
    if (sb_reserve((void ***)&sb->pods, &sb->cap_pods, sb->n_pods) < 0 ||
        wc_ptrmap_put(&sb->pod_ids, p->id, p) < 0)
        return -ENOMEM;
    if (sb_claim_pod_name(sb, p) < 0) {
        wc_ptrmap_del(&sb->pod_ids, p->id);
        return -ENOMEM;
    }
    sb->pods[sb->n_pods++] = p;
    p->ctrs = wc_ptrmap_get(&sb->pod_ctrs, p->id); /* loaded before it, at a restart */
    return 0;
}

void sb_drop_pod(wc_sandbox *sb, const wc_pod *p)
{
    wc_ptrmap_del(&sb->pod_ids, p->id);
    sb_release_pod_name(sb, p);
    for (size_t i = 0; i < sb->n_pods; i++)
        if (sb->pods[i] == p) {
            sb->pods[i] = sb->pods[--sb->n_pods];
            return;
        }
}

wc_container *sb_ctr_by_name(wc_sandbox *sb, const char *pod_id, const char *name, unsigned attempt)
{
    const sb_ctr_set *set = sb_pod_ctrs(sb, pod_id);
    for (size_t i = 0; set && i < set->n; i++)
        if (set->items[i]->attempt == attempt && strcmp(set->items[i]->name, name) == 0)
            return set->items[i];
    return NULL;
}

const sb_ctr_set *sb_pod_ctrs(wc_sandbox *sb, const char *pod_id)
{
    return wc_ptrmap_get(&sb->pod_ctrs, pod_id);
}

/* Points the pod with that id, if it is there, at set (NULL: none). */
static void pod_link(wc_sandbox *sb, const char *pod_id, sb_ctr_set *set)
{
    wc_pod *p = wc_ptrmap_get(&sb->pod_ids, pod_id);
    if (p)
        p->ctrs = set;
}

/* The pod's set, made empty when it has none (put in pod_ctrs with its first container);
 * NULL: out of memory. */
static sb_ctr_set *pod_set(wc_sandbox *sb, const char *pod_id)
{
    sb_ctr_set *set = wc_ptrmap_get(&sb->pod_ctrs, pod_id);
    if (set)
        return set;
    set = calloc(1, sizeof(*set));
    if (set) {
        set->items = set->inline_items;
        set->cap = SB_SET_INLINE;
    }
    return set;
}

static void set_free(sb_ctr_set *set)
{
    if (set && set->items != set->inline_items)
        free(set->items);
    free(set);
}

/* Room in set for one more container; -ENOMEM. */
static int set_reserve(sb_ctr_set *set)
{
    if (set->n < set->cap)
        return 0;
    bool inline_now = set->items == set->inline_items;
    wc_container **grown = realloc(inline_now ? NULL : set->items, 2 * set->cap * sizeof(*grown));
    if (grown == NULL)
        return -ENOMEM;
    if (inline_now)
        memcpy(grown, set->inline_items, sizeof(set->inline_items));
    set->items = grown;
    set->cap *= 2;
    return 0;
}

static void set_drop(wc_sandbox *sb, const wc_container *c)
{
    sb_ctr_set *set = wc_ptrmap_get(&sb->pod_ctrs, c->pod_id);
    for (size_t i = 0; set && i < set->n; i++)
        if (set->items[i] == c) {
            set->items[i] = set->items[--set->n];
            break;
        }
    if (set && set->n > 0) /* keyed by the first one's id, which c's may have been */
        wc_ptrmap_rekey(&sb->pod_ctrs, set->items[0]->pod_id);
    if (set && set->n == 0) {
        wc_ptrmap_del(&sb->pod_ctrs, c->pod_id);
        pod_link(sb, c->pod_id, NULL);
        set_free(set);
    }
}

int sb_add_ctr(wc_sandbox *sb, wc_container *c)
{
    sb_ctr_set *set = pod_set(sb, c->pod_id);
    bool ok = set && set_reserve(set) == 0 &&
              sb_reserve((void ***)&sb->ctrs, &sb->cap_ctrs, sb->n_ctrs) == 0 &&
              (set->n > 0 || wc_ptrmap_put(&sb->pod_ctrs, c->pod_id, set) == 0) &&
              wc_ptrmap_put(&sb->ctr_ids, c->id, c) == 0;
    if (!ok) {
        if (set && set->n == 0) { /* a set made for c goes again */
            wc_ptrmap_del(&sb->pod_ctrs, c->pod_id);
            set_free(set);
        }
        return -ENOMEM;
    }
    if (set->n == 0)
        pod_link(sb, c->pod_id, set);
    set->items[set->n++] = c;
    sb->ctrs[sb->n_ctrs++] = c;
    return 0;
}

void sb_drop_ctr(wc_sandbox *sb, const wc_container *c)
{
    wc_ptrmap_del(&sb->ctr_ids, c->id);
    set_drop(sb, c);
    for (size_t i = 0; i < sb->n_ctrs; i++)
        if (sb->ctrs[i] == c) {
            sb->ctrs[i] = sb->ctrs[--sb->n_ctrs];
            return;
        }
}

void sb_index_clear(wc_sandbox *sb)
{
    wc_ptrmap_clear(&sb->pod_ids);
    wc_ptrmap_clear(&sb->pod_names);
    wc_ptrmap_clear(&sb->ctr_ids);
    for (size_t i = 0; i < sb->pod_ctrs.cap; i++) {
        set_free(sb->pod_ctrs.slots[i].value);
    }
    wc_ptrmap_clear(&sb->pod_ctrs);
}
