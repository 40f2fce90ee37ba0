/* sort [-nrufbsc] [-t SEP] [-k F[.C][nrfb][,F[.C][nrfb]]]... [-o FILE] [FILE]...: sorts lines
 * (byte order; -n numeric, -f folding case, -r reversed, -u one of each equal run). Lines
 * equal on every key are ordered by the whole line unless -s, as busybox and coreutils do. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { K_NUM = 1, K_REV = 2, K_FOLD = 4, K_BLANK = 8 };

typedef struct sort_key {
    int f1, c1, f2, c2; /* 1-based fields and chars; f2 = 0: to the end of the line */
    int flags;
} sort_key;

typedef struct sort_opts {
    sort_key *keys;
    int nkeys, flags;
    char sep; /* 0: fields are separated by blank runs */
    bool stable, unique;
} sort_opts;

/* Start of field F (1-based) in LINE; fields keep their leading blanks when SEP is 0. */
static const char *field(const char *line, char sep, int f)
{
    const char *p = line;
    for (int i = 1; i < f && *p; i++) {
        if (sep) {
            const char *s = strchr(p, sep);
            p = s ? s + 1 : p + strlen(p);
        } else {
            while (isblank((unsigned char)*p))
                p++;
            while (*p && !isblank((unsigned char)*p))
                p++;
        }
    }
    return p;
}

static void key_span(const sort_opts *o, const sort_key *k, const char *line, const char **ret_s,
                     const char **ret_e)
{
    const char *s = field(line, o->sep, k->f1), *e;
    if ((k->flags | o->flags) & K_BLANK)
        while (isblank((unsigned char)*s))
            s++;
    for (int i = 1; i < k->c1 && *s; i++)
        s++;
    if (k->f2 == 0) {
        e = line + strlen(line);
    } else {
        e = field(line, o->sep, k->f2);
        if (k->c2 > 0) {
            for (int i = 0; i < k->c2 && *e; i++)
                e++;
        } else if (o->sep) {
            const char *x = strchr(e, o->sep);
            e = x ? x : e + strlen(e);
        } else {
            while (isblank((unsigned char)*e))
                e++;
            while (*e && !isblank((unsigned char)*e))
                e++;
        }
    }
    *ret_s = s;
    *ret_e = e < s ? s : e;
}

static int compare_span(const char *a, const char *ae, const char *b, const char *be, int flags)
{
    int r;
    if (flags & K_NUM) {
        double x = strtod(a, NULL), y = strtod(b, NULL);
        r = x < y ? -1 : x > y;
    } else {
        size_t la = (size_t)(ae - a), lb = (size_t)(be - b), n = la < lb ? la : lb;
        r = flags & K_FOLD ? strncasecmp(a, b, n) : memcmp(a, b, n);
        if (r == 0)
            r = la < lb ? -1 : la > lb;
    }
    return flags & K_REV ? -r : r;
}

/* Compares by the keys only (what -u calls equal). */
static int compare_keys(const sort_opts *o, const char *a, const char *b)
{
    if (o->nkeys == 0)
        return compare_span(a, a + strlen(a), b, b + strlen(b), o->flags);
    for (int i = 0; i < o->nkeys; i++) {
        const char *as, *ae, *bs, *be;
        key_span(o, &o->keys[i], a, &as, &ae);
        key_span(o, &o->keys[i], b, &bs, &be);
        int flags = o->keys[i].flags ? o->keys[i].flags : o->flags;
        int r = compare_span(as, ae, bs, be, flags);
        if (r)
            return r;
    }
    return 0;
}

static int compare(const sort_opts *o, const char *a, const char *b)
{
    int r = compare_keys(o, a, b);
    if (r || o->stable || o->unique)
        return r;
    r = strcmp(a, b);
    return o->flags & K_REV ? -r : r;
}

/* A stable merge sort (qsort has no context argument in wasi-libc). */
static void merge_sort(const sort_opts *o, char **v, char **tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2, i = 0, j = h, k = 0;
    merge_sort(o, v, tmp, h);
    merge_sort(o, v + h, tmp, n - h);
    while (i < h && j < n)
        tmp[k++] = compare(o, v[j], v[i]) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(*v));
}

