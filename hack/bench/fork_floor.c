/* The cost of a bare process on this machine, for hack/bench/start_floor.py: N times, fork a
 * child that does nothing but read its own CPU time and exit. Prints three medians, in us:
 *   parent  the parent's CPU time in fork() (the address space's copy, the new task)
 *   child   the child's CPU time from its birth to its exit call (its first pages, its return)
 *   exit    the child's CPU time in all, from wait4's rusage, less `child` (its teardown)
 * A container's worker is at least such a process: what a start cannot cost less than.
 *   fork_floor N */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long cpu_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static double median_us(long *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_long);
    return (double)v[n / 2] / 1000.0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 0;
    if (n <= 0) {
        fprintf(stderr, "usage: fork_floor N\n");
        return 2;
    }
    long *slot =
        mmap(NULL, sizeof(long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    long *parent = calloc((size_t)n, sizeof(long)), *child = calloc((size_t)n, sizeof(long)),
         *teardown = calloc((size_t)n, sizeof(long));
    if (slot == MAP_FAILED || !parent || !child || !teardown) {
        perror("fork_floor: memory");
        return 1;
    }
    for (int i = 0; i < n; i++) {
        long t0 = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
        pid_t pid = fork();
        if (pid == 0) {
            *slot = cpu_ns(CLOCK_PROCESS_CPUTIME_ID);
            _exit(0);
        }
        parent[i] = cpu_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
        struct rusage ru;
        int status;
        if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
            perror("fork_floor: fork");
            return 1;
        }
        long all = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000L +
                   (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000L;
        child[i] = *slot;
        teardown[i] = all > *slot ? all - *slot : 0;
    }
    printf("parent %.1f child %.1f exit %.1f\n", median_us(parent, n), median_us(child, n),
           median_us(teardown, n));
    return 0;
}
