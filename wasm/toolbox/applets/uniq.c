/* uniq [-cdui] [-f N] [-s N] [INPUT [OUTPUT]]: drops repeated adjacent lines; -c counts,
 * -d prints only repeated ones, -u only unique ones, -i ignores case, -f/-s skip fields and
 * characters before comparing. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct uniq_opts {
    bool count, dups, uniques, icase;
    long skip_fields, skip_chars;
} uniq_opts;

static const char *key(const uniq_opts *o, const char *s)
{
    for (long f = 0; f < o->skip_fields; f++) {
        while (*s && isblank((unsigned char)*s))
            s++;
        while (*s && !isblank((unsigned char)*s))
            s++;
    }
    for (long c = 0; c < o->skip_chars && *s; c++)
        s++;
    return s;
}

static void emit(FILE *out, const uniq_opts *o, const char *line, long n)
{
    if ((o->dups && n < 2) || (o->uniques && n > 1))
        return;
    if (o->count)
        fprintf(out, "%7ld %s\n", n, line);
    else
        fprintf(out, "%s\n", line);
}

int applet_uniq(tb_io *io, int argc, char **argv)
{
    uniq_opts o = {0};
    int opt;
    const char *usage = "[-cdui] [-f N] [-s N] [INPUT [OUTPUT]]";
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "cduif:s:")) != -1) {
        if (opt == 'c')
            o.count = true;
        else if (opt == 'd')
            o.dups = true;
        else if (opt == 'u')
            o.uniques = true;
        else if (opt == 'i')
            o.icase = true;
        else if (opt == 'f')
            o.skip_fields = strtol(optarg, NULL, 10);
        else if (opt == 's')
            o.skip_chars = strtol(optarg, NULL, 10);
        else
            return tb_usage(io, "uniq", usage);
    }
    if (argc - optind > 2)
        return tb_usage(io, "uniq", usage);
    const char *in_name = optind < argc ? argv[optind] : "-";
    FILE *in = tb_fopen(io, in_name, "r"), *out = io->out;
    if (in == NULL) {
        tb_err_errno(io, "uniq", "can't open '%s'", in_name);
        return 1;
    }
    if (argc - optind == 2 && (out = fopen(argv[optind + 1], "w")) == NULL) {
        tb_err_errno(io, "uniq", "can't open '%s'", argv[optind + 1]);
        tb_fclose(io, in);
        return 1;
    }
    char *prev = NULL, *line = NULL;
    size_t cap = 0;
    long n = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, in)) > 0) {
        if (line[len - 1] == '\n')
            line[len - 1] = '\0';
        if (prev) {
            const char *a = key(&o, prev), *b = key(&o, line);
            if ((o.icase ? strcasecmp(a, b) : strcmp(a, b)) == 0) {
                n++;
                continue;
            }
            emit(out, &o, prev, n);
            free(prev);
        }
        prev = line;
        line = NULL;
        cap = 0;
        n = 1;
    }
    if (prev)
        emit(out, &o, prev, n);
    free(prev);
    free(line);
    clearerr(in);
    tb_fclose(io, in);
    if (out != io->out)
        fclose(out);
    return 0;
}
