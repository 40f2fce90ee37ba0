/* Unit tests for wasm/wasi/cri_log: format, P/F splitting, partial lines at exit, interleaving,
 * reopen after rotation (also while two threads write), every line checked by kubelet's rules. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "cri_log.h"
#include "cri_log_parse.h"

static char dir[] = "/tmp/wasmcri-crilog-XXXXXX";

static void path_of(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

static int parse_one(const char *path, cri_parsed *p)
{
    char why[256];
    *p = (cri_parsed){0};
    if (cri_parse_file(path, p, why, sizeof(why)) < 0 ||
        cri_parse_finish(p, why, sizeof(why)) < 0) {
        fprintf(stderr, "%s: %s\n", path, why);
        return -1;
    }
    return 0;
}

static void test_time_format(void)
{
    char buf[64];
    size_t n = cri_log_format_time(1700000000123456789LL, buf, sizeof(buf));
    CHECK(strcmp(buf, "2023-11-14T22:13:20.123456789Z") == 0);
    CHECK_EQ_INT(n, 30);
    cri_log_format_time(5, buf, sizeof(buf));
    CHECK(strcmp(buf, "1970-01-01T00:00:00.000000005Z") == 0);
    cri_log_format_time(951868799999999999LL, buf, sizeof(buf)); /* a leap day's last ns */
    CHECK(strcmp(buf, "2000-02-29T23:59:59.999999999Z") == 0);
    cri_log_format_time(9223372036854775807LL, buf, sizeof(buf)); /* the last one there is */
    CHECK(strcmp(buf, "2262-04-11T23:47:16.854775807Z") == 0);
    CHECK_EQ_INT(cri_log_format_time(5, buf, 12), 30); /* cut short, as snprintf does */
    CHECK(strcmp(buf, "1970-01-01T") == 0);
}

static void test_lines_and_interleave(void)
{
    char path[256];
    path_of(path, sizeof(path), "basic.log");
    cri_log *log;
    wc_error err = {0};
    CHECK_EQ_INT(cri_log_open(path, &log, &err), 0);
    cri_log_write(log, CRI_LOG_STDOUT, "hello\nwor", 9, &err);
    cri_log_write(log, CRI_LOG_STDERR, "oops\n", 5, &err);
    cri_log_write(log, CRI_LOG_STDOUT, "ld\n\n", 4, &err);
    cri_log_write(log, CRI_LOG_STDERR, "tail without newline", 20, &err);
    cri_log_close(log);
    cri_parsed p;
    CHECK_EQ_INT(parse_one(path, &p), 0);
    CHECK_EQ_INT(p.n, 5);
    if (p.n == 5) {
        CHECK(p.msgs[0].stream == 0 && strcmp(p.msgs[0].text, "hello") == 0);
        CHECK(p.msgs[1].stream == 1 && strcmp(p.msgs[1].text, "oops") == 0);
        CHECK(p.msgs[2].stream == 0 && strcmp(p.msgs[2].text, "world") == 0);
        CHECK(p.msgs[3].stream == 0 && p.msgs[3].len == 0);
        CHECK(p.msgs[4].stream == 1 && strcmp(p.msgs[4].text, "tail without newline") == 0);
        CHECK_EQ_INT(p.msgs[4].records, 1);
    }
    cri_parsed_free(&p);
}

