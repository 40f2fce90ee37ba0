/* ExecSync: an exec session (exec.c) without stdin whose output is collected here,
 * until both pipes close or the timeout passes (then the worker is killed). */
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

/* Reads both pipes until EOF; false when the deadline (ms, 0: none) passed first. */
static bool collect(int fds[2], int64_t deadline, wc_exec_result *res)
{
    struct pollfd p[2] = {{.fd = fds[0], .events = POLLIN}, {.fd = fds[1], .events = POLLIN}};
    char buf[65536];
    while (p[0].fd >= 0 || p[1].fd >= 0) {
        int wait = deadline ? (int)(deadline - now_ms()) : -1;
        if (deadline && wait <= 0)
            return false;
        if (poll(p, 2, wait) <= 0)
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
    int fds[2] = {wc_exec_stdout(s), wc_exec_stderr(s)};
    bool in_time = collect(fds, timeout_s > 0 ? now_ms() + timeout_s * 1000 : 0, res);
    if (!in_time)
        wc_exec_kill(sb, s);
    res->exit_code = wc_exec_wait(sb, s);
    wc_exec_free(sb, s);
    if (!in_time)
        return wc_error_set(err, -ETIMEDOUT, "exec %s timed out after %lld s", cmd[0],
                            (long long)timeout_s);
    return 0;
}
