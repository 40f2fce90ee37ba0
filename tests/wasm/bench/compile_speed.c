/* compile_speed [--lazy|--prevalidated] FILE.wasm: loads (decodes, validates, compiles) the module
 * repeatedly and prints "BYTES SECONDS_PER_LOAD MB_PER_S WALL_SECONDS_PER_LOAD"; with --lazy the
 * load validates only (limits.lazy_compile: functions compile on their first call), with
 * --prevalidated it does not validate either (a worker's load of a module the zygote validated at
 * create). Time is the process's CPU time (all its threads): on a shared machine the wall clock
 * counts other processes' time too; the wall time is printed last (a load that validates on two
 * threads). Used by hack/bench/engine.sh and hack/bench/start_big.py. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "read_module.h"
#include "wasm_engine.h"

int main(int argc, char **argv)
{
    /* loads and frees in a loop would otherwise measure glibc handing large blocks back to the
     * kernel after each load and faulting fresh pages in for the next */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    wasm_limits lim = {0};
    if (argc == 3 && strcmp(argv[1], "--lazy") == 0)
        lim.lazy_compile = 1, argv++, argc--;
    else if (argc == 3 && strcmp(argv[1], "--prevalidated") == 0)
        lim.lazy_compile = lim.prevalidated = 1, argv++, argc--;
    if (argc != 2)
        return 2;
    size_t n;
    uint8_t *buf = read_module(argv[1], &n);
    if (buf == NULL)
        return 1;
    struct timespec a, b, wa, wb;
    int reps = 0;
    double secs = 0;
    clock_gettime(CLOCK_MONOTONIC, &wa);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    do {
        wasm_module *m;
        wc_error err;
        if (wasm_module_load(buf, n, &lim, &m, &err) < 0) {
            fprintf(stderr, "load: %s\n", err.msg);
            return 1;
        }
        wasm_module_free(m);
        reps++;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
        secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    } while (secs < 0.5);
    clock_gettime(CLOCK_MONOTONIC, &wb);
    double wall = (double)(wb.tv_sec - wa.tv_sec) + (double)(wb.tv_nsec - wa.tv_nsec) / 1e9;
    printf("%zu %.6f %.1f %.6f\n", n, secs / reps, (double)n * reps / secs / 1e6, wall / reps);
    free(buf);
    return 0;
}