static void test_long_lines(void)
{
    char path[256];
    path_of(path, sizeof(path), "long.log");
    size_t big = 2 * CRI_LOG_MAX_LINE + 1000;
    char *buf = malloc(big + CRI_LOG_MAX_LINE + 2);
    for (size_t i = 0; i < big; i++)
        buf[i] = (char)('a' + i % 26);
    buf[big] = '\n';
    cri_log *log;
    wc_error err = {0};
    CHECK_EQ_INT(cri_log_open(path, &log, &err), 0);
    /* one long line fed in odd-sized pieces */
    for (size_t off = 0; off <= big;) {
        size_t n = big + 1 - off < 777 ? big + 1 - off : 777;
        CHECK_EQ_INT(cri_log_write(log, CRI_LOG_STDOUT, buf + off, n, &err), 0);
        off += n;
    }
    /* a line of exactly the limit is one F record */
    CHECK_EQ_INT(cri_log_write(log, CRI_LOG_STDERR, buf, CRI_LOG_MAX_LINE, &err), 0);
    CHECK_EQ_INT(cri_log_write(log, CRI_LOG_STDERR, "\n", 1, &err), 0);
    /* limit + 1 without newline: one P at close-time flush, then F with one byte */
    CHECK_EQ_INT(cri_log_write(log, CRI_LOG_STDOUT, buf, CRI_LOG_MAX_LINE + 1, &err), 0);
    cri_log_close(log);

    cri_parsed p;
    CHECK_EQ_INT(parse_one(path, &p), 0);
    CHECK_EQ_INT(p.n, 3);
    if (p.n == 3) {
        CHECK_EQ_INT(p.msgs[0].len, big);
        CHECK_EQ_INT(p.msgs[0].records, 3);
        CHECK(memcmp(p.msgs[0].text, buf, big) == 0);
        CHECK_EQ_INT(p.msgs[1].records, 1);
        CHECK_EQ_INT(p.msgs[1].len, CRI_LOG_MAX_LINE);
        CHECK_EQ_INT(p.msgs[2].records, 2);
        CHECK_EQ_INT(p.msgs[2].len, CRI_LOG_MAX_LINE + 1);
    }
    cri_parsed_free(&p);
    /* raw check of the first record: "<ts> stdout P <16384 bytes>\n" */
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    CHECK_EQ_INT(n, 30 + 10 + CRI_LOG_MAX_LINE + 1);
    CHECK(strncmp(line + 30, " stdout P ", 10) == 0);
    free(line);
    fclose(f);
    free(buf);
}

static void test_reopen(void)
{
    char path[256], rotated[256];
    path_of(path, sizeof(path), "rot.log");
    path_of(rotated, sizeof(rotated), "rot.log.1");
    cri_log *log;
    wc_error err = {0};
    CHECK_EQ_INT(cri_log_open(path, &log, &err), 0);
    cri_log_write(log, CRI_LOG_STDOUT, "before\nhalf-", 12, &err);
    CHECK_EQ_INT(rename(path, rotated), 0);
    cri_log_write(log, CRI_LOG_STDOUT, "way\n", 4, &err); /* still goes to the renamed file */
    CHECK_EQ_INT(cri_log_reopen(log, &err), 0);
    cri_log_write(log, CRI_LOG_STDOUT, "after\n", 6, &err);
    cri_log_close(log);
    cri_parsed p = {0};
    char why[256];
    CHECK_EQ_INT(cri_parse_file(rotated, &p, why, sizeof(why)), 0);
    CHECK_EQ_INT(p.n, 2);
    CHECK_EQ_INT(cri_parse_file(path, &p, why, sizeof(why)), 0);
    CHECK_EQ_INT(p.n, 3);
    if (p.n == 3)
        CHECK(strcmp(p.msgs[1].text, "half-way") == 0 && strcmp(p.msgs[2].text, "after") == 0);
    cri_parsed_free(&p);

    /* reopen into a directory that vanished fails, and the old file keeps working */
    char gone_dir[256], gone[300];
    path_of(gone_dir, sizeof(gone_dir), "gone");
    mkdir(gone_dir, 0755);
    snprintf(gone, sizeof(gone), "%s/x.log", gone_dir);
    CHECK_EQ_INT(cri_log_open(gone, &log, &err), 0);
    unlink(gone);
    rmdir(gone_dir);
    CHECK(cri_log_reopen(log, &err) == -ENOENT);
    CHECK(strstr(err.msg, "reopen container log") != NULL);
    CHECK_EQ_INT(cri_log_write(log, CRI_LOG_STDOUT, "x\n", 2, &err), 0);
    cri_log_close(log);
}

