/* common/pages.h: the page size is the host's, and wc_populate makes resident exactly the pages
 * a byte range touches (rounded out at both ends: a range from the middle of one page to the
 * middle of the next populates both, and not the pages around them), written or mapped; a
 * range of 0 bytes populates nothing. */
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "pages.h"

/* How many of the n pages from p are resident (mincore). */
static int resident(char *p, size_t n)
{
    unsigned char vec[8];
    if (n > sizeof(vec) || mincore(p, n * wc_page_size(), vec) < 0)
        return -1;
    int count = 0;
    for (size_t i = 0; i < n; i++)
        count += vec[i] & 1;
    return count;
}

int main(void)
{
    size_t page = wc_page_size();
    CHECK_EQ_INT(page, (size_t)sysconf(_SC_PAGESIZE));
    for (int write = 0; write < 2; write++) {
        char *p = mmap(NULL, 6 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(p != MAP_FAILED);
        if (p == MAP_FAILED)
            continue;
        CHECK_EQ_INT(wc_populate(p + page, 0, write), 0);
        CHECK_EQ_INT(resident(p, 6), 0);
        /* from the middle of page 1 to the middle of page 3: pages 1, 2 and 3 */
        CHECK_EQ_INT(wc_populate(p + page + page / 2, 2 * page, write), 0);
        CHECK_EQ_INT(resident(p, 1), 0);
        CHECK_EQ_INT(resident(p + page, 3), 3);
        CHECK_EQ_INT(resident(p + 4 * page, 2), 0);
        munmap(p, 6 * page);
    }
    return CHECK_DONE();
}
