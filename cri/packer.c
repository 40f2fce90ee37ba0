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
 * came from a thread's arena, which keeps freed memory).
 *
 * The mapping is RESERVE bytes of address space from the start (only the pages written
 * cost memory), aligned to HUGE and asked for transparent huge pages: a fresh mapping's
 * first write to each 4 KiB page faulted, and the faults (a page allocated, cleared and
 * charged each) were a fifth of ListContainers' CPU at 10,000 containers (issue 18); one
 * fault per 2 MiB costs a sixth as much. Where THP is off it is 4 KiB pages as before; the
 * reply grows in place, with no mremap, until RESERVE. Every mapping is a multiple of
 * HUGE long, and what is left of it after the bytes goes when they are taken. */
#include "packer.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum {
    MAP_FROM = 256 * 1024,      /* bytes */
    HUGE = 2 * 1024 * 1024,     /* a transparent huge page (4 KiB base pages) */
    RESERVE = 16 * 1024 * 1024, /* as much as gRPC sends in one message (server.c) */
};

void cri_packer_init(cri_packer *p)
{
    memset(p, 0, sizeof(*p));
}

static size_t huge_round(size_t n)
{
    return (n + HUGE - 1) / HUGE * HUGE;
}

/* A mapping of size bytes (a multiple of HUGE) that starts at a multiple of HUGE, with
 * huge pages where the kernel gives them; NULL: none. */
static uint8_t *map_huge(size_t size)
{
    uint8_t *m = mmap(NULL, size + HUGE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    uint8_t *at = (uint8_t *)huge_round((uintptr_t)m);
    if (at > m)
        munmap(m, (size_t)(at - m));
    munmap(at + size, (size_t)(m + HUGE - at));
    madvise(at, size, MADV_HUGEPAGE); /* EINVAL without THP: 4 KiB pages then */
    return at;
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
    uint8_t *m = map_huge(cap);
    if (m == NULL)
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
    if (cap >= MAP_FROM && p->cap < MAP_FROM) /* the mapping: room to grow in place */
        cap = cap < RESERVE ? RESERVE : huge_round(cap);
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
    } else if (p->cap >= MAP_FROM && huge_round(len) < p->cap) { /* the rest goes now */
        munmap(data + huge_round(len), p->cap - huge_round(len));
    }
    cri_packer_init(p);
    *ret_len = data ? len : 0;
    return data;
}

void cri_packer_bytes_free(void *data, size_t len)
{
    if (len >= MAP_FROM)
        munmap(data, huge_round(len));
    else
        free(data);
}
