/* Stop signals (stop_signal.h; the names and default actions are common/signals.h's), and
 * StopContainer with a grace period (wc_container_stop_graceful in sandbox.h).
 *
 * Names follow the CRI's Signal enum and Docker's image StopSignal spelling. The guest is never
 * sent the signal itself (the worker's own handlers, such as SIGHUP for a log reopen, are not
 * the guest's): the zygote kills the worker and reports the exit a process without a handler
 * would have had (zygote.c, op "kill" with "signal").
 */
#include "stop_signal.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sandbox_int.h"

int wc_signal_parse(const char *text, int *ret_signo, wc_error *err)
{
    int signo = wc_signal_number(text);
    if (signo == 0)
        return wc_error_set(err, -EINVAL, "stop signal \"%.64s\" is not a signal", text);
    *ret_signo = signo;
    return 0;
}

const char *wc_signal_name(int signo)
{
    static __thread char buf[24];
    return wc_signal_format(signo, buf, sizeof(buf));
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
    int rc = sb_wait_start_outcome(sb, id, err);
    if (rc == 0)
        rc = sb_find_ctr(sb, id, &c, err);
    if (rc < 0 && rc != -ENOENT) { /* still starting: wc_container_stop would wait again */
        pthread_mutex_unlock(&sb->mu);
        return rc;
    }
    bool running = rc == 0 && c->state == WC_CTR_RUNNING;
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
