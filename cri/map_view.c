/* cri_map_view (map_view.h): map entries borrowing a record's k,v list. */
#include "map_view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "strv.h"

/* All map entry messages are {base, key, value} (convert.h). */
typedef struct map_entry {
    ProtobufCMessage base;
    char *key, *value;
} map_entry;

int cri_grow(void **arr, size_t size, size_t n)
{
    if (n && size > SIZE_MAX / n)
        return -ENOMEM;
    void *a = realloc(*arr, n * size);
    if (a == NULL)
        return -ENOMEM;
    *arr = a;
    return 0;
}

int cri_map_view_fill(cri_map_view *m, char *const *kv, const ProtobufCMessageDescriptor *desc,
                      void ***ret_entries, size_t *ret_n)
{
    size_t n = wc_strv_len(kv) / 2;
    if (n > m->cap) {
        TRY(cri_grow(&m->entries, sizeof(map_entry), n));
        TRY(cri_grow((void **)&m->ptrs, sizeof(void *), n));
        m->cap = n;
    }
    map_entry *e = m->entries;
    for (size_t i = 0; i < n; i++) {
        protobuf_c_message_init(desc, &e[i]);
        e[i].key = kv[2 * i];
        e[i].value = kv[2 * i + 1];
        m->ptrs[i] = &e[i];
    }
    *ret_entries = m->ptrs;
    *ret_n = n;
    return 0;
}

void cri_map_view_clear(cri_map_view *m)
{
    free(m->entries);
    free(m->ptrs);
    memset(m, 0, sizeof(*m));
}
