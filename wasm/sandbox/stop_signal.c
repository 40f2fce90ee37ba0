/* Signal names and default actions for stop signals (stop_signal.h), and StopContainer with
 * a grace period (wc_container_stop_graceful in sandbox.h).
 *
 * Names follow the CRI's Signal enum and Docker's image StopSignal spelling; realtime
 * signals count from glibc's SIGRTMIN (34) and SIGRTMAX (64), as Docker and containerd
 * number them. The guest is never sent the signal itself (the worker's own handlers, such
 * as SIGHUP for a log reopen, are not the guest's): the zygote kills the worker and reports
 * the exit a process without a handler would have had (zygote.c, op "kill" with "signal").
 */
#include "stop_signal.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sandbox_int.h"

typedef struct signal_def {
    const char *name; /* without "SIG" */
    int signo;
    bool terminates;
} signal_def;

static const signal_def signals[] = {
    {"ABRT", SIGABRT, true},     {"ALRM", SIGALRM, true},     {"BUS", SIGBUS, true},
    {"CHLD", SIGCHLD, false},    {"CLD", SIGCHLD, false},     {"CONT", SIGCONT, false},
    {"FPE", SIGFPE, true},       {"HUP", SIGHUP, true},       {"ILL", SIGILL, true},
    {"INT", SIGINT, true},       {"IO", SIGIO, true},         {"IOT", SIGABRT, true},
    {"KILL", SIGKILL, true},     {"PIPE", SIGPIPE, true},     {"POLL", SIGIO, true},
    {"PROF", SIGPROF, true},     {"PWR", SIGPWR, true},       {"QUIT", SIGQUIT, true},
    {"SEGV", SIGSEGV, true},     {"STKFLT", SIGSTKFLT, true}, {"STOP", SIGSTOP, false},
    {"SYS", SIGSYS, true},       {"TERM", SIGTERM, true},     {"TRAP", SIGTRAP, true},
    {"TSTP", SIGTSTP, false},    {"TTIN", SIGTTIN, false},    {"TTOU", SIGTTOU, false},
    {"URG", SIGURG, false},      {"USR1", SIGUSR1, true},     {"USR2", SIGUSR2, true},
    {"VTALRM", SIGVTALRM, true}, {"WINCH", SIGWINCH, false},  {"XCPU", SIGXCPU, true},
    {"XFSZ", SIGXFSZ, true},
};

#define N_SIGNALS (sizeof(signals) / sizeof(signals[0]))
#define RT_MIN 34 /* glibc's SIGRTMIN: the kernel's 32 and 33 are the C library's own */
#define RT_MAX 64

/* "RTMIN", "RTMIN+3", "RTMAX-1": its number, or 0. */
static int realtime(const char *name)
{
    int base = strncasecmp(name, "RTMIN", 5) == 0   ? RT_MIN
               : strncasecmp(name, "RTMAX", 5) == 0 ? RT_MAX
                                                    : 0;
    if (base == 0)
        return 0;
    const char *rest = name + 5;
    if (*rest == '\0')
        return base;
    if ((*rest != '+' && *rest != '-') || !isdigit((unsigned char)rest[1]))
        return 0;
    char *end;
    long off = strtol(rest + 1, &end, 10);
    long n = *rest == '+' ? base + off : base - off;
    return *end == '\0' && off <= RT_MAX - RT_MIN && n >= RT_MIN && n <= RT_MAX ? (int)n : 0;
}

int wc_signal_parse(const char *text, int *ret_signo, wc_error *err)
{
    const char *name = strncasecmp(text, "SIG", 3) == 0 ? text + 3 : text;
    int signo = 0;
    if (isdigit((unsigned char)*text)) {
        char *end;
        long n = strtol(text, &end, 10);
        signo = *end == '\0' && n >= 1 && n <= RT_MAX && wc_signal_name((int)n) ? (int)n : 0;
    } else {
        for (size_t i = 0; signo == 0 && i < N_SIGNALS; i++)
            if (strcasecmp(signals[i].name, name) == 0)
                signo = signals[i].signo;
        if (signo == 0)
            signo = realtime(name);
    }
    if (signo == 0)
        return wc_error_set(err, -EINVAL, "stop signal \"%.64s\" is not a signal", text);
    *ret_signo = signo;
    return 0;
}

