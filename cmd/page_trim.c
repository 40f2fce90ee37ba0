/* Start-up trim for small gateways.
 *
 * gRPC's C++ core, OpenSSL and libc touch megabytes of their code and read-only
 * data while they initialise, and the daemon never runs most of it again. Those
 * pages are clean and file-backed, so the kernel can drop them at no cost; doing
 * it once the server is up keeps an idle daemon's resident set to what serving
 * really uses (measured by hack/bench/rpc.py: idle, and after 10,000 calls).
 * Only read-only or executable private file mappings are advised; writable and
 * anonymous memory is left alone (malloc_trim returns free heap instead).
 */
#include "page_trim.h"

#include <inttypes.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

void page_trim_after_startup(void)
{
    FILE *maps = fopen("/proc/self/maps", "re");
    if (maps == NULL)
        return;
    char line[4096];
    while (fgets(line, sizeof(line), maps)) {
        uintptr_t start, end;
        char perms[8];
        unsigned long long offset;
        int path_at = 0;
        if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %llx %*s %*s %n", &start, &end, perms,
                   &offset, &path_at) < 4)
            continue;
        const char *path = line + path_at;
        bool file_backed = path_at > 0 && path[0] == '/';
        bool read_only = perms[1] == '-' && perms[3] == 'p';
        if (file_backed && read_only)
            madvise((void *)start, end - start, MADV_PAGEOUT);
    }
    fclose(maps);
    malloc_trim(0);
}
