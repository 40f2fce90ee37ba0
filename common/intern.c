/* The table of interned strings (intern.h): a map from each string to its entry, which
 * holds the count of holders and the characters (the map borrows them as its key). */
#include "intern.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ptrmap.h"

typedef struct interned {
    size_t holders;
    char s[];
} interned;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static wc_ptrmap table = {.borrows_keys = true};

static interned *entry_new(const char *s)
{
    size_t n = strlen(s) + 1;
    interned *e = malloc(sizeof(*e) + n);
    if (e == NULL)
        return NULL;
    e->holders = 0;
    memcpy(e->s, s, n);
    if (wc_ptrmap_put(&table, e->s, e) < 0) {
        free(e);
        return NULL;
    }
    return e;
}

char *wc_intern(const char *s)
{
    pthread_mutex_lock(&mu);
    interned *e = wc_ptrmap_get(&table, s);
    if (e == NULL)
        e = entry_new(s);
    if (e != NULL)
        e->holders++;
    pthread_mutex_unlock(&mu);
    return e ? e->s : NULL;
}

void wc_intern_drop(const char *s)
{
    if (s == NULL)
        return;
    interned *e = (interned *)(s - offsetof(interned, s));
    pthread_mutex_lock(&mu);
    if (--e->holders == 0) {
        wc_ptrmap_del(&table, e->s);
        free(e);
        if (table.len == 0)
            wc_ptrmap_clear(&table);
    }
    pthread_mutex_unlock(&mu);
}
