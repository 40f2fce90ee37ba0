/* head [-n [-]N] [-c [-]N] [-qv] [FILE]...: the first N lines (default 10) or bytes; a
 * negative N prints all but the last N. Several files get "==> NAME <==" headers. */
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int head_lines(FILE *f, FILE *out, long long n)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    if (n >= 0) {
        for (long long i = 0; i < n && (len = getline(&line, &cap, f)) > 0; i++)
            fwrite(line, 1, (size_t)len, out);
    } else { /* all but the last -n lines: a ring of the lines not yet known to be printed */
        size_t keep = (size_t)-n, at = 0, have = 0;
        char **ring = calloc(keep, sizeof(*ring));
        size_t *lens = calloc(keep, sizeof(*lens));
        while (ring && lens && (len = getline(&line, &cap, f)) > 0) {
            if (have == keep)
                fwrite(ring[at], 1, lens[at], out);
            else
                have++;
            free(ring[at]);
            ring[at] = line;
            lens[at] = (size_t)len;
            line = NULL;
            cap = 0;
            at = (at + 1) % keep;
        }
        for (size_t i = 0; ring && i < keep; i++)
            free(ring[i]);
        free(ring);
        free(lens);
    }
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
        if ((long long)len > -n)
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
        char *end;
        if (opt == 'q' || opt == 'v') {
            headers = opt == 'v';
            continue;
        }
        if (opt != 'n' && opt != 'c')
            return tb_usage(io, "head", "[-n N] [-c N] [-qv] [FILE]...");
        bytes = opt == 'c';
        n = strtoll(optarg, &end, 10);
        if (*optarg == '\0' || *end != '\0') {
            tb_err(io, "head", "invalid number '%s'", optarg);
            return 1;
        }
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
