/* instance_cost [--rounds N] [--lazy] FILE.wasm: what a cached start of a compiled module costs.
 * The module is loaded (compiled) once, as the zygote's cache does (limits.shared_code; with --lazy
 * validated only, as the zygote holds a module too big to compile: each child compiles the
 * functions `_start` calls, on its copy-on-write copy of the module); then, N times, a
 * forked child (as the zygote forks a worker holding the compiled module) instantiates it with a
 * stand-in fd_write, runs `_start` and frees the instance. Prints the medians over the rounds of
 * the fork (the parent's wall time of fork(), microseconds), the child's CPU time (instantiate, and
 * instantiate + `_start`, microseconds) and of its minor page faults:
 * "FORK_US INST_US RUN_US FAULTS". Used by hack/bench/start_big.py. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "read_module.h"
#include "wasm_engine.h"

static wasm_trap fake_fd_write(wasm_instance *inst, void *env, const wasm_val *args,
                               wasm_val *results)
{
    (void)inst, (void)env, (void)args;
    results[0].i32 = 0;
    return WASM_TRAP_NONE;
}

static double clock_us(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static double cpu_us(void)
{
    return clock_us(CLOCK_PROCESS_CPUTIME_ID);
}

static long minflt(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

/* The child's part: three numbers written to fd. */
static int one_start(const wasm_module *m, wasm_linker *l, int fd)
{
    long f0 = minflt();
    double t0 = cpu_us();
    wasm_instance *inst;
    wc_error err;
    if (wasm_instance_new(m, l, NULL, &inst, &err) < 0) {
        fprintf(stderr, "instantiate: %s\n", err.msg);
        return 1;
    }
    double t1 = cpu_us();
    wasm_func *start = wasm_instance_export_func(inst, "_start");
    if (start == NULL || wasm_call(inst, start, NULL, 0, NULL, 0) != WASM_TRAP_NONE) {
        fprintf(stderr, "_start: %s\n", wasm_instance_trap_message(inst));
        return 1;
    }
    wasm_instance_free(inst);
    double t2 = cpu_us();
    double out[3] = {t1 - t0, t2 - t0, (double)(minflt() - f0)};
    return write(fd, out, sizeof(out)) == (ssize_t)sizeof(out) ? 0 : 1;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int rounds = 21;
    if (argc >= 4 && strcmp(argv[1], "--rounds") == 0)
        rounds = atoi(argv[2]), argv += 2, argc -= 2;
    bool lazy = argc == 3 && strcmp(argv[1], "--lazy") == 0;
    if (lazy)
        argv++, argc--;
    if (argc != 2 || rounds < 1 || rounds > 1000) {
        fprintf(stderr, "usage: instance_cost [--rounds N] [--lazy] FILE.wasm\n");
        return 2;
    }
    size_t n;
    uint8_t *buf = read_module(argv[1], &n);
    if (buf == NULL)
        return 1;
    wasm_module *m;
    wasm_linker *l;
    wc_error err;
    wasm_valtype p[4] = {WASM_I32, WASM_I32, WASM_I32, WASM_I32}, r[1] = {WASM_I32};
    wasm_limits lim = {.shared_code = !lazy, .lazy_compile = lazy};
    if (wasm_module_load(buf, n, &lim, &m, &err) < 0 || wasm_linker_new(&l, &err) < 0 ||
        wasm_linker_define_func(l, "wasi_snapshot_preview1", "fd_write", p, 4, r, 1, fake_fd_write,
                                NULL, &err) < 0) {
        fprintf(stderr, "load: %s\n", err.msg);
        return 1;
    }
    free(buf); /* the module keeps no pointer into it; the zygote keeps no copy of the file */
    double *v[4];
    for (int k = 0; k < 4; k++)
        v[k] = calloc((size_t)rounds, sizeof(double));
    for (int i = 0; i < rounds; i++) {
        int fds[2];
        if (pipe(fds) < 0)
            return 1;
        double t0 = clock_us(CLOCK_MONOTONIC);
        pid_t pid = fork();
        if (pid == 0)
            _exit(one_start(m, l, fds[1]));
        v[3][i] = clock_us(CLOCK_MONOTONIC) - t0;
        close(fds[1]);
        double out[3];
        ssize_t got = read(fds[0], out, sizeof(out));
        close(fds[0]);
        int st;
        if (pid < 0 || waitpid(pid, &st, 0) < 0 || got != (ssize_t)sizeof(out))
            return 1;
        for (int k = 0; k < 3; k++)
            v[k][i] = out[k];
    }
    for (int k = 0; k < 4; k++)
        qsort(v[k], (size_t)rounds, sizeof(double), cmp);
    printf("%.0f %.1f %.1f %.0f\n", v[3][rounds / 2], v[0][rounds / 2], v[1][rounds / 2],
           v[2][rounds / 2]);
    return 0;
}
