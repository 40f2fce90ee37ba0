/* numbers.c: the toolbox's number operands (see numbers.h). */
#include "numbers.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    char suffix;
    unsigned long long mult;
} duration_suffixes[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};

/* busybox's xatoul_sfx: digits with an optional suffix, into *ret; 0, or 1 said. */
static int whole_with_suffix(tb_io *io, const char *name, const char *s, unsigned long long *ret)
{
    if (*s < '0' || *s > '9') {
        tb_err(io, name, "invalid number '%s'", s);
        return 1;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) {
        tb_err(io, name, "invalid number '%s'", s);
        return 1;
    }
    if (*end == '\0') {
        *ret = v;
        return 0;
    }
    for (size_t i = 0; i < sizeof(duration_suffixes) / sizeof(duration_suffixes[0]); i++) {
        if (end[0] == duration_suffixes[i].suffix && end[1] == '\0') {
            if (v > ULLONG_MAX / duration_suffixes[i].mult) {
                tb_err(io, name, "number %s is not in 0..%llu range", s, ULLONG_MAX);
                return 1;
            }
            *ret = v * duration_suffixes[i].mult;
            return 0;
        }
    }
    tb_err(io, name, "invalid number '%s'", s);
    return 1;
}

int tb_parse_duration(tb_io *io, const char *name, const char *usage, const char *s, double *ret)
{
    unsigned long long whole;
    if (!strchr(s, '.')) {
        if (whole_with_suffix(io, name, s, &whole))
            return 1;
        *ret = (double)whole;
        return 0;
    }
    /* busybox: the leading [0-9.] run is a decimal, the rest a suffix checked as "1SUFFIX" */
    size_t len = strspn(s, "0123456789.");
    if (len == 0) {
        tb_err(io, name, "invalid number '%s'", s);
        return 1;
    }
    char number[64], suffix[64];
    if (len >= sizeof(number) || strlen(s + len) + 2 > sizeof(suffix)) {
        tb_err(io, name, "invalid number '%s'", s);
        return 1;
    }
    memcpy(number, s, len);
    number[len] = '\0';
    char *end;
    errno = 0;
    double d = strtod(number, &end);
    if (errno || *end) {
        fprintf(io->err, "Usage: %s %s\n", name, usage);
        return 1;
    }
    snprintf(suffix, sizeof(suffix), "1%s", s + len);
    if (whole_with_suffix(io, name, suffix, &whole))
        return 1;
    *ret = d * (double)whole;
    return 0;
}

long long tb_secs_to_ms(double secs)
{
    if (!(secs > 0))
        return 0;
    if (secs >= 3.2e15) /* a hundred million years: past it, and at inf, forever */
        return TB_FOREVER_MS;
    return (long long)(secs * 1000);
}

int tb_secs_to_ms_int(double secs)
{
    long long ms = tb_secs_to_ms(secs);
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

bool tb_parse_ll(const char *s, long long *ret)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno == ERANGE)
        return false;
    *ret = v;
    return true;
}

int tb_atoi_clamp(const char *s, int lo, int hi)
{
    long long v = strtoll(s, NULL, 10); /* saturates at LLONG_MIN/MAX: defined */
    return v < lo ? lo : v > hi ? hi : (int)v;
}
