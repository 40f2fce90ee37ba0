/* probe.wasm: the runtime tests' one program (one module, so the zygote's cache is
 * exercised), driven by its arguments:
 *   hello            "hello from wasm" on stdout, "hello on stderr" on stderr
 *   args             each argument on its own line
 *   env NAME...      NAME=value lines ("NAME unset" when absent)
 *   pwd              the working directory
 *   cat PATH         the file's bytes, or "error: ..." and exit 1
 *   await PATH       waits (10 ms steps, up to 60 s) until PATH has content, then cats it
 *   write PATH TEXT  creates/truncates PATH with TEXT; "wrote" or "error: ..." and exit 1
 *   rm PATH          removes the file (exit 1 when it cannot)
 *   exit N           exit code N
 *   trap             an unreachable trap
 *   spin             an endless loop (for StopContainer)
 *   sleep SECONDS    sleeps in poll_oneoff, printing "sleeping" first
 *   burn MS          spins for MS milliseconds of CPU, then exits 0
 *   alloc MB         grows memory by MB MiB, touching it; "ok" or "alloc failed"
 *   lines N          N numbered lines, one every 100 ms
 *   echo             each line of stdin back on stdout as "echo: LINE" at once; at EOF
 *                    "stdin closed" on stderr
 *   swap PATH LINK SRC SECONDS  for SECONDS, PATH is by turns a fresh copy of SRC and a
 *                    symlink to LINK (each put in place by a rename); "swapped N" at the end
 * Several commands may follow one another, separated by "--".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int cmd_cat(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        printf("error: %s: %s\n", path, strerror(errno));
        return 1;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, stdout);
    fclose(f);
    return 0;
}

/* Content, not existence: a writer creates the file before it writes to it. */
static int cmd_await(const char *path)
{
    struct stat st;
    for (int i = 0; i < 6000 && (stat(path, &st) < 0 || st.st_size == 0); i++)
        usleep(10000);
    return cmd_cat(path);
}

static int cmd_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        printf("error: %s: %s\n", path, strerror(errno));
        return 1;
    }
    printf("wrote %s\n", path);
    return 0;
}

static long long now_ms(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmd_echo(void)
{
    char line[4096];
    while (fgets(line, sizeof(line), stdin)) {
        printf("echo: %s", line);
        fflush(stdout);
    }
    fprintf(stderr, "stdin closed\n");
    return 0;
}

static char *volatile kept[4096]; /* keeps the allocations alive for the optimiser */

static int cmd_alloc(int mb)
{
    for (int i = 0; i < mb && i < 4096; i++) {
        char *p = malloc(1 << 20);
        if (p == NULL) {
            printf("alloc failed after %d MiB\n", i);
            return 1;
        }
        for (int k = 0; k < (1 << 20); k += 4096)
            ((volatile char *)p)[k] = 1;
        kept[i] = p;
    }
    printf("ok\n");
    return 0;
}

static int put_copy(const char *path, const char *tmp, const char *bytes, size_t n)
{
    FILE *f = fopen(tmp, "w");
    if (f == NULL || fwrite(bytes, 1, n, f) != n || fclose(f) != 0)
        return -1;
    return rename(tmp, path);
}

static int put_link(const char *path, const char *tmp, const char *link)
{
    unlink(tmp);
    return symlink(link, tmp) < 0 ? -1 : rename(tmp, path);
}

/* The ExecSync escape's attacker: PATH flips between a real module and a link. */
static int cmd_swap(const char *path, const char *link, const char *src, const char *seconds)
{
    char *bytes = malloc(1 << 20); /* not static: the memory cap tests count initial pages */
    FILE *f = fopen(src, "r");
    size_t n = f && bytes ? fread(bytes, 1, 1 << 20, f) : 0;
    if (f)
        fclose(f);
    char tmp[512];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    long long until = now_ms(CLOCK_MONOTONIC) + atoll(seconds) * 1000;
    long swaps = 0;
    while (n > 0 && now_ms(CLOCK_MONOTONIC) < until) {
        if (put_copy(path, tmp, bytes, n) < 0 || put_link(path, tmp, link) < 0) {
            printf("error: %s: %s\n", path, strerror(errno));
            return 1;
        }
        swaps++;
    }
    printf("swapped %ld\n", swaps);
    return n > 0 ? 0 : 1;
}

/* Runs one command starting at argv[i]; returns its exit code and sets *next. */
static int run(int argc, char **argv, int i, int *next)
{
    const char *c = argv[i];
    int end = i + 1;
    while (end < argc && strcmp(argv[end], "--") != 0)
        end++;
    *next = end + 1;
    const char *a1 = i + 1 < end ? argv[i + 1] : "";
    const char *a2 = i + 2 < end ? argv[i + 2] : "";
    if (strcmp(c, "hello") == 0) {
        printf("hello from wasm\n");
        fprintf(stderr, "hello on stderr\n");
        return 0;
    }
    if (strcmp(c, "args") == 0) {
        for (int k = 0; k < argc; k++)
            printf("%s\n", argv[k]);
        return 0;
    }
    if (strcmp(c, "env") == 0) {
        for (int k = i + 1; k < end; k++) {
            const char *v = getenv(argv[k]);
            if (v)
                printf("%s=%s\n", argv[k], v);
            else
                printf("%s unset\n", argv[k]);
        }
        return 0;
    }
    if (strcmp(c, "pwd") == 0) {
        char buf[1024];
        printf("%s\n", getcwd(buf, sizeof(buf)) ? buf : "?");
        return 0;
    }
    if (strcmp(c, "cat") == 0)
        return cmd_cat(a1);
    if (strcmp(c, "await") == 0)
        return cmd_await(a1);
    if (strcmp(c, "write") == 0)
        return cmd_write(a1, a2);
    if (strcmp(c, "rm") == 0)
        return unlink(a1) == 0 ? 0 : 1;
    if (strcmp(c, "exit") == 0) {
        fflush(stdout);
        exit(atoi(a1));
    }
    if (strcmp(c, "trap") == 0)
        __builtin_trap();
    if (strcmp(c, "spin") == 0) {
        fflush(stdout);
        for (volatile unsigned long n = 0;; n++) {
        }
    }
    if (strcmp(c, "sleep") == 0) {
        printf("sleeping\n");
        fflush(stdout);
        sleep((unsigned)atoi(a1));
        return 0;
    }
    if (strcmp(c, "burn") == 0) {
        long long until = now_ms(CLOCK_MONOTONIC) + atoll(a1);
        while (now_ms(CLOCK_MONOTONIC) < until) {
        }
        return 0;
    }
    if (strcmp(c, "alloc") == 0)
        return cmd_alloc(atoi(a1));
    if (strcmp(c, "lines") == 0) {
        for (int k = 1; k <= atoi(a1); k++) {
            printf("line %d\n", k);
            fflush(stdout);
            usleep(100000);
        }
        return 0;
    }
    if (strcmp(c, "echo") == 0)
        return cmd_echo();
    if (strcmp(c, "swap") == 0)
        return cmd_swap(a1, a2, i + 3 < end ? argv[i + 3] : "", i + 4 < end ? argv[i + 4] : "0");
    fprintf(stderr, "probe: unknown command %s\n", c);
    return 2;
}

int main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc;) {
        int next;
        rc = run(argc, argv, i, &next);
        if (rc != 0)
            return rc;
        i = next;
    }
    return rc;
}
