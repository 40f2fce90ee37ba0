/* wasm/zygote/reaper.h: 500 children cloned with the reaper's exit signal end at the same moment
 * (one closed pipe wakes them all; a fifth are killed by a signal instead of exiting), and
 * every one is reaped once, by its pid, with its own status; a child still running is not
 * reported; a child whose exit signal is lost (one that sends none) is found by the sweep. */
#include <errno.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "reaper.h"

#define CHILDREN 500

/* A child that waits for the pipe to close (wake_fd its read end), then exits with code (or is
 * killed, code < 0); it tells the zygote with exit_signal. */
static pid_t clone_child(int wake_fd, int code, int exit_signal)
{
    struct clone_args ca = {.exit_signal = (uint64_t)exit_signal};
    pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
    if (pid == 0) {
        char c;
        close_range(3, (unsigned)wake_fd - 1, 0); /* the pipes' write ends: theirs to close */
        close_range((unsigned)wake_fd + 1, ~0U, 0);
        while (read(wake_fd, &c, 1) < 0 && errno == EINTR) {
        }
        if (code < 0)
            raise(-code);
        _exit(code);
    }
    return pid;
}

static int expected(int i)
{
    return i % 5 == 4 ? -SIGTERM : i % 256;
}

static bool readable(const reaper *r)
{
    struct pollfd pfd = {.fd = r->sig_fd, .events = POLLIN};
    return poll(&pfd, 1, 10000) == 1;
}

int main(void)
{
    reaper r;
    wc_error err = {0};
    CHECK(reaper_init(&r, &err) == 0);
    int wake[2], hold[2];
    CHECK(pipe(wake) == 0 && pipe(hold) == 0);
    static pid_t pids[CHILDREN];
    for (int i = 0; i < CHILDREN; i++) {
        pids[i] = clone_child(wake[0], expected(i), reaper_exit_signal());
        CHECK(pids[i] > 0);
    }
    pid_t running = clone_child(hold[0], 0, reaper_exit_signal());
    close(wake[1]); /* every child but running wakes and ends now */

    int seen[CHILDREN] = {0}, reaped = 0, status;
    pid_t pid;
    while (reaped < CHILDREN && readable(&r)) {
        while (reaper_next(&r, &pid, &status)) {
            int i = 0;
            while (i < CHILDREN && pids[i] != pid)
                i++;
            CHECK(i < CHILDREN);
            if (i == CHILDREN)
                continue;
            seen[i]++;
            reaped++;
            int want = expected(i);
            CHECK(want < 0 ? WIFSIGNALED(status) && WTERMSIG(status) == -want
                           : WIFEXITED(status) && WEXITSTATUS(status) == want);
        }
    }
    CHECK_EQ_INT(reaped, CHILDREN);
    for (int i = 0; i < CHILDREN; i++)
        CHECK_EQ_INT(seen[i], 1);
    CHECK(!reaper_next(&r, &pid, &status)); /* running runs */

    close(hold[1]);
    CHECK(readable(&r));
    CHECK(reaper_next(&r, &pid, &status) && pid == running && WEXITSTATUS(status) == 0);

    int lost[2];
    CHECK(pipe(lost) == 0);
    pid_t silent = clone_child(lost[0], 7, 0); /* no exit signal: as one the queue dropped */
    close(lost[1]);
    CHECK(waitid(P_PID, (id_t)silent, &(siginfo_t){0}, WEXITED | WNOWAIT | __WALL) == 0);
    CHECK(!reaper_next(&r, &pid, &status));
    CHECK(reaper_sweep(&pid, &status) && pid == silent && WEXITSTATUS(status) == 7);
    CHECK(!reaper_sweep(&pid, &status));
    return CHECK_DONE();
}
