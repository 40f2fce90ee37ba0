/* A reply packed while a handler runs, for the big list rpcs: the handler packs each item
 * with protobuf-c as it visits the records (under the sandbox's lock, so the message can
 * borrow the records' strings instead of copying them), and the server sends the bytes as
 * they are (cri_reply_packed in service.h).
 *
 * Items go in as the field of the response they are items of: protobuf's encoding of a
 * repeated field is the concatenation of its items, each as a message field is encoded
 * (tag, length, the item packed), so N of them are the packed N-item response. The bytes
 * grow in one buffer; running out of memory is remembered and reported once, at the end.
 */
#ifndef WASMCRI_CRI_PACKER_H
#define WASMCRI_CRI_PACKER_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cri_packer {
    uint8_t *data; /* malloc'd, or mapped when big (packer.c) */
    size_t len, cap;
    bool failed; /* out of memory: bytes were lost */
} cri_packer;

void cri_packer_init(cri_packer *p);
/* Appends m as the field named name of a message of type desc (a response's one message
 * field, or an item of its repeated one). -ENOMEM (then, and ever after, nothing more is
 * appended); -EINVAL when desc has no message field of that name. */
int cri_packer_add_field(cri_packer *p, const ProtobufCMessageDescriptor *desc, const char *name,
                         const ProtobufCMessage *m);
/* Frees the bytes. */
void cri_packer_clear(cri_packer *p);
/* Hands the bytes over (NULL when there are none, or no memory) and leaves p empty; *ret_len
 * of them, to be freed with cri_packer_bytes_free(data, *ret_len). */
void *cri_packer_take(cri_packer *p, size_t *ret_len);
void cri_packer_bytes_free(void *data, size_t len);

#endif
