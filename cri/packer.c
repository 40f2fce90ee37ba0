/* cri_packer (packer.h): a growing buffer that protobuf-c packs each item straight into.
 *
 * protobuf_c_message_pack (into flat memory) sizes each message once; packing through a
 * ProtobufCBuffer (pack_to_buffer) sizes every sub-message again at each level it is
 * nested in, which made most of a stats list's cost (issue 18). Even flat, each level of
 * nesting sizes what is below it once more (a message field's length comes first), so
 * the items' own tag and length are written here, not by packing a one-item response.
 *
 * A big reply (MAP_FROM on) is a mapping of its own, unmapped when it has been sent. From
 * the heap, the megabytes of a 10,000-item list stayed in the daemon's RSS after each poll
 * (glibc raises its mmap threshold to the size of a mapped chunk freed, so the next list
 * came from a thread's arena, which keeps freed memory). */
#include "packer.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { MAP_FROM = 256 * 1024 }; /* bytes */

void cri_packer_init(cri_packer *p)
{
    memset(p, 0, sizeof(*p));
}

/* The bytes moved to a buffer of cap bytes (a mapping from MAP_FROM on); NULL: no memory. */
static uint8_t *grow(const cri_packer *p, size_t cap)
{
    if (cap < MAP_FROM)
        return realloc(p->data, cap);
    if (p->cap >= MAP_FROM) {
        void *m = mremap(p->data, p->cap, cap, MREMAP_MAYMOVE);
        return m == MAP_FAILED ? NULL : m;
    }
    void *m = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    if (p->len > 0) /* a first item of MAP_FROM on comes to an empty packer */
        memcpy(m, p->data, p->len);
    free(p->data);
    return m;
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
    uint8_t *grown = cap - p->len >= n ? grow(p, cap) : NULL;
    if (grown == NULL) {
        p->failed = true;
        return false;
    }
    p->data = grown;
    p->cap = cap;
    return true;
}

/* Appends v as a protobuf varint; room was reserved. */
static void put_varint(cri_packer *p, uint64_t v)
{
    for (; v >= 0x80; v >>= 7)
        p->data[p->len++] = (uint8_t)(v | 0x80);
    p->data[p->len++] = (uint8_t)v;
}

int cri_packer_add_field(cri_packer *p, const ProtobufCMessageDescriptor *desc, const char *name,
                         const ProtobufCMessage *m)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(desc, name);
    if (f == NULL || f->type != PROTOBUF_C_TYPE_MESSAGE)
        return -EINVAL;
    size_t size = protobuf_c_message_get_packed_size(m);
    if (!reserve(p, 2 * 10 + size)) /* tag and length: a varint each */
        return -ENOMEM;
    put_varint(p, (uint64_t)f->id << 3 | PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED);
    put_varint(p, size);
    p->len += protobuf_c_message_pack(m, p->data + p->len);
    return 0;
}

void cri_packer_clear(cri_packer *p)
{
    if (p->cap >= MAP_FROM)
        munmap(p->data, p->cap);
    else
        free(p->data);
    cri_packer_init(p);
}

void *cri_packer_take(cri_packer *p, size_t *ret_len)
{
    size_t len = p->len;
    uint8_t *data = p->data;
    if (len == 0) {
        cri_packer_clear(p);
        data = NULL;
    } else if (p->cap >= MAP_FROM && len < MAP_FROM) { /* it ended below: the heap's again */
        data = malloc(len);
        if (data)
            memcpy(data, p->data, len);
        cri_packer_clear(p);
    } else if (p->cap >= MAP_FROM) { /* the pages past the bytes go now */
        size_t page = (size_t)sysconf(_SC_PAGESIZE), keep = (len + page - 1) / page * page;
        if (keep < p->cap)
            munmap(data + keep, p->cap - keep);
    }
    cri_packer_init(p);
    *ret_len = data ? len : 0;
    return data;
}

void cri_packer_bytes_free(void *data, size_t len)
{
    if (len >= MAP_FROM)
        munmap(data, len);
    else
        free(data);
}
