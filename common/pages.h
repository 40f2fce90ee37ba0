/* Page-rounded madvise(MADV_POPULATE_READ / _WRITE): the one place the engine and the zygote
 * round a byte range out to whole pages (of the host's page size, read once) before populating
 * it. A page populated in one call costs a few µs where its first touch costs a page fault
 * (~20 µs on a paravirtualised guest). */
#ifndef WASMCRI_COMMON_PAGES_H
#define WASMCRI_COMMON_PAGES_H

#include <stdbool.h>
#include <stddef.h>

/* The host's page size (sysconf(_SC_PAGESIZE), read once at program start: pages.c). Inline,
 * as a start's every data segment asks it: a call into this file's text was a page fault in a
 * fork that has not mapped it yet. */
extern size_t wc_page_bytes;

static inline size_t wc_page_size(void)
{
    return wc_page_bytes;
}

/* Populates every page [at, at + len) touches: written (MADV_POPULATE_WRITE: private copies,
 * zeroed or copied from the file) when write, else mapped (MADV_POPULATE_READ). One madvise,
 * none for len 0. Returns 0 or -errno (-ENOSYS where the headers have no populate advice,
 * -EINVAL from a kernel before 5.14): best effort, a caller that must have the pages writes
 * them itself. */
int wc_populate(void *at, size_t len, bool write);

#endif
