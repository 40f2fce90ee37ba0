/* cut -f LIST [-d DELIM] [-s] | -c LIST | -b LIST [FILE]...: prints the selected fields,
 * characters or bytes of each line. LIST: N, N-M, N-, -M, separated by commas. */
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct cut_range {
    long lo, hi; /* 1-based, inclusive */
} cut_range;

static int parse_list(const char *s, cut_range **ret, size_t *ret_n)
{
    size_t n = 1;
    for (const char *p = s; *p; p++)
        n += *p == ',';
    cut_range *r = calloc(n, sizeof(*r));
    if (r == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char *end;
        r[i].lo = *s == '-' ? 1 : strtol(s, &end, 10);
        if (*s != '-')
            s = end;
        r[i].hi = r[i].lo;
        if (*s == '-') {
            s++;
            r[i].hi = (*s == ',' || *s == '\0') ? __LONG_MAX__ : strtol(s, &end, 10);
            if (*s != ',' && *s != '\0')
                s = end;
        }
        if (r[i].lo < 1 || r[i].hi < r[i].lo || (*s != ',' && *s != '\0')) {
            free(r);
            return -1;
        }
        s += *s == ',';
    }
    *ret = r;
    *ret_n = n;
    return 0;
}

static bool selected(const cut_range *r, size_t n, long k)
{
    for (size_t i = 0; i < n; i++)
        if (k >= r[i].lo && k <= r[i].hi)
            return true;
    return false;
}

static void cut_line(FILE *out, char *line, const cut_range *r, size_t n, char delim, bool fields,
                     bool only_delimited)
{
    if (!fields) {
        for (long k = 1; line[k - 1]; k++)
            if (selected(r, n, k))
                putc(line[k - 1], out);
        putc('\n', out);
        return;
    }
    if (strchr(line, delim) == NULL && *line) { /* busybox -s passes empty lines */
        if (!only_delimited)
            fprintf(out, "%s\n", line);
        return;
    }
    bool first = true;
    char *p = line;
    for (long k = 1; p; k++) {
        char *next = strchr(p, delim);
        if (next)
            *next++ = '\0';
        if (selected(r, n, k)) {
            fprintf(out, "%s%s", first ? "" : (char[]){delim, 0}, p);
            first = false;
        }
        p = next;
    }
    putc('\n', out);
}

int applet_cut(tb_io *io, int argc, char **argv)
{
    const char *list = NULL, *usage = "[-b LIST | -c LIST | -f LIST [-d DELIM] [-s]] [FILE]...";
    char delim = '\t';
    bool fields = false, only_delimited = false;
    int opt, rc = 0;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "b:c:f:d:sn")) != -1) {
        if (opt == 'b' || opt == 'c' || opt == 'f') {
            list = optarg;
            fields = opt == 'f';
        } else if (opt == 'd') {
            delim = optarg[0];
        } else if (opt == 's') {
            only_delimited = true;
        } else if (opt != 'n') {
            return tb_usage(io, "cut", usage);
        }
    }
    cut_range *r;
    size_t n;
    if (list == NULL)
        return tb_usage(io, "cut", usage);
    if (parse_list(list, &r, &n) != 0) {
        tb_err(io, "cut", "invalid list '%s'", list);
        return 1;
    }
    char *dash[] = {"-", NULL}, *line = NULL;
    size_t cap = 0;
    for (char **files = optind < argc ? argv + optind : dash; *files; files++) {
        FILE *f = tb_fopen(io, *files, "r");
        if (f == NULL) {
            tb_err_errno(io, "cut", "%s", *files);
            rc = 1;
            continue;
        }
        ssize_t len;
        while ((len = getline(&line, &cap, f)) > 0) {
            if (line[len - 1] == '\n')
                line[len - 1] = '\0';
            cut_line(io->out, line, r, n, delim, fields, only_delimited);
        }
        clearerr(f);
        tb_fclose(io, f);
    }
    free(line);
    free(r);
    return rc;
}
