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

/* The mapping of the maps-format file path that holds addr, into ret; false if none does. */
static bool mapping_holding(const char *path, uintptr_t addr, mapping *ret)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return false;
    char line[4096];
    bool found = false;
    while (!found && fgets(line, sizeof(line), f))
        found = parse_header(line, ret) && ret->start <= addr && addr < ret->end;
    fclose(f);
    return found;
}

/* Whether /proc/self/smaps describes this process's own address space, as /proc/self/maps
 * does: both show the same mapping around this function. qemu-user 7.2 (Debian 12's) emulates maps
 * for its guest but passes smaps through from the host, where the guest's mappings sit at
 * the guest's addresses plus qemu's guest base (4 KiB for an armhf guest on x86-64): trimming
 * by those addresses would drop pages the guest wrote, its libraries' data, and crash it. */
static bool smaps_is_own(void)
{
    uintptr_t here = (uintptr_t)&smaps_is_own;
    mapping in_maps, in_smaps;
    return mapping_holding("/proc/self/maps", here, &in_maps) &&
           mapping_holding("/proc/self/smaps", here, &in_smaps) &&
           in_maps.start == in_smaps.start && in_maps.end == in_smaps.end;
}

void startup_pages_unmap(void)
{
    if (!smaps_is_own())
        return;
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
