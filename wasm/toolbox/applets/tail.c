/* tail [-n [+]N] [-c [+]N] [-fqv] [FILE]...: the last N lines (default 10) or bytes, or from
 * line/byte N with +N; -f then keeps printing what is appended, polling once a second until
 * the instance is stopped. Several files get "==> NAME <==" headers. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "numbers.h"
#include "util.h"

typedef struct tail_opts {
    long long n;
    bool bytes, from_start;
} tail_opts;

/* Where the output starts in BUF[0..LEN) */
static size_t tail_start(const char *buf, size_t len, const tail_opts *o)
{
    long long n = o->n < 0 ? -o->n : o->n;
    if (o->bytes) {
        if (o->from_start)
            return n > 0 && (unsigned long long)(n - 1) < len ? (size_t)(n - 1) : n > 0 ? len : 0;
        return (unsigned long long)n < len ? len - (size_t)n : 0;
    }
    if (o->from_start) {
        size_t at = 0;
        for (long long line = 1; line < n && at < len; at++)
            line += buf[at] == '\n';
        return at;
    }
    size_t at = len;
    if (at > 0 && buf[at - 1] == '\n')
        at--; /* the last line's own newline */
    for (long long seen = 0; at > 0; at--)
        if (buf[at - 1] == '\n' && ++seen == n)
            break;
    return n == 0 ? len : at;
}

static void follow(tb_io *io, FILE **files, int nfiles)
{
    char buf[4096];
    for (;;) {
        for (int i = 0; i < nfiles; i++) {
            size_t got;
            if (files[i] == NULL)
                continue;
            clearerr(files[i]);
            while ((got = fread(buf, 1, sizeof(buf), files[i])) > 0)
                fwrite(buf, 1, got, io->out);
        }
        fflush(io->out);
        nanosleep(&(struct timespec){1, 0}, NULL);
    }
}

int applet_tail(tb_io *io, int argc, char **argv)
{
    tail_opts o = {10, false, false};
    bool follow_on = false;
    int opt, rc = 0, headers = -1, opened = 0;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "n:c:fFqvs:")) != -1) {
        if (opt == 'f' || opt == 'F') {
            follow_on = true;
        } else if (opt == 'q' || opt == 'v') {
            headers = opt == 'v';
        } else if (opt == 'n' || opt == 'c') {
            o.bytes = opt == 'c';
            o.from_start = optarg[0] == '+';
            if (!tb_parse_ll(optarg + o.from_start, &o.n) || o.n == LLONG_MIN) {
                tb_err(io, "tail", "invalid number '%s'", optarg);
                return 1;
            }
        } else if (opt != 's') {
            return tb_usage(io, "tail", "[-fqv] [-n [+]N] [-c [+]N] [FILE]...");
        }
    }
    int nfiles = argc - optind, count = nfiles ? nfiles : 1;
    if (headers < 0)
        headers = nfiles > 1;
    FILE **files = calloc((size_t)count, sizeof(*files));
    if (files == NULL)
        return 1;
    for (int i = 0; i < count; i++) {
        const char *name = nfiles ? argv[optind + i] : "-";
        FILE *f = tb_fopen(io, name, "r");
        if (f == NULL) {
            tb_err_errno(io, "tail", "can't open '%s'", name);
            rc = 1;
            continue;
        }
        size_t len;
        char *buf = tb_slurp(f, &len);
        if (buf == NULL || tb_read_failed(f)) {
            tb_err_errno(io, "tail", "read error");
            rc = 1;
        } else {
            if (headers)
                fprintf(io->out, "%s==> %s <==\n", opened ? "\n" : "",
                        nfiles ? name : "standard input");
            size_t at = tail_start(buf, len, &o);
            fwrite(buf + at, 1, len - at, io->out);
        }
        opened++;
        free(buf);
        files[i] = f;
    }
    if (opened == 0 && nfiles > 0)
        tb_err(io, "tail", "no files");
    if (follow_on && opened > 0)
        follow(io, files, count);
    for (int i = 0; i < count; i++)
        tb_fclose(io, files[i]);
    free(files);
    return rc;
}
