/* Reaping the zygote's children by their pidfds (see reaper.h). An event's data is the child's
 * pid and its pidfd; the pidfd is closed after the child is reaped, which takes it out of the
 * epoll set (nothing else holds that file: the spare unshares only the descriptors below it).
 */
#include "reaper.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

int reaper_init(reaper *r, wc_error *err)
{
    *r = (reaper){.epoll_fd = epoll_create1(EPOLL_CLOEXEC)};
    if (r->epoll_fd < 0)
        return wc_error_set_errno(err, -errno, "cannot make the zygote's epoll set of children");
    return 0;
}

int reaper_watch(reaper *r, pid_t pid, int pidfd, wc_error *err)
{
    struct epoll_event ev = {.events = EPOLLIN,
                             .data.u64 = (uint64_t)(uint32_t)pid << 32 | (uint32_t)pidfd};
    if (epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, pidfd, &ev) == 0)
        return 0;
    int e = errno;
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    close(pidfd);
    return wc_error_set_errno(err, -e, "cannot watch a worker (pid %d) for its exit", (int)pid);
}

/* The batch is refilled once per call at most: a pidfd is readable only once its child can be
 * reaped, and one that is not (got 0) is looked at again on the next call, not spun on. */
bool reaper_next(reaper *r, pid_t *ret_pid, int *ret_status)
{
    if (r->next == r->n) {
        int n = epoll_wait(r->epoll_fd, r->ended, REAPER_BATCH, 0);
        r->n = n > 0 ? (size_t)n : 0;
        r->next = 0;
    }
    while (r->next < r->n) {
        uint64_t data = r->ended[r->next++].data.u64;
        pid_t pid = (pid_t)(data >> 32);
        int status;
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == 0)
            continue;
        close((int)(uint32_t)data);
        if (got == pid) {
            *ret_pid = pid;
            *ret_status = status;
            return true;
        }
    }
    return false;
}
