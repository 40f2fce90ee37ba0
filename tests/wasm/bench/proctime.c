/* proctime N CMD ARGS...: runs CMD N times (stdout to /dev/null) and prints the median and minimum
 * wall time of one whole process and the median of its CPU time (user + system), in milliseconds.
 * On a shared, oversubscribed machine the CPU time is the figure that does not count waiting for a
 * core. Used by hack/bench/engine.sh. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int n = argc < 3 ? 0 : atoi(argv[1]);
    if (n < 1)
        return 2;
    double *t = calloc((size_t)n, sizeof(double)), *cpu = calloc((size_t)n, sizeof(double));
    for (int i = 0; i < n; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        pid_t pid = fork();
        if (pid == 0) {
            int fd = open("/dev/null", O_WRONLY);
            dup2(fd, 1);
            execv(argv[2], argv + 2);
            _exit(127);
        }
        int st;
        struct rusage ru;
        wait4(pid, &st, 0, &ru);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "proctime: %s failed\n", argv[2]);
            return 1;
        }
        t[i] = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
        cpu[i] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                 (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    }
    qsort(t, (size_t)n, sizeof(double), cmp);
    qsort(cpu, (size_t)n, sizeof(double), cmp);
    printf("%.3f %.3f %.3f\n", t[n / 2], t[0], cpu[n / 2]);
    return 0;
}