/* The flag letters in S, up to END or its '\0'. */
static int parse_flags(const char *s, const char *end)
{
    int f = 0;
    for (; *s && s != end; s++)
        f |= *s == 'n' ? K_NUM : *s == 'r' ? K_REV : *s == 'f' ? K_FOLD : *s == 'b' ? K_BLANK : 0;
    return f;
}

static int parse_key(const char *s, sort_key *k)
{
    char *end;
    k->f1 = (int)strtol(s, &end, 10);
    k->c1 = *end == '.' ? (int)strtol(end + 1, &end, 10) : 0;
    k->f2 = k->c2 = 0;
    const char *comma = strchr(end, ',');
    k->flags = parse_flags(end, comma);
    if (comma) {
        k->f2 = (int)strtol(comma + 1, &end, 10);
        k->c2 = *end == '.' ? (int)strtol(end + 1, &end, 10) : 0;
        k->flags |= parse_flags(end, NULL);
    }
    return k->f1 < 1 || (comma && k->f2 < 1) ? -1 : 0;
}

static int read_lines(tb_io *io, const char *name, char ***lines, size_t *n, size_t *cap)
{
    FILE *f = tb_fopen(io, name, "r");
    if (f == NULL) {
        tb_err_errno(io, "sort", "%s", name);
        return -1;
    }
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) > 0) {
        if (line[len - 1] == '\n')
            line[len - 1] = '\0';
        if (*n == *cap) {
            char **nl = realloc(*lines, (*cap = *cap * 2 + 64) * sizeof(*nl));
            if (nl == NULL) {
                tb_err(io, "sort", "out of memory");
                free(line);
                tb_fclose(io, f);
                return -1;
            }
            *lines = nl;
        }
        (*lines)[(*n)++] = line;
        line = NULL;
        lcap = 0;
    }
    free(line);
    clearerr(f);
    tb_fclose(io, f);
    return 0;
}

int applet_sort(tb_io *io, int argc, char **argv)
{
    sort_opts o = {0};
    const char *outname = NULL, *usage = "[-nrufbsc] [-t SEP] [-k KEYDEF]... [-o FILE] [FILE]...";
    int opt, rc = 0;
    o.keys = calloc((size_t)argc, sizeof(*o.keys));
    if (o.keys == NULL)
        return 2;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "nrufbsct:k:o:")) != -1) {
        if (strchr("nrfb", opt))
            o.flags |= parse_flags((char[]){(char)opt, 0}, NULL);
        else if (opt == 'u')
            o.unique = true;
        else if (opt == 's')
            o.stable = true;
        else if (opt == 't')
            o.sep = optarg[0];
        else if (opt == 'o')
            outname = optarg;
        else if (opt == 'k' && parse_key(optarg, &o.keys[o.nkeys]) == 0)
            o.nkeys++;
        else if (opt == 'k') {
            tb_err(io, "sort", "invalid key '%s'", optarg);
            free(o.keys);
            return 2;
        } else if (opt != 'c') {
            free(o.keys);
            tb_usage(io, "sort", usage);
            return 2;
        }
    }
    for (int i = 0; i < o.nkeys; i++)
        if (o.keys[i].flags == 0)
            o.keys[i].flags = o.flags;
        else
            o.keys[i].flags |= o.flags & K_REV;
    char **lines = NULL, *dash[] = {"-", NULL};
    size_t n = 0, cap = 0;
    for (char **files = optind < argc ? argv + optind : dash; *files; files++)
        if (read_lines(io, *files, &lines, &n, &cap) != 0)
            rc = 2;
    char **tmp = malloc((n + 1) * sizeof(*tmp));
    FILE *out = io->out;
    if (tmp && rc == 0) {
        merge_sort(&o, lines, tmp, n);
        if (outname && (out = fopen(outname, "w")) == NULL) {
            tb_err_errno(io, "sort", "%s", outname);
            rc = 2;
        }
    }
    for (size_t i = 0; out && rc == 0 && i < n; i++)
        if (!o.unique || i == 0 || compare_keys(&o, lines[i - 1], lines[i]) != 0)
            fprintf(out, "%s\n", lines[i]);
    if (out && out != io->out)
        fclose(out);
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
    free(tmp);
    free(o.keys);
    return rc;
}
