/* echo [-neE] [ARG]...: busybox's echo (-n no newline, -e backslash escapes, -E none). */
#include "applet.h"

#include <stdbool.h>
#include <string.h>

/* Prints s with the escapes of echo -e; false when \c ends all output. */
static bool echo_escaped(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s != '\\' || !s[1]) {
            fputc(*s, out);
            continue;
        }
        s++;
        const char *map = "a\ab\be\033f\fn\nr\rt\tv\v\\\\";
        const char *m = strchr(map, *s);
        if (m && (m - map) % 2 == 0) {
            fputc(m[1], out);
        } else if (*s == 'c') {
            return false;
        } else if (*s == '0') {
            int v = 0;
            for (int i = 0; i < 3 && s[1] >= '0' && s[1] <= '7'; i++)
                v = v * 8 + (*++s - '0');
            fputc(v, out);
        } else {
            fputc('\\', out);
            fputc(*s, out);
        }
    }
    return true;
}

int applet_echo(tb_io *io, int argc, char **argv)
{
    bool newline = true, escapes = false;
    int i = 1;
    /* echo takes no "--" and only flags made of n, e, E (as busybox and dash) */
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strspn(argv[i] + 1, "neE") != strlen(argv[i] + 1))
            break;
        for (const char *f = argv[i] + 1; *f; f++) {
            if (*f == 'n')
                newline = false;
            else
                escapes = *f == 'e';
        }
    }
    for (int first = i; i < argc; i++) {
        if (i > first)
            fputc(' ', io->out);
        if (!escapes)
            fputs(argv[i], io->out);
        else if (!echo_escaped(io->out, argv[i]))
            return 0;
    }
    if (newline)
        fputc('\n', io->out);
    return 0;
}
