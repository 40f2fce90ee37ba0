/* cri_packer (packer.h): a growing buffer behind protobuf-c's ProtobufCBuffer, which,
 * unlike ProtobufCBufferSimple, says when memory ran out. */
#include "packer.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void append(ProtobufCBuffer *buffer, size_t len, const uint8_t *data)
{
    cri_packer *p = (cri_packer *)buffer;
    if (p->failed)
        return;
    if (len > p->cap - p->len) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap - p->len < len && cap <= SIZE_MAX / 2)
            cap *= 2;
        uint8_t *grown = cap - p->len >= len ? realloc(p->data, cap) : NULL;
        if (grown == NULL) {
            p->failed = true;
            return;
        }
        p->data = grown;
        p->cap = cap;
    }
    memcpy(p->data + p->len, data, len);
    p->len += len;
}

void cri_packer_init(cri_packer *p)
{
    memset(p, 0, sizeof(*p));
    p->base.append = append;
}

int cri_packer_add(cri_packer *p, const ProtobufCMessage *m)
{
    protobuf_c_message_pack_to_buffer(m, &p->base);
    return p->failed ? -ENOMEM : 0;
}

void cri_packer_clear(cri_packer *p)
{
    free(p->data);
    cri_packer_init(p);
}
