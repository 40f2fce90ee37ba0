/* numbers.h: operands that are numbers, read without C's undefined conversions: busybox's
 * durations (sleep, timeout), seconds to milliseconds with "forever" for inf and for values no
 * clock reaches, and whole numbers checked or clamped to a range (in place of atoi). */
#ifndef WASMCRI_TOOLBOX_NUMBERS_H
#define WASMCRI_TOOLBOX_NUMBERS_H

#include <limits.h>
#include <stdbool.h>

#include "applet.h"

/* tb_sleep_ms(TB_FOREVER_MS) sleeps until the instance ends (or timeout's deadline). */
#define TB_FOREVER_MS LLONG_MAX

/* A busybox duration: N[.N][s|m|h|d] (no sign, no exponent). 0 and *ret in seconds, or 1
 * with busybox's message on io->err: `NAME: invalid number 'S'`, `NAME: number S is not in
 * 0..18446744073709551615 range`, or the usage line for a malformed decimal. */
int tb_parse_duration(tb_io *io, const char *name, const char *usage, const char *s, double *ret);

/* Seconds to milliseconds: 0 for negatives and NaN, TB_FOREVER_MS for infinity and anything
 * longer than a hundred million years. */
long long tb_secs_to_ms(double secs);

/* tb_secs_to_ms clamped to an int (a poll(2) timeout). */
int tb_secs_to_ms_int(double secs);

/* All of S (base 10, an optional sign) into *ret; false when S is empty, has anything else, or
 * is outside long long. */
bool tb_parse_ll(const char *s, long long *ret);

/* atoi(S) without its undefined overflow: S's leading number, clamped to [lo, hi] (0 when S
 * starts with none). */
int tb_atoi_clamp(const char *s, int lo, int hi);

#endif
