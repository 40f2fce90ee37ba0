/* A CRI map field (map<string,string>) whose entries point into a record's k,v list
 * instead of copying it: for messages built under the sandbox's lock and packed at once
 * (packer.h). The entries are kept for the next fill; clear the view once at the end.
 */
#ifndef WASMCRI_CRI_MAP_VIEW_H
#define WASMCRI_CRI_MAP_VIEW_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

typedef struct cri_map_view {
    void *entries; /* cap entries of the map's entry type (all laid out {base, key, value}) */
    void **ptrs;
    size_t cap;
} cri_map_view;

/* The entries of desc (a map entry type) for kv (borrowed) into *ret_entries, *ret_n (the
 * message's map field). -ENOMEM. */
int cri_map_view_fill(cri_map_view *m, char *const *kv, const ProtobufCMessageDescriptor *desc,
                      void ***ret_entries, size_t *ret_n);
void cri_map_view_clear(cri_map_view *m);

/* Grows *arr to hold n items of size bytes each; -ENOMEM keeps it as it was. */
int cri_grow(void **arr, size_t size, size_t n);

#endif
