/* Page-rounded populate (see pages.h). */
#include "pages.h"

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* Set at program start, before any fork: a child reads it, never writes its page. */
size_t wc_page_bytes;

static void __attribute__((constructor)) read_page_size(void)
{
    long n = sysconf(_SC_PAGESIZE);
    wc_page_bytes = n > 0 ? (size_t)n : 4096;
}

int wc_populate(void *at, size_t len, bool write)
{
#if defined(MADV_POPULATE_READ) && defined(MADV_POPULATE_WRITE)
    if (len == 0)
        return 0;
    uintptr_t mask = wc_page_size() - 1;
    uintptr_t from = (uintptr_t)at & ~mask, to = ((uintptr_t)at + len + mask) & ~mask;
    int advice = write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
    return madvise((void *)from, to - from, advice) == 0 ? 0 : -errno;
#else
    (void)at, (void)len, (void)write;
    return -ENOSYS;
#endif
}
