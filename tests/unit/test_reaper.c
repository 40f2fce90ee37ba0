/* wasm/zygote/reaper.h: 500 children cloned with pidfds end at the same moment (one closed
 * pipe wakes them all; a fifth are killed by a signal instead of exiting) and every one is
 * reaped once, with its own status, through the epoll set; a watched child still running is
 * not reported, nor an unwatched child that ended (it stays for its own waitpid); a pidfd that
 * cannot be watched fails with the child killed and reaped. */
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
 * killed, code < 0). */
static pid_t clone_child(int wake_fd, int code, int *ret_pidfd)
{
    struct clone_args ca = {
        .flags = CLONE_PIDFD, .pidfd = (uintptr_t)ret_pidfd, .exit_signal = SIGCHLD};
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

int main(void)
{
    reaper r;
    wc_error err = {0};
    CHECK(reaper_init(&r, &err) == 0);
    int wake[2], hold[2];
    CHECK(pipe(wake) == 0 && pipe(hold) == 0);
    static pid_t pids[CHILDREN];
    for (int i = 0; i < CHILDREN; i++) {
        int pidfd = -1;
        pids[i] = clone_child(wake[0], expected(i), &pidfd);
        CHECK(pids[i] > 0 && pidfd >= 0);
        CHECK(reaper_watch(&r, pids[i], pidfd, &err) == 0);
    }
    int pidfd = -1;
    pid_t running = clone_child(hold[0], 0, &pidfd);
    CHECK(reaper_watch(&r, running, pidfd, &err) == 0);
    pid_t unwatched = fork();
    if (unwatched == 0)
        _exit(7);
    close(wake[1]); /* every child but running wakes and ends now */

    int seen[CHILDREN] = {0}, reaped = 0, status;
    pid_t pid;
    while (reaped < CHILDREN) {
        struct pollfd pfd = {.fd = r.epoll_fd, .events = POLLIN};
        if (poll(&pfd, 1, 10000) <= 0)
            break;
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
    CHECK(!reaper_next(&r, &pid, &status)); /* running runs; unwatched is not ours to reap */
    CHECK(waitpid(unwatched, &status, 0) == unwatched && WEXITSTATUS(status) == 7);

    close(hold[1]);
    struct pollfd pfd = {.fd = r.epoll_fd, .events = POLLIN};
    CHECK(poll(&pfd, 1, 10000) == 1);
    CHECK(reaper_next(&r, &pid, &status) && pid == running && WEXITSTATUS(status) == 0);

    int never[2];
    CHECK(pipe(never) == 0);
    pid_t orphan = clone_child(never[0], 0, &pidfd);
    close(pidfd);
    CHECK(reaper_watch(&r, orphan, pidfd, &err) == -EBADF);          /* a closed descriptor */
    CHECK(waitpid(orphan, &status, WNOHANG) < 0 && errno == ECHILD); /* killed and reaped */
    return CHECK_DONE();
}
