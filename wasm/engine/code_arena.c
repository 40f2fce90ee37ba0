/* code_arena.c: compiled code in shared mappings (limits.shared_code), for a process that forks
 * workers holding its modules (the zygote). A fork copies no page table entry of a shared mapping
 * (the child faults in only the pages it runs, and its exit has only those to drop), where compiled
 * code on the heap costs every fork and every exit a page table entry per 4 KiB of it. The chunks
 * are made read-only once every function is compiled (wasm_module_prepare), so no forked process
 * can write into the code the others run. */
#include <stdlib.h>
#include <sys/mman.h>

#include "engine.h"

#define CHUNK_BYTES ((size_t)4 << 20)

struct wcode_chunk {
    struct wcode_chunk *next;
    uint8_t *base;
    size_t size, used;
};

int wasm_arena_copy(wasm_module *m, const wcell *code, size_t n, wcell **ret_code)
{
    size_t bytes = n * sizeof(wcell);
    wcode_chunk *c = m->chunks;
    if (c == NULL || c->size - c->used < bytes) {
        size_t size = bytes > CHUNK_BYTES ? (bytes + 4095) & ~(size_t)4095 : CHUNK_BYTES;
        c = malloc(sizeof(*c));
        void *p = c ? mmap(NULL, size, PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                    : MAP_FAILED;
        if (p == MAP_FAILED) {
            free(c);
            return -ENOMEM;
        }
        *c = (wcode_chunk){.next = m->chunks, .base = p, .size = size};
        m->chunks = c;
    }
    *ret_code = memcpy(c->base + c->used, code, bytes);
    c->used += bytes;
    m->shared_code_bytes += bytes;
    return 0;
}

void wasm_arena_seal(wasm_module *m)
{
    for (wcode_chunk *c = m->chunks; c; c = c->next)
        mprotect(c->base, c->size, PROT_READ);
}

void wasm_arena_map(const wasm_module *m)
{
#ifdef MADV_POPULATE_READ
    for (const wcode_chunk *c = m->chunks; c; c = c->next) /* best effort: faults do it later */
        madvise(c->base, (c->used + 4095) & ~(size_t)4095, MADV_POPULATE_READ);
#else
    (void)m;
#endif
}

void wasm_arena_free(wasm_module *m)
{
    while (m->chunks) {
        wcode_chunk *c = m->chunks;
        m->chunks = c->next;
        munmap(c->base, c->size);
        free(c);
    }
}

size_t wasm_module_shared_code_bytes(const wasm_module *m)
{
    return m->shared_code_bytes;
}
