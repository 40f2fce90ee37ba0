/* The line discipline of a terminal whose guest side is a pipe (stream_tty.c). */
#ifndef WASMCRI_CRI_STREAM_TTY_H
#define WASMCRI_CRI_STREAM_TTY_H

#include <stddef.h>

#include "stream_conn.h"
#include "stream_stdin.h"

#define TTY_LINE_MAX 4096 /* as Linux's N_TTY: a longer line goes to the guest as it is */

typedef struct tty_ldisc {
    unsigned char line[TTY_LINE_MAX]; /* the line being typed, not yet the guest's */
    size_t n;
} tty_ldisc;

/* What the client typed (n bytes, a terminal in raw mode): completed lines go to in (Enter is
 * CR or NL), the echo to the client's stdout channel; ^D at the start of a line sets in->eof.
 * -1 when in is over its budget (stdin_pump_add). */
int tty_input(tty_ldisc *t, const unsigned char *buf, size_t n, stdin_pump *in, stream_conn *c);

/* The client closed stdin: what was typed of a line goes to the guest as it is. */
int tty_input_end(tty_ldisc *t, stdin_pump *in);

/* Sends the guest's output on ch with every NL as CR NL (a raw terminal moves down only). */
int tty_send_output(stream_conn *c, int ch, const char *buf, size_t n, wc_error *err);

#endif
