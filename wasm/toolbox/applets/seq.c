/* seq [-w] [-s SEP] [FIRST [INC]] LAST: numbers from FIRST to LAST by INC (integers and
 * decimals; output has as many decimals as the most precise argument). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int decimals(const char *s)
{
    const char *dot = strchr(s, '.');
    return dot ? (int)strspn(dot + 1, "0123456789") : 0;
}

static int parse(const char *s, double *ret)
{
    char *end;
    errno = 0;
    *ret = strtod(s, &end);
    return *s == '\0' || *end != '\0' || errno == ERANGE ? -1 : 0; /* 1e400: busybox's usage */
}

int applet_seq(tb_io *io, int argc, char **argv)
{
    const char *sep = "\n", *usage = "[-w] [-s SEP] [FIRST [INC]] LAST";
    bool width = false;
    int optind = 1; /* by hand: getopt would take "-5" for an option */
    for (; optind < argc && argv[optind][0] == '-' && argv[optind][1] &&
           !(argv[optind][1] >= '0' && argv[optind][1] <= '9') && argv[optind][1] != '.';
         optind++) {
        if (strcmp(argv[optind], "-w") == 0)
            width = true;
        else if (strcmp(argv[optind], "-s") == 0 && optind + 1 < argc)
            sep = argv[++optind];
        else if (strncmp(argv[optind], "-s", 2) == 0)
            sep = argv[optind] + 2;
        else if (strcmp(argv[optind], "--") == 0) {
            optind++;
            break;
        } else
            return tb_usage(io, "seq", usage);
    }
    int n = argc - optind;
    if (n < 1 || n > 3)
        return tb_usage(io, "seq", usage);
    double v[3] = {1, 1, 0};
    int prec = 0;
    for (int i = 0; i < n; i++) {
        int slot = n == 1 ? 2 : n == 2 ? (i == 0 ? 0 : 2) : i;
        if (parse(argv[optind + i], &v[slot]) != 0)
            return tb_usage(io, "seq", usage); /* as busybox: no number, the usage */
        int d = decimals(argv[optind + i]);
        prec = d > prec ? d : prec;
    }
    if (v[1] == 0)
        return 0;
    int w = 0;
    if (width) {
        char tmp[64];
        int a = snprintf(tmp, sizeof(tmp), "%.*f", prec, v[0]);
        int b = snprintf(tmp, sizeof(tmp), "%.*f", prec, v[2]);
        w = a > b ? a : b;
    }
    bool first = true;
    for (long long i = 0;; i++) { /* long is 32 bits on wasm32: 3e9 steps overflowed it */
        double x = v[0] + (double)i * v[1];
        if (v[1] > 0 ? x > v[2] + 1e-9 : x < v[2] - 1e-9)
            break;
        fprintf(io->out, "%s%0*.*f", first ? "" : sep, w, prec, x);
        first = false;
    }
    if (!first)
        fputc('\n', io->out);
    return 0;
}
