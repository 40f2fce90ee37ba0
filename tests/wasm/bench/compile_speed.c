/* compile_speed [--lazy|--prevalidated] [--fresh] FILE.wasm: loads (decodes, validates, compiles)
 * the module repeatedly and prints "BYTES SECONDS_PER_LOAD MB_PER_S WALL_SECONDS_PER_LOAD
 * CALLER_SECONDS_PER_LOAD FAULTS_PER_LOAD"; with --lazy the load validates only
 * (limits.lazy_compile: functions compile on their first call), with --prevalidated it does not
 * validate either (a worker's load of a module the zygote validated at create). Time is the
 * process's CPU time (all its threads): on a shared machine the wall clock counts other processes'
 * time too; the wall time comes after it, then the CPU time of the calling thread alone (a load
 * validates on two threads: with two free cores, its wall time) and the minor page faults. With
 * --fresh each load runs in a new forked process (the medians of 7), as a worker's load: its heap
 * and the copy of the bodies start cold. Used by hack/bench/engine.sh and hack/bench/start_big.py.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "read_module.h"
#include "wasm_engine.h"

#define FRESH_LOADS 7

typedef struct sample {
    double cpu, wall, caller, faults;
} sample;

static double seconds(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long minflt(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

/* One load and free, added to *s; -1 when the module does not load. */
static int one_load(const uint8_t *buf, size_t n, const wasm_limits *lim, sample *s)
{
    long f0 = minflt();
    double c0 = seconds(CLOCK_PROCESS_CPUTIME_ID), w0 = seconds(CLOCK_MONOTONIC),
           t0 = seconds(CLOCK_THREAD_CPUTIME_ID);
    wasm_module *m;
    wc_error err;
    if (wasm_module_load(buf, n, lim, &m, &err) < 0) {
        fprintf(stderr, "load: %s\n", err.msg);
        return -1;
    }
    wasm_module_free(m);
    s->caller += seconds(CLOCK_THREAD_CPUTIME_ID) - t0;
    s->wall += seconds(CLOCK_MONOTONIC) - w0;
    s->cpu += seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
    s->faults += (double)(minflt() - f0);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return v[n / 2];
}

/* FRESH_LOADS loads, each in a new child: the medians of each figure into *ret. */
static int fresh_loads(const uint8_t *buf, size_t n, const wasm_limits *lim, sample *ret)
{
    double v[4][FRESH_LOADS];
    for (int i = 0; i < FRESH_LOADS; i++) {
        int fds[2];
        sample s = {0};
        if (pipe(fds) < 0)
            return -1;
        pid_t pid = fork();
        if (pid == 0) {
            int rc = one_load(buf, n, lim, &s);
            _exit(rc < 0 || write(fds[1], &s, sizeof(s)) != sizeof(s));
        }
        close(fds[1]);
        ssize_t got = pid > 0 ? read(fds[0], &s, sizeof(s)) : -1;
        close(fds[0]);
        if (pid < 0 || waitpid(pid, NULL, 0) != pid || got != sizeof(s))
            return -1;
        v[0][i] = s.cpu, v[1][i] = s.wall, v[2][i] = s.caller, v[3][i] = s.faults;
    }
    *ret = (sample){median(v[0], FRESH_LOADS), median(v[1], FRESH_LOADS), median(v[2], FRESH_LOADS),
                    median(v[3], FRESH_LOADS)};
    return 0;
}

int main(int argc, char **argv)
{
    /* loads and frees in a loop would otherwise measure glibc handing large blocks back to the
     * kernel after each load and faulting fresh pages in for the next */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    wasm_limits lim = {0};
    bool fresh = false;
    for (; argc > 2 && strncmp(argv[1], "--", 2) == 0; argv++, argc--) {
        if (strcmp(argv[1], "--lazy") == 0)
            lim.lazy_compile = 1;
        else if (strcmp(argv[1], "--prevalidated") == 0)
            lim.lazy_compile = lim.prevalidated = 1;
        else if (strcmp(argv[1], "--fresh") == 0)
            fresh = true;
        else
            return 2;
    }
    if (argc != 2)
        return 2;
    size_t n;
    uint8_t *buf = read_module(argv[1], &n);
    if (buf == NULL)
        return 1;
    sample s = {0};
    int reps = 1;
    if (fresh) {
        if (fresh_loads(buf, n, &lim, &s) < 0)
            return 1;
    } else {
        for (reps = 0; reps == 0 || s.cpu < 0.5; reps++)
            if (one_load(buf, n, &lim, &s) < 0)
                return 1;
    }
    printf("%zu %.6f %.1f %.6f %.6f %.0f\n", n, s.cpu / reps, (double)n * reps / s.cpu / 1e6,
           s.wall / reps, s.caller / reps, s.faults / reps);
    free(buf);
    return 0;
}