/* A file someone else opened takes over, a partial line kept across the switch. */
static void test_replace_fd(void)
{
    char path[256], other[256];
    path_of(path, sizeof(path), "fd.log");
    path_of(other, sizeof(other), "fd-new.log");
    cri_log *log;
    wc_error err = {0};
    CHECK_EQ_INT(cri_log_open(path, &log, &err), 0);
    cri_log_write(log, CRI_LOG_STDOUT, "one\ntw", 6, &err);
    int fd = open(other, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    CHECK(fd >= 0);
    CHECK_EQ_INT(cri_log_replace_fd(log, fd), 0);
    CHECK(fcntl(fd, F_GETFD) < 0); /* taken and closed */
    cri_log_write(log, CRI_LOG_STDOUT, "o\n", 2, &err);
    cri_log_close(log);
    cri_parsed p = {0};
    char why[256];
    CHECK_EQ_INT(cri_parse_file(path, &p, why, sizeof(why)), 0);
    CHECK(p.n == 1 && strcmp(p.msgs[0].text, "one") == 0);
    cri_parsed_free(&p);
    p = (cri_parsed){0};
    CHECK_EQ_INT(cri_parse_file(other, &p, why, sizeof(why)), 0);
    CHECK(p.n == 1 && strcmp(p.msgs[0].text, "two") == 0);
    cri_parsed_free(&p);
}

#define THREAD_LINES 3000

struct writer_arg {
    cri_log *log;
    cri_log_stream stream;
};

static void *writer(void *arg)
{
    struct writer_arg *w = arg;
    char line[64];
    for (int i = 0; i < THREAD_LINES; i++) {
        int n = snprintf(line, sizeof(line), "%s line %d\n", w->stream ? "err" : "out", i);
        /* write each line in two pieces so partial lines cross reopen points */
        cri_log_write(w->log, w->stream, line, 5, NULL);
        cri_log_write(w->log, w->stream, line + 5, (size_t)n - 5, NULL);
    }
    return NULL;
}

static void test_reopen_concurrent(void)
{
    char path[256];
    path_of(path, sizeof(path), "conc.log");
    cri_log *log;
    wc_error err = {0};
    CHECK_EQ_INT(cri_log_open(path, &log, &err), 0);
    struct writer_arg a = {log, CRI_LOG_STDOUT}, b = {log, CRI_LOG_STDERR};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, writer, &a);
    pthread_create(&tb, NULL, writer, &b);
    int rotations = 0;
    char rotated[300];
    for (; rotations < 20; rotations++) {
        usleep(500);
        snprintf(rotated, sizeof(rotated), "%s.%d", path, rotations);
        rename(path, rotated);
        CHECK_EQ_INT(cri_log_reopen(log, &err), 0);
    }
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    cri_log_close(log);

    cri_parsed p = {0};
    char why[256];
    int bad = 0;
    for (int i = 0; i <= rotations; i++) {
        if (i < rotations)
            snprintf(rotated, sizeof(rotated), "%s.%d", path, i);
        else
            snprintf(rotated, sizeof(rotated), "%s", path);
        if (cri_parse_file(rotated, &p, why, sizeof(why)) < 0) {
            fprintf(stderr, "%s: %s\n", rotated, why);
            bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(p.n, 2 * THREAD_LINES);
    int next[2] = {0, 0};
    int order_ok = 1;
    for (size_t i = 0; i < p.n; i++) {
        char want[64];
        int s = p.msgs[i].stream;
        snprintf(want, sizeof(want), "%s line %d", s ? "err" : "out", next[s]++);
        if (strcmp(want, p.msgs[i].text) != 0)
            order_ok = 0;
    }
    CHECK(order_ok);
    cri_parsed_free(&p);
}

int main(void)
{
    if (mkdtemp(dir) == NULL)
        return 1;
    test_time_format();
    test_lines_and_interleave();
    test_long_lines();
    test_reopen();
    test_replace_fd();
    test_reopen_concurrent();
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (check_failures == 0 && system(cmd) != 0)
        return 1;
    return CHECK_DONE();
}
