/* The daemon's start-up leaves its library pages mapped (startup_pages.h).
 *
 * gRPC core's initialisation, OpenSSL's, gnutls's (libmicrohttpd's) and the dynamic
 * loader's relocations touch megabytes of code and read-only data that serving never
 * runs again, and the kernel maps file pages 64 KiB around each touch (fault-around),
 * so they stay in the daemon's RSS (hack/bench/footprint.py measures it). Unmapping
 * them is exact: MADV_DONTNEED drops the page table entries of a private file mapping,
 * and a later touch maps the page again from the file. It is only safe where the
 * mapping holds no page the process wrote (a private copy would be lost and the file's
 * bytes come back): so only mappings that are not writable and whose smaps say
 * "Anonymous: 0" (the relocated RELRO data, written by the loader, has private copies
 * and is kept). The kernel's MADV_PAGEOUT, tried before, skips pages another process
 * maps too (every library of a machine running more than one gRPC program).
 */
#include "startup_pages.h"

#include <inttypes.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

typedef struct mapping {
    uintptr_t start, end;
    bool candidate; /* file-backed, private, not writable */
} mapping;

/* Reads an smaps header line ("start-end perms offset dev inode path"); false if it is
 * a field line instead. */
static bool parse_header(const char *line, mapping *m)
{
    uintptr_t start, end;
    char perms[8];
    int path_at = 0;
    if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %*s %*s %*s %n", &start, &end, perms,
               &path_at) < 3 ||
        path_at == 0)
        return false;
    *m = (mapping){
        .start = start,
        .end = end,
        .candidate = line[path_at] == '/' && perms[1] == '-' && perms[3] == 'p',
    };
    return true;
}

void startup_pages_unmap(void)
{
    FILE *smaps = fopen("/proc/self/smaps", "re");
    if (smaps == NULL)
        return;
    char line[4096];
    mapping m = {0};
    while (fgets(line, sizeof(line), smaps)) {
        unsigned long anon_kib;
        if (parse_header(line, &m) || !m.candidate)
            continue;
        if (sscanf(line, "Anonymous: %lu", &anon_kib) == 1) {
            if (anon_kib == 0)
                madvise((void *)m.start, m.end - m.start, MADV_DONTNEED);
            m.candidate = false;
        }
    }
    fclose(smaps);
    malloc_trim(0);
}
