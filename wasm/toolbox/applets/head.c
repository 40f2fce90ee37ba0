/* head [-n [-]N] [-c [-]N] [-qv] [FILE]...: the first N lines (default 10) or bytes; a
 * negative N prints all but the last N. Several files get "==> NAME <==" headers. */
#include <stdlib.h>
#include <string.h>

#include "numbers.h"
#include "util.h"

static int head_lines(FILE *f, FILE *out, long long n)
{
    if (n < 0) { /* all but the last -n lines: up to where the -n-th line from the end starts */
        size_t len;
        char *buf = tb_slurp(f, &len);
        if (buf == NULL)
            return -1;
        size_t at = len;
        for (long long k = 0; k < -n && at > 0; k++) {
            at--; /* the line's last byte (its newline, if it has one) */
            while (at > 0 && buf[at - 1] != '\n')
                at--;
        }
        fwrite(buf, 1, at, out);
        free(buf);
        return tb_read_failed(f) ? -1 : 0;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    for (long long i = 0; i < n && (len = getline(&line, &cap, f)) > 0; i++)
        fwrite(line, 1, (size_t)len, out);
    free(line);
    return tb_read_failed(f) ? -1 : 0;
}

static int head_bytes(FILE *f, FILE *out, long long n)
{
    if (n < 0) { /* all but the last -n bytes */
        size_t len;
        char *buf = tb_slurp(f, &len);
        if (buf == NULL)
            return -1;
        if ((unsigned long long)len > (unsigned long long)-n)
            fwrite(buf, 1, len - (size_t)-n, out);
        free(buf);
        return tb_read_failed(f) ? -1 : 0;
    }
    int c;
    for (long long i = 0; i < n && (c = getc(f)) != EOF; i++)
        putc(c, out);
    return tb_read_failed(f) ? -1 : 0;
}

int applet_head(tb_io *io, int argc, char **argv)
{
    long long n = 10;
    bool bytes = false;
    int opt, rc = 0, headers = -1;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "n:c:qv")) != -1) {
        if (opt == 'q' || opt == 'v') {
            headers = opt == 'v';
            continue;
        }
        if (opt != 'n' && opt != 'c')
            return tb_usage(io, "head", "[-n N] [-c N] [-qv] [FILE]...");
        bytes = opt == 'c';
        if (!tb_parse_ll(optarg, &n)) {
            tb_err(io, "head", "invalid number '%s'", optarg);
            return 1;
        }
        if (n == LLONG_MIN)
            n++; /* -n must be a long long too: no input is that long */
    }
    int nfiles = argc - optind;
    if (headers < 0)
        headers = nfiles > 1;
    for (int i = optind; i < argc || (nfiles == 0 && i == optind); i++) {
        const char *name = nfiles ? argv[i] : "-";
        FILE *f = tb_fopen(io, name, "r");
        if (f == NULL) {
            tb_err_errno(io, "head", "%s", name);
            rc = 1;
            continue;
        }
        if (headers)
            fprintf(io->out, "%s==> %s <==\n", i > optind ? "\n" : "",
                    nfiles ? name : "standard input");
        if ((bytes ? head_bytes(f, io->out, n) : head_lines(f, io->out, n)) != 0) {
            tb_err_errno(io, "head", "%s", name);
            rc = 1;
        }
        clearerr(f);
        tb_fclose(io, f);
    }
    return rc;
}
