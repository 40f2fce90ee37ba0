/* The sandbox's current state as numbers for the metrics endpoint (wc_sandbox_gauges_read in
 * sandbox.h): pods and containers counted by state under the mutex, and the zygote's module
 * cache as its "list" answer gives it. */
#include <string.h>

#include "sandbox_int.h"

static void read_cache(wc_sandbox *sb, wc_sandbox_gauges *g)
{
    json_t *reply = NULL;
    if (sb_zygote_op(sb, "list", "", &reply, NULL) < 0)
        return;
    json_t *bytes = json_object_get(reply, "cache_bytes");
    json_t *entries = json_object_get(reply, "cache_entries");
    g->cache_known = json_is_integer(bytes) && json_is_integer(entries);
    g->cache_bytes = g->cache_known ? (uint64_t)json_integer_value(bytes) : 0;
    g->cache_entries = g->cache_known ? (uint64_t)json_integer_value(entries) : 0;
    g->background_compiles =
        (uint64_t)json_integer_value(json_object_get(reply, "background_compiles"));
    g->start_compiles = (uint64_t)json_integer_value(json_object_get(reply, "start_compiles"));
    json_decref(reply);
}

void wc_sandbox_gauges_read(wc_sandbox *sb, wc_sandbox_gauges *g)
{
    memset(g, 0, sizeof(*g));
    pthread_mutex_lock(&sb->mu);
    for (size_t i = 0; i < sb->n_pods; i++)
        if (sb->pods[i]->state == WC_POD_READY || sb->pods[i]->state == WC_POD_NOTREADY)
            g->pods[sb->pods[i]->state]++;
    for (size_t i = 0; i < sb->n_ctrs; i++)
        if ((unsigned)sb->ctrs[i]->state < 4)
            g->containers[sb->ctrs[i]->state]++;
    pthread_mutex_unlock(&sb->mu);
    read_cache(sb, g);
}
