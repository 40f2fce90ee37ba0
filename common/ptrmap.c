/* wc_ptrmap: open addressing with linear probing, FNV-1a hashes, doubled at half full;
 * deletion shifts the following entries of the run back (no tombstones). */
#include "ptrmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)h;
}

/* The slot holding key, or the empty slot where it would go; cap > 0. */
static size_t find(const wc_ptrmap *m, const char *key)
{
    size_t i = hash(key) & (m->cap - 1);
    while (m->slots[i].key != NULL && strcmp(m->slots[i].key, key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int grow(wc_ptrmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    wc_ptrmap_slot *slots = calloc(cap, sizeof(*slots));
    if (slots == NULL)
        return -ENOMEM;
    wc_ptrmap old = *m;
    m->slots = slots;
    m->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key != NULL)
            m->slots[find(m, old.slots[i].key)] = old.slots[i];
    free(old.slots);
    return 0;
}

int wc_ptrmap_put(wc_ptrmap *m, const char *key, void *value)
{
    /* at most 3/4 full: at 10,000 containers each of the sandbox's maps is 256 KiB, not 512 */
    if ((m->len + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return -ENOMEM;
    size_t i = find(m, key);
    if (m->borrows_keys) {
        m->len += m->slots[i].key == NULL;
        m->slots[i].key = (char *)key; /* the new owner's, when it replaces an entry */
    } else if (m->slots[i].key == NULL) {
        m->slots[i].key = strdup(key);
        if (m->slots[i].key == NULL)
            return -ENOMEM;
        m->len++;
    }
    m->slots[i].value = value;
    return 0;
}

void *wc_ptrmap_get(const wc_ptrmap *m, const char *key)
{
    if (m->cap == 0)
        return NULL;
    return m->slots[find(m, key)].value;
}

void wc_ptrmap_rekey(wc_ptrmap *m, const char *key)
{
    size_t i = m->cap ? find(m, key) : 0;
    if (m->cap && m->slots[i].key != NULL)
        m->slots[i].key = (char *)key;
}

void wc_ptrmap_del(wc_ptrmap *m, const char *key)
{
    if (m->cap == 0)
        return;
    size_t mask = m->cap - 1, hole = find(m, key);
    if (m->slots[hole].key == NULL)
        return;
    if (!m->borrows_keys)
        free(m->slots[hole].key);
    m->slots[hole] = (wc_ptrmap_slot){0};
    m->len--;
    /* an entry after the hole moves into it unless its home lies cyclically in (hole, i] */
    for (size_t i = (hole + 1) & mask; m->slots[i].key != NULL; i = (i + 1) & mask) {
        size_t home = hash(m->slots[i].key) & mask;
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            m->slots[hole] = m->slots[i];
            m->slots[i] = (wc_ptrmap_slot){0};
            hole = i;
        }
    }
}

void wc_ptrmap_del_value(wc_ptrmap *m, const void *value)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key != NULL && m->slots[i].value == value) {
            wc_ptrmap_del(m, m->slots[i].key);
            i = (size_t)-1; /* entries moved back: look again from the start */
        }
}

void wc_ptrmap_clear(wc_ptrmap *m)
{
    for (size_t i = 0; i < m->cap && !m->borrows_keys; i++)
        free(m->slots[i].key);
    free(m->slots);
    *m = (wc_ptrmap){.borrows_keys = m->borrows_keys};
}
