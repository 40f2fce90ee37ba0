/* Prefaulting in a spare worker (see prefault.h). A fork copies no page table entry of a
 * file's mapping that has no private page (the program's text and read-only data), so each
 * worker faulted in the text it ran, 64 KiB at a time; the writable data, bss, stack and heap
 * it shares with the zygote copy-on-write are copied at its first write to each page. Here
 * each of those is done in one madvise(MADV_POPULATE_READ / _WRITE) per range, or by a write.
 * To add a range: one call in prefault_spare, and its fault count before and after
 * (`perf record -e page-faults -d` over the zygote; README "The start path").
 */
#include "prefault.h"

#include <alloca.h>
#include <link.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pages.h"

/* How deep a container start's set-up and first log write go below the spare's wait (a
 * start faulted in 4 pages of stack down to 24 KiB below it: the log's printf). */
#define START_STACK_BYTES (24 << 10)
/* How much of the heap's top a start's small allocations take (the spec's decoding, the WASI
 * context's, the linker's and the instance's: 8 pages). */
#define START_HEAP_BYTES (32 << 10)

/* One madvise for the pages below the caller's frame (a write fault each cost twice as much
 * CPU as a page populated here); written one by one where the stack's mapping does not reach
 * that far down yet (it grows at a fault, not at an madvise). */
void __attribute__((noinline)) prefault_stack(size_t bytes)
{
    volatile char *below = alloca(bytes);
    char *frame = __builtin_frame_address(0);
    if (wc_populate((char *)below, (size_t)(frame - (char *)below), true) == 0)
        return;
    for (size_t i = 0; i < bytes; i += wc_page_size())
        below[i] = 0;
}

static void populate(uintptr_t from, uintptr_t to, bool write)
{
    if (to > from)
        wc_populate((void *)from, to - from, write);
}

/* The program's own PT_LOAD segments (the first object dl_iterate_phdr reports), by *write_ptr:
 * MADV_POPULATE_READ maps the read-only ones; MADV_POPULATE_WRITE writes the writable one's
 * data from the file (malloc's state among it), but for its RELRO part (read-only after
 * relocation), not its bss (a start writes 1 of its 6 pages). */
static int populate_program(struct dl_phdr_info *info, size_t size, void *write_ptr)
{
    (void)size;
    bool write = *(const bool *)write_ptr;
    uintptr_t relro_from = 0, relro_to = 0;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_GNU_RELRO) {
            relro_from = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
            size_t page = wc_page_size(); /* up to its last page, all read-only */
            relro_to = (relro_from + info->dlpi_phdr[i].p_memsz + page - 1) & ~(page - 1);
        }
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t from = info->dlpi_addr + ph->p_vaddr;
        if (!(ph->p_flags & PF_W) != !write)
            continue;
        if (!write) {
            populate(from, from + ph->p_memsz, false);
            continue;
        }
        uintptr_t to = from + ph->p_filesz;
        if (from < relro_to && to > relro_from)
            from = relro_to;
        populate(from, to, true);
    }
    return 1; /* the program only */
}

/* malloc's free fast chunks merged (writing them), as a start's first large request did, and
 * the first START_HEAP_BYTES of the heap's top written in one call, where a start's small
 * allocations wrote them a fault each. */
static void prefault_heap(void)
{
    /* a large request: the fast chunks merged, the top that big (volatile: not optimised away) */
    char *volatile top = malloc(START_HEAP_BYTES);
    free(top);
    uintptr_t end = (uintptr_t)sbrk(0), from = end - mallinfo2().keepcost; /* the top chunk */
    populate(from, from + START_HEAP_BYTES < end ? from + START_HEAP_BYTES : end, true);
}

void prefault_program(void)
{
    bool write = true;
    dl_iterate_phdr(populate_program, &write);
    write = false;
    dl_iterate_phdr(populate_program, &write);
}

void prefault_spare(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now); /* the vDSO's data page: the log's timestamps */
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm); /* and glibc's time zone state, which their formatting writes */
    prefault_stack(START_STACK_BYTES);
    prefault_heap();
}
