/* cri_packer (packer.h): a growing buffer that protobuf-c packs each item straight into.
 *
 * protobuf_c_message_pack (into flat memory) sizes each message once; packing through a
 * ProtobufCBuffer (pack_to_buffer) sizes every sub-message again at each level it is
 * nested in, which made most of a stats list's cost (issue 18). */
#include "packer.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void cri_packer_init(cri_packer *p)
{
    memset(p, 0, sizeof(*p));
}

/* Room for n more bytes; false (and failed) when there is none. */
static bool reserve(cri_packer *p, size_t n)
{
    if (p->failed)
        return false;
    if (n <= p->cap - p->len)
        return true;
    size_t cap = p->cap ? p->cap : 4096;
    while (cap - p->len < n && cap <= SIZE_MAX / 2)
        cap *= 2;
    uint8_t *grown = cap - p->len >= n ? realloc(p->data, cap) : NULL;
    if (grown == NULL) {
        p->failed = true;
        return false;
    }
    p->data = grown;
    p->cap = cap;
    return true;
}

int cri_packer_add(cri_packer *p, const ProtobufCMessage *m)
{
    if (!reserve(p, protobuf_c_message_get_packed_size(m)))
        return -ENOMEM;
    p->len += protobuf_c_message_pack(m, p->data + p->len);
    return 0;
}

void cri_packer_clear(cri_packer *p)
{
    free(p->data);
    cri_packer_init(p);
}
