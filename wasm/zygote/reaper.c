/* Reaping the zygote's children by the pids their queued exit signals carry (see reaper.h).
 * The signalfd only wakes the loop: the signals are taken with sigtimedwait, whose siginfo_t
 * has si_pid (a signalfd record of a realtime signal with a child-exit code does not fill
 * ssi_pid). __WALL: a child whose exit signal is not SIGCHLD is a "clone" child, which waitpid
 * skips without it. A signal whose pid is no child that ended (one sent by hand by a process of
 * the same user) falls back to a sweep: nothing depends on the pid being there.
 */
#include "reaper.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int reaper_exit_signal(void)
{
    return SIGRTMIN + 1;
}

/* As far as the zygote may: up to unlimited with CAP_SYS_RESOURCE, else to the hard limit. */
static void raise_sigpending(void)
{
    struct rlimit lim = {.rlim_cur = RLIM_INFINITY, .rlim_max = RLIM_INFINITY};
    if (setrlimit(RLIMIT_SIGPENDING, &lim) == 0 || getrlimit(RLIMIT_SIGPENDING, &lim) < 0)
        return;
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_SIGPENDING, &lim);
}

int reaper_init(reaper *r, wc_error *err)
{
    sigemptyset(&r->mask);
    sigaddset(&r->mask, reaper_exit_signal());
    sigprocmask(SIG_BLOCK, &r->mask, NULL);
    raise_sigpending();
    r->sig_fd = signalfd(-1, &r->mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (r->sig_fd < 0)
        return wc_error_set_errno(err, -errno, "cannot open the zygote's signalfd for exits");
    return 0;
}

bool reaper_next(reaper *r, pid_t *ret_pid, int *ret_status)
{
    static const struct timespec no_wait = {0, 0};
    siginfo_t si;
    while (sigtimedwait(&r->mask, &si, &no_wait) > 0) {
        pid_t pid = si.si_pid;
        if (pid > 0 && waitpid(pid, ret_status, __WALL | WNOHANG) == pid) {
            *ret_pid = pid;
            return true;
        }
        if (reaper_sweep(ret_pid, ret_status))
            return true;
    }
    return false;
}

bool reaper_sweep(pid_t *ret_pid, int *ret_status)
{
    pid_t pid = waitpid(-1, ret_status, __WALL | WNOHANG);
    if (pid <= 0)
        return false;
    *ret_pid = pid;
    return true;
}
