/* Linux signals by name and number, and what each does by default to a process with no
 * handler for it. Plain C with the Linux numbers written out (no <signal.h>), so that the
 * daemon (stop signals), the zygote (a guest's kill) and toolbox.wasm (`kill -l`, `kill -s`)
 * share one table.
 *
 * Names are written without "SIG" here; realtime signals count from glibc's SIGRTMIN (34) to
 * SIGRTMAX (64), as Docker and containerd number them ("RTMIN+3"). */
#ifndef WASMCRI_COMMON_SIGNALS_H
#define WASMCRI_COMMON_SIGNALS_H

#include <stdbool.h>
#include <stddef.h>

#define WC_SIGNAL_MAX 64

/* The number of "SIGTERM", "TERM", "15", "SIGRTMIN+3", "RTMAX-1" (names case-insensitive);
 * 0 when text names no signal. */
int wc_signal_number(const char *text);

/* The canonical name, "SIG" included ("SIGTERM", "SIGRTMIN+3"), into buf; NULL (buf untouched)
 * when signo has none. */
const char *wc_signal_format(int signo, char *buf, size_t n);

/* True when the signal's default action ends the process (Term or Core). */
bool wc_signal_terminates(int signo);

#endif