const char *wc_signal_name(int signo)
{
    static __thread char buf[24];
    for (size_t i = 0; i < N_SIGNALS; i++)
        if (signals[i].signo == signo) {
            snprintf(buf, sizeof(buf), "SIG%s", signals[i].name);
            return buf;
        }
    if (signo < RT_MIN || signo > RT_MAX)
        return NULL;
    if (signo - RT_MIN <= RT_MAX - signo)
        snprintf(buf, sizeof(buf), signo == RT_MIN ? "SIGRTMIN" : "SIGRTMIN+%d", signo - RT_MIN);
    else
        snprintf(buf, sizeof(buf), signo == RT_MAX ? "SIGRTMAX" : "SIGRTMAX-%d", RT_MAX - signo);
    return buf;
}

bool wc_signal_terminates(int signo)
{
    for (size_t i = 0; i < N_SIGNALS; i++)
        if (signals[i].signo == signo)
            return signals[i].terminates;
    return signo >= RT_MIN && signo <= RT_MAX; /* realtime signals: Term */
}

int wc_stop_signal_choose(wc_container *c, const wc_container_spec *s, const wc_image *img,
                          wc_error *err)
{
    int signo = SIGTERM;
    if (s->stop_signal && *s->stop_signal)
        TRY(wc_signal_parse(s->stop_signal, &signo, err));
    else if (*img->stop_signal && wc_signal_parse(img->stop_signal, &signo, NULL) < 0)
        return wc_error_set(err, -ENOEXEC, "image %s: its StopSignal \"%.64s\" is not a signal",
                            c->image, img->stop_signal);
    if (wc_container_set(&c->stop_signal, wc_signal_name(signo)) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    return 0;
}

/* ---- StopContainer with a grace period ---- */

/* The zygote ends the worker and reports it as ended by signo. */
static int kill_with(wc_sandbox *sb, const char *id, int signo, wc_error *err)
{
    json_t *req = json_pack("{s:s, s:s, s:i}", "op", "kill", "id", id, "signal", signo);
    json_t *reply = NULL;
    if (req == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    int rc = sb->zygote ? zc_request(sb->zygote, req, NULL, 0, &reply, err)
                        : wc_error_set(err, -EAGAIN, "no zygote is connected");
    json_decref(req);
    json_decref(reply);
    return rc;
}

/* Waits (mu held) until the container no longer runs or timeout_s passed. */
static void wait_exit(wc_sandbox *sb, const char *id, int64_t timeout_s)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_s;
    wc_container *c = NULL;
    while (sb_find_ctr(sb, id, &c, NULL) == 0 && c->state == WC_CTR_RUNNING)
        if (pthread_cond_timedwait(&sb->changed, &sb->mu, &deadline) != 0)
            return;
}

int wc_container_stop_graceful(wc_sandbox *sb, const char *id, int64_t timeout_s, wc_error *err)
{
    wc_container *c = NULL;
    char cid[WC_ID_SIZE];
    int signo = SIGKILL;
    pthread_mutex_lock(&sb->mu);
    int rc = sb_find_ctr(sb, id, &c, err);
    bool running = rc == 0 && c->state == WC_CTR_RUNNING && !c->starting;
    if (running) {
        memcpy(cid, c->id, WC_ID_SIZE);
        if (wc_signal_parse(*c->stop_signal ? c->stop_signal : WC_DEFAULT_STOP_SIGNAL, &signo,
                            NULL) < 0)
            signo = SIGTERM;
    }
    if (running && timeout_s > 0 && !wc_signal_terminates(signo))
        wait_exit(sb, cid, timeout_s); /* the guest goes on as if nothing was sent */
    pthread_mutex_unlock(&sb->mu);
    if (running && timeout_s > 0 && wc_signal_terminates(signo))
        TRY(kill_with(sb, cid, signo, err));
    return wc_container_stop(sb, id, err); /* waits for the exit; kills what still runs */
}
