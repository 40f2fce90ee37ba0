/* The applet contract of the toolbox (toolbox.wasm, one multi-call WASI program).
 *
 * An applet is one function `int applet_NAME(tb_io *io, int argc, char **argv)` in
 * applets/NAME.c, listed as APPLET(NAME) in applets.def. It returns its exit status and:
 * - never calls exit() and keeps no state between calls (sh calls applets many times in one
 *   instance: reset every static, free what it allocates);
 * - reads only io->in and writes only io->out / io->err (sh points them at pipes and files);
 * - prints errors as `NAME: message` (busybox's form), with tb_err()/tb_perror();
 * - parses options with tb_getopt() (a getopt reset for each call whose messages go to io->err),
 *   after tb_getopt_reset().
 * argv[0] is the applet's name as it was called (`[` for test, `sh` for /bin/sh). */
#ifndef WASMCRI_TOOLBOX_APPLET_H
#define WASMCRI_TOOLBOX_APPLET_H

#include <stdio.h>
#include <unistd.h> /* optind, optarg for tb_getopt */

typedef struct tb_io {
    FILE *in, *out, *err;
} tb_io; /* the applet's stdio */

typedef int tb_applet(tb_io *io, int argc, char **argv); /* returns the exit status */

#define APPLET(name) tb_applet applet_##name;
#define APPLET_ALIAS(name, func)
#include "applets.def"
#undef APPLET
#undef APPLET_ALIAS

/* The applet called NAME (an alias included), or NULL. */
tb_applet *tb_find_applet(const char *name);

/* Runs the applet named by argv[0] (its basename) with io; 127 and `sh: NAME: not found`
 * style message from the caller when there is none (returns -1 then, printing nothing). */
int tb_run_applet(tb_io *io, int argc, char **argv);

/* Resets getopt for a new parse of argv (musl and glibc both restart at optind 0). */
void tb_getopt_reset(void);

/* getopt(3) on argv with opts, printing its complaints to io->err as
 * `NAME: invalid option -- 'x'` / `NAME: option requires an argument -- 'x'` ('?' returned). */
int tb_getopt(tb_io *io, int argc, char **argv, const char *opts);

/* The deadline `timeout` gives the applet it runs (CLOCK_MONOTONIC, ms; 0: none): there is no
 * process to kill inside one instance, so applets that wait (sleep, top) end at it. */
extern long long tb_deadline_ms;

/* Milliseconds on CLOCK_MONOTONIC. */
long long tb_now_ms(void);

/* Sleeps ms (TB_FOREVER_MS of numbers.h: until the instance ends), or until tb_deadline_ms if
 * that comes first; false when the deadline cut it short. */
int tb_sleep_ms(long long ms);

/* `NAME: message\n` on io->err (printf format). */
void tb_err(tb_io *io, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* `NAME: WHAT: strerror(errno)\n` on io->err (WHAT may be NULL: `NAME: strerror`). */
void tb_perror(tb_io *io, const char *name, const char *what);

#endif
