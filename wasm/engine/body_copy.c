/* body_copy.c: the copy decode.c keeps of a module's function bodies while some are left to
 * validate or compile (a lazy load, a load in steps). A small one is a heap block; a big one gets
 * a mapping of its own, made huge pages where the kernel gives them (MADV_HUGEPAGE) and populated
 * in one call (MADV_POPULATE_WRITE) before the copy: as a heap block every 4 KiB page of it
 * faulted on the copy, about 5,000 faults that were most of a worker's load of a 21 MB module.
 * Where either advice is not known (an older kernel) the copy faults the pages in as before.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine.h"

/* Copies below this stay on the heap (a mapping costs calls; the saving is in the faults) */
#define OWN_MAPPING_BYTES (2u << 20)
#define HUGE_PAGE_BYTES ((size_t)2 << 20)

/* A mapping of n bytes starting on a huge page boundary (the head and tail cut off), or NULL. */
static uint8_t *map_aligned(size_t n)
{
    size_t len = n + HUGE_PAGE_BYTES;
    uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    size_t head = (HUGE_PAGE_BYTES - (uintptr_t)p % HUGE_PAGE_BYTES) % HUGE_PAGE_BYTES;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t used = (n + page - 1) / page * page;
    if (head)
        munmap(p, head);
    if (len - head > used)
        munmap(p + head + used, len - head - used);
    return p + head;
}

int wasm_bodies_copy(wasm_module *m, const uint8_t *src, size_t n)
{
    uint8_t *p = n >= OWN_MAPPING_BYTES ? map_aligned(n) : NULL;
    if (p) {
#ifdef MADV_HUGEPAGE
        madvise(p, n, MADV_HUGEPAGE);
#endif
#ifdef MADV_POPULATE_WRITE
        madvise(p, n, MADV_POPULATE_WRITE);
#endif
        m->code_bytes_mapped = n;
    } else if ((p = malloc(n ? n : 1)) == NULL) {
        return -ENOMEM;
    }
    memcpy(p, src, n);
    m->code_bytes = p;
    return 0;
}

void wasm_bodies_free(wasm_module *m)
{
    if (m->code_bytes_mapped)
        munmap(m->code_bytes, m->code_bytes_mapped);
    else if (!m->code_borrowed)
        free(m->code_bytes);
    m->code_bytes = NULL;
    m->code_bytes_mapped = 0;
}

size_t wasm_module_body_copy_bytes(const wasm_module *m)
{
    return m->code_bytes_mapped;
}
