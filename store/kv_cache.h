/* A write-through cache of the image records and references (keys "image/" and "ref/"), read
 * at every CreateContainer (issue 18).
 *
 * Each LevelDB Get that looks in more than one table charges a "seek" to the first; after 100
 * such seeks that table is compacted into the next level. The containers' and pods' random ids
 * spread every new table over the whole key range, image records included, so the image look-ups
 * of the creates made each new table go down through a compaction that rewrote every record of
 * the level below: a compaction per memtable flush, each as big as the store (the daemon's CPU
 * per start grew by ~50 us per 1,000 containers running). Served from here, they read no table.
 * What a write puts or deletes under those prefixes is applied here once it is in the store;
 * absent keys are cached too (a reference tried in two spellings); the cache is emptied when
 * it reaches KV_CACHE_MAX entries.
 */
#ifndef WASMCRI_STORE_KV_CACHE_H
#define WASMCRI_STORE_KV_CACHE_H

#include <leveldb/c.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ptrmap.h"

#define KV_CACHE_MAX 4096

typedef struct kv_cache {
    pthread_mutex_t mu;
    wc_ptrmap entries; /* key -> kv_cached (kv_cache.c) */
    uint64_t gen;      /* bumped by every write it saw: a read begun before it fills nothing */
} kv_cache;

void kv_cache_init(kv_cache *c);
void kv_cache_destroy(kv_cache *c);

/* Whether key is one the cache keeps. */
bool kv_cache_covers(const char *key);

/* 1 with a copy of the value (*ret_val malloc'd, NUL-terminated; *ret_len), 0 when the key is
 * known absent, -EAGAIN when not cached (*ret_gen: pass it to kv_cache_fill), -ENOMEM. */
int kv_cache_get(kv_cache *c, const char *key, char **ret_val, size_t *ret_len, uint64_t *ret_gen);

/* Caches what the store read for key (val NULL: absent), unless a write came since gen. */
void kv_cache_fill(kv_cache *c, const char *key, const char *val, size_t len, uint64_t gen);

/* Applies a batch the store has just written. */
void kv_cache_apply(kv_cache *c, const leveldb_writebatch_t *b);

#endif
