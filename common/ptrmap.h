/* A growable hash map from strings to pointers: constant-time put, get and delete (the
 * daemon's records by id and by name, so that a start does not scan every record: issue
 * 18). Keys are copied, unless the map borrows them (a record's own id: 80 bytes less per
 * entry). Zero-initialise; free with wc_ptrmap_clear. */
#ifndef WASMCRI_COMMON_PTRMAP_H
#define WASMCRI_COMMON_PTRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct wc_ptrmap_slot {
    char *key; /* NULL: empty */
    void *value;
} wc_ptrmap_slot;

typedef struct wc_ptrmap {
    wc_ptrmap_slot *slots;
    size_t cap, len;
    bool borrows_keys; /* set before the first put: a key must stay as it is while mapped */
} wc_ptrmap;

/* Maps a copy of key (key itself when the map borrows keys) to value, replacing what key
 * mapped to; -ENOMEM. */
int wc_ptrmap_put(wc_ptrmap *m, const char *key, void *value);
/* What key maps to, or NULL. */
void *wc_ptrmap_get(const wc_ptrmap *m, const char *key);
/* A map that borrows keys keeps key, equal to the one it holds, in its place (whose owner
 * may then go); nothing when it is not there. Never fails. */
void wc_ptrmap_rekey(wc_ptrmap *m, const char *key);
/* Forgets key (nothing when it is not there). */
void wc_ptrmap_del(wc_ptrmap *m, const char *key);
/* Forgets the keys that map to value: a scan, for when the key cannot be made. */
void wc_ptrmap_del_value(wc_ptrmap *m, const void *value);
void wc_ptrmap_clear(wc_ptrmap *m);

#endif
