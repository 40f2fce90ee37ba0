/* A container's stop signal: which one (chosen at CreateContainer) and what a stop with it
 * does to a WASI guest, which cannot catch, block or ignore any signal.
 *
 * The signal is the CRI ContainerConfig's stop_signal, else the image config's StopSignal,
 * else SIGTERM, kept by name ("SIGTERM", "SIGRTMIN+3"). A graceful stop acts as the kernel
 * acts on a process with no handler for the signal: a signal whose default action ends the
 * process (SIGTERM, SIGINT, SIGQUIT, SIGUSR1, ...) ends the guest at once, and its exit is
 * reported as such a process's, 128 + the signal's number (143 for SIGTERM); one whose
 * default is to ignore or to stop (SIGWINCH, SIGCHLD, SIGCONT, SIGURG, SIGSTOP, SIGTSTP, ...)
 * leaves it running until the grace period ends, and then it is killed (137).
 */
#ifndef WASMCRI_SANDBOX_STOP_SIGNAL_H
#define WASMCRI_SANDBOX_STOP_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "container.h"
#include "error.h"
#include "signals.h"
#include "store.h"

#define WC_DEFAULT_STOP_SIGNAL "SIGTERM"

/* The Linux number of a signal written as an image's StopSignal may be: "SIGTERM", "TERM",
 * "15", "SIGRTMIN+3", "RTMAX-1" (case-insensitive names). -EINVAL naming it otherwise. */
int wc_signal_parse(const char *text, int *ret_signo, wc_error *err);

/* The canonical name ("SIGTERM", "SIGRTMIN+3") of a signal number; NULL if it has none. */
const char *wc_signal_name(int signo);

/* Sets c->stop_signal at create from s and the image: -EINVAL naming a config's signal that
 * is not one, -ENOEXEC naming an image's StopSignal that is not one. */
int wc_stop_signal_choose(wc_container *c, const wc_container_spec *s, const wc_image *img,
                          wc_error *err);

#endif
