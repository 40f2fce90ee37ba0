/* The image records' write-through cache (see kv_cache.h). An entry is one allocation: the
 * value's length, whether the key is absent, and the value. */
#include "kv_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct kv_cached {
    size_t len;
    bool absent;
    char val[];
} kv_cached;

static const char *const covered[] = {"image/", "ref/"};

void kv_cache_init(kv_cache *c)
{
    *c = (kv_cache){0};
    pthread_mutex_init(&c->mu, NULL);
}

static void drop_all(kv_cache *c)
{
    for (size_t i = 0; i < c->entries.cap; i++)
        free(c->entries.slots[i].value);
    wc_ptrmap_clear(&c->entries);
}

void kv_cache_destroy(kv_cache *c)
{
    drop_all(c);
    pthread_mutex_destroy(&c->mu);
}

static bool covers(const char *key, size_t klen)
{
    for (size_t i = 0; i < sizeof(covered) / sizeof(covered[0]); i++) {
        size_t plen = strlen(covered[i]);
        if (klen >= plen && memcmp(key, covered[i], plen) == 0)
            return true;
    }
    return false;
}

bool kv_cache_covers(const char *key)
{
    return covers(key, strlen(key));
}

int kv_cache_get(kv_cache *c, const char *key, char **ret_val, size_t *ret_len, uint64_t *ret_gen)
{
    pthread_mutex_lock(&c->mu);
    const kv_cached *e = wc_ptrmap_get(&c->entries, key);
    char *copy = e && !e->absent ? malloc(e->len + 1) : NULL;
    if (copy) {
        memcpy(copy, e->val, e->len);
        copy[e->len] = '\0';
        *ret_val = copy;
        *ret_len = e->len;
    }
    int r = e == NULL ? -EAGAIN : e->absent ? 0 : copy ? 1 : -ENOMEM;
    *ret_gen = c->gen;
    pthread_mutex_unlock(&c->mu);
    return r;
}

/* mu held. On failure the key is forgotten: an old value must not stay. */
static void put_locked(kv_cache *c, const char *key, const char *val, size_t len, bool absent)
{
    if (wc_ptrmap_get(&c->entries, key) == NULL && c->entries.len >= KV_CACHE_MAX)
        drop_all(c);
    kv_cached *old = wc_ptrmap_get(&c->entries, key);
    kv_cached *e = malloc(sizeof(*e) + (absent ? 0 : len));
    if (e) {
        *e = (kv_cached){.len = absent ? 0 : len, .absent = absent};
        if (e->len)
            memcpy(e->val, val, e->len);
    }
    if (e == NULL || wc_ptrmap_put(&c->entries, key, e) < 0) {
        free(e);
        wc_ptrmap_del(&c->entries, key);
    }
    free(old);
}

void kv_cache_fill(kv_cache *c, const char *key, const char *val, size_t len, uint64_t gen)
{
    pthread_mutex_lock(&c->mu);
    if (c->gen == gen)
        put_locked(c, key, val, len, val == NULL);
    pthread_mutex_unlock(&c->mu);
}

static void apply(kv_cache *c, const char *k, size_t klen, const char *v, size_t vlen, bool absent)
{
    if (!covers(k, klen))
        return;
    char *key = strndup(k, klen);
    if (key)
        put_locked(c, key, v, vlen, absent);
    else
        drop_all(c); /* the old value must not stay */
    free(key);
}

static void apply_put(void *ctx, const char *k, size_t klen, const char *v, size_t vlen)
{
    apply(ctx, k, klen, v, vlen, false);
}

static void apply_delete(void *ctx, const char *k, size_t klen)
{
    apply(ctx, k, klen, NULL, 0, true);
}

void kv_cache_apply(kv_cache *c, const leveldb_writebatch_t *b)
{
    pthread_mutex_lock(&c->mu);
    leveldb_writebatch_iterate(b, c, apply_put, apply_delete);
    c->gen++;
    pthread_mutex_unlock(&c->mu);
}
