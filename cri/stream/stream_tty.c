/* A terminal's line discipline for exec and attach with a tty. A guest's "terminal" is a pipe
 * (WASI has no pty), so what a kernel pty does between a terminal emulator and a program is
 * done here: kubectl and crictl put the local terminal in raw mode and expect it. Input is
 * canonical (ICANON): a line goes to the guest when Enter ends it, CR read as NL (ICRNL), DEL
 * or BS erases the last character (a UTF-8 sequence as one), ^U the line, ^C drops it (a WASI
 * guest cannot be interrupted), ^D at a line's start is EOF; what is typed is echoed (ECHO,
 * ECHOE). Output gets CR before every NL (OPOST, ONLCR). A guest cannot change these settings
 * (no termios in WASI). */
#include "stream_tty.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { CTRL_C = 0x03, CTRL_D = 0x04, BS = 0x08, CTRL_U = 0x15, DEL = 0x7f };

/* The echo of one call's input, sent at once (not a frame per key). */
typedef struct echo_buf {
    char *s;
    size_t n;
} echo_buf;

static void echo(echo_buf *e, const char *s, size_t n)
{
    memcpy(e->s + e->n, s, n); /* room: 4 bytes per input byte (see tty_input) */
    e->n += n;
}

/* Erases the last character of the line (its UTF-8 continuation bytes with it). */
static void erase_one(tty_ldisc *t, echo_buf *e)
{
    if (t->n == 0)
        return;
    while (t->n > 1 && (t->line[t->n - 1] & 0xc0) == 0x80)
        t->n--;
    t->n--;
    echo(e, "\b \b", 3);
}

static int push_line(tty_ldisc *t, stdin_pump *in)
{
    int rc = stdin_pump_add(in, t->line, t->n);
    t->n = 0;
    return rc;
}

/* One typed byte; -1: the guest's budget is full. */
static int input_byte(tty_ldisc *t, unsigned char b, stdin_pump *in, echo_buf *e)
{
    if (b == '\r' || b == '\n') {
        echo(e, "\r\n", 2);
        t->line[t->n++] = '\n'; /* there is always room for it (see below) */
        return push_line(t, in);
    }
    if (b == DEL || b == BS) {
        erase_one(t, e);
    } else if (b == CTRL_U) { /* the erasing of a whole line: at most 3 bytes per byte of it */
        while (t->n)
            erase_one(t, e);
    } else if (b == CTRL_C) {
        t->n = 0;
        echo(e, "^C\r\n", 4);
    } else if (b == CTRL_D) {
        if (t->n == 0)
            in->eof = true;
        else
            return push_line(t, in); /* the guest reads what is there, without a newline */
    } else {
        t->line[t->n++] = b;
        echo(e, (const char *)&b, 1);
    }
    return t->n == TTY_LINE_MAX - 1 ? push_line(t, in) : 0; /* room for a newline is kept */
}

int tty_input(tty_ldisc *t, const unsigned char *buf, size_t n, stdin_pump *in, stream_conn *c)
{
    /* each byte echoes at most 4 bytes, ^U at most 3 per byte of a line typed before */
    echo_buf e = {.s = malloc(4 * n + 3 * TTY_LINE_MAX)};
    if (e.s == NULL)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && !in->eof && rc == 0; i++)
        rc = input_byte(t, buf[i], in, &e);
    if (e.n)
        c->ops->send(c, CH_STDOUT, e.s, e.n, NULL);
    free(e.s);
    return rc;
}

int tty_input_end(tty_ldisc *t, stdin_pump *in)
{
    return t->n ? push_line(t, in) : 0;
}

int tty_send_output(stream_conn *c, int ch, const char *buf, size_t n, wc_error *err)
{
    size_t lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += buf[i] == '\n';
    if (lines == 0)
        return c->ops->send(c, ch, buf, n, err);
    char *out = malloc(n + lines);
    if (out == NULL)
        return wc_error_set(err, -ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n')
            out[k++] = '\r';
        out[k++] = buf[i];
    }
    int rc = c->ops->send(c, ch, out, k, err);
    free(out);
    return rc;
}
