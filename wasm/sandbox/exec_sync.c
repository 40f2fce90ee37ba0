/* ExecSync: an exec session (exec.c) without stdin whose output is collected here, until both
 * pipes close and the status is in, or the timeout passes (then the worker is killed). */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sandbox_int.h"

#define EXEC_OUTPUT_MAX (8 * 1024 * 1024)

static int append(char **buf, size_t *len, const char *data, size_t n)
{
    if (*len + n > EXEC_OUTPUT_MAX)
        n = EXEC_OUTPUT_MAX - *len;
    char *grown = realloc(*buf, *len + n + 1);
    if (grown == NULL)
        return -ENOMEM;
    memcpy(grown + *len, data, n);
    *len += n;
    grown[*len] = '\0';
    *buf = grown;
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the output pipes until EOF and takes the exit code from the status pipe as soon as it is
 * in (wc_exec_wait), all in one poll: the worker closes the output right before it writes its
 * status, so the end of an exec is one wake-up, not one per pipe. The status may come before the
 * output's EOF (a copy of a write end closed late): the output is then read on to its EOF.
 * False when the deadline (ms, 0: none) passed first. */
static bool collect(wc_sandbox *sb, wc_exec_session *s, int64_t deadline, wc_exec_result *res)
{
    struct pollfd p[3] = {{.fd = wc_exec_stdout(s), .events = POLLIN},
                          {.fd = wc_exec_stderr(s), .events = POLLIN},
                          {.fd = sb_exec_status_fd(s), .events = POLLIN}};
    char buf[65536];
    while (p[0].fd >= 0 || p[1].fd >= 0 || p[2].fd >= 0) {
        int wait = deadline ? (int)(deadline - now_ms()) : -1;
        if (deadline && wait <= 0)
            return false;
        if (poll(p, 3, wait) <= 0)
            continue;
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !p[i].revents)
                continue;
            ssize_t n = read(p[i].fd, buf, sizeof(buf));
            if (n <= 0) {
                p[i].fd = -1;
                continue;
            }
            if (i == 0)
                append(&res->out, &res->out_len, buf, (size_t)n);
            else
                append(&res->err, &res->err_len, buf, (size_t)n);
        }
        if (p[2].fd >= 0 && p[2].revents) { /* the result, or the worker's end */
            res->exit_code = wc_exec_wait(sb, s);
            p[2].fd = -1;
        }
    }
    return true;
}

int wc_container_exec(wc_sandbox *sb, const char *id, char *const *cmd, int64_t timeout_s,
                      wc_exec_result *res, wc_error *err)
{
    memset(res, 0, sizeof(*res));
    wc_exec_session *s = NULL;
    wc_exec_io io = {0};
    TRY(wc_exec_start(sb, id, cmd, &io, &s, err));
    bool in_time = collect(sb, s, timeout_s > 0 ? now_ms() + timeout_s * 1000 : 0, res);
    if (!in_time)
        wc_exec_kill(sb, s);
    res->exit_code = wc_exec_wait(sb, s);
    wc_exec_free(sb, s);
    if (!in_time)
        return wc_error_set(err, -ETIMEDOUT, "exec %s timed out after %lld s", cmd[0],
                            (long long)timeout_s);
    return 0;
}
