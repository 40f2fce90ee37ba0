/* wc_strset: open addressing with linear probing, FNV-1a hashes, doubled at half full. */
#include "strset.h"

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

static void insert(char **slots, size_t cap, char *s)
{
    size_t i = hash(s) & (cap - 1);
    while (slots[i] != NULL)
        i = (i + 1) & (cap - 1);
    slots[i] = s;
}

int wc_strset_add(wc_strset *set, const char *s)
{
    if (wc_strset_has(set, s))
        return 0;
    if ((set->len + 1) * 2 > set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 256;
        char **slots = calloc(cap, sizeof(char *));
        if (slots == NULL)
            return -ENOMEM;
        for (size_t i = 0; i < set->cap; i++)
            if (set->slots[i] != NULL)
                insert(slots, cap, set->slots[i]);
        free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    char *copy = strdup(s);
    if (copy == NULL)
        return -ENOMEM;
    insert(set->slots, set->cap, copy);
    set->len++;
    return 0;
}

bool wc_strset_has(const wc_strset *set, const char *s)
{
    if (set->cap == 0)
        return false;
    for (size_t i = hash(s) & (set->cap - 1); set->slots[i] != NULL; i = (i + 1) & (set->cap - 1))
        if (strcmp(set->slots[i], s) == 0)
            return true;
    return false;
}

void wc_strset_clear(wc_strset *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slots[i]);
    free(set->slots);
    *set = (wc_strset){0};
}
