/* printf FORMAT [ARG]...: POSIX printf: %d %i %u %o %x %X %c %s %b %f %e %g %% with flags,
 * width and precision (also *), backslash escapes in FORMAT, the format reused while arguments
 * are left. A bad number prints an error and makes the status 1, as busybox does. */
#include "applet.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct pf {
    tb_io *io;
    const char *name;
    int status;
} pf;

/* One backslash escape at s (after the backslash); its length. *stop for \c in %b. */
static size_t escape(FILE *out, const char *s, bool in_b, bool *stop)
{
    const char *map = "a\ab\bf\fn\nr\rt\tv\v\\\\\"\"";
    for (const char *m = map; *m; m += 2)
        if (*s == m[0]) {
            fputc(m[1], out);
            return 1;
        }
    if (*s == 'c' && in_b) {
        *stop = true;
        return 1;
    }
    if (*s >= '0' && *s <= '7') {
        size_t k = 0, max = (in_b && *s == '0') ? 4 : 3;
        int v = 0;
        while (k < max && s[k] >= '0' && s[k] <= '7')
            v = v * 8 + (s[k++] - '0');
        fputc(v, out);
        return k;
    }
    if (*s == 'x' && isxdigit((unsigned char)s[1])) {
        size_t k = 1;
        int v = 0;
        while (k < 3 && isxdigit((unsigned char)s[k])) {
            char c = (char)tolower((unsigned char)s[k++]);
            v = v * 16 + (c <= '9' ? c - '0' : c - 'a' + 10);
        }
        fputc(v, out);
        return k;
    }
    fputc('\\', out);
    if (*s)
        fputc(*s, out);
    return *s ? 1 : 0;
}

static long long number(pf *p, const char *s)
{
    if (*s == '\'' || *s == '"')
        return (unsigned char)s[1];
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (*s == '\0')
        return 0;
    if (*end || errno) {
        tb_err(p->io, p->name, "invalid number '%s'", s);
        p->status = 1;
    }
    return v;
}

static double real(pf *p, const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (*s && *end) {
        tb_err(p->io, p->name, "invalid number '%s'", s);
        p->status = 1;
    }
    return v;
}

/* Prints one conversion spec (spec, ending in its conversion char) with arg. */
static void convert(pf *p, char *spec, size_t len, const char *arg, bool *stop)
{
    FILE *out = p->io->out;
    char conv = spec[len - 1];
    switch (conv) {
    case 'd':
    case 'i':
        spec[len - 1] = '\0';
        strcat(spec, "lld");
        fprintf(out, spec, number(p, arg));
        break;
    case 'u':
    case 'o':
    case 'x':
    case 'X':
        spec[len - 1] = '\0';
        strcat(spec, conv == 'u' ? "llu" : conv == 'o' ? "llo" : conv == 'x' ? "llx" : "llX");
        fprintf(out, spec, (unsigned long long)number(p, arg));
        break;
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
        fprintf(out, spec, real(p, arg));
        break;
    case 'c':
        spec[len - 1] = 'c';
        fprintf(out, spec, arg[0]);
        break;
    case 'b': {
        for (const char *s = arg; *s && !*stop; s++) {
            if (*s == '\\')
                s += escape(out, s + 1, true, stop);
            else
                fputc(*s, out);
        }
        break;
    }
    default: /* s */
        fprintf(out, spec, arg);
        break;
    }
}

/* One pass over the format; returns the number of arguments used, -1 after \c. */
static int one_pass(pf *p, const char *fmt, int argc, char **argv)
{
    int used = 0;
    bool stop = false;
    for (const char *f = fmt; *f && !stop; f++) {
        if (*f == '\\') {
            f += escape(p->io->out, f + 1, false, &stop);
            continue;
        }
        if (*f != '%') {
            fputc(*f, p->io->out);
            continue;
        }
        if (f[1] == '%') {
            fputc('%', p->io->out);
            f++;
            continue;
        }
        char spec[64] = "%";
        size_t len = 1;
        const char *s = f + 1;
        while (*s && strchr("-+ #0", *s) && len < 40)
            spec[len++] = *s++;
        for (int part = 0; part < 2; part++) {
            if (part == 1 && *s != '.')
                break;
            if (part == 1)
                spec[len++] = *s++;
            if (*s == '*') {
                len += (size_t)snprintf(spec + len, sizeof(spec) - len, "%d",
                                        used < argc ? (int)number(p, argv[used]) : 0);
                used++;
                s++;
            }
            while (isdigit((unsigned char)*s) && len < 50)
                spec[len++] = *s++;
        }
        if (!*s || !strchr("diouxXfFeEgGcsb", *s)) {
            tb_err(p->io, p->name, "%%%c: invalid format", *s ? *s : ' ');
            p->status = 1;
            return -1;
        }
        spec[len++] = *s;
        spec[len] = '\0';
        const char *arg = used < argc ? argv[used] : "";
        if (used < argc)
            used++;
        convert(p, spec, len, arg, &stop);
        f = s;
    }
    return stop ? -1 : used;
}

int applet_printf(tb_io *io, int argc, char **argv)
{
    pf p = {.io = io, .name = argv[0]};
    if (argc < 2) {
        tb_err(io, argv[0], "missing format");
        return 1;
    }
    int left = argc - 2;
    char **args = argv + 2;
    do {
        int used = one_pass(&p, argv[1], left, args);
        if (used <= 0)
            break;
        left -= used;
        args += used;
    } while (left > 0);
    return p.status;
}
