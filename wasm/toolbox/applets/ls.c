/* ls [-1aAdlRrtSFphnC] [FILE]...: lists files, one per line, or in columns on a terminal
 * (or with -C) as wide as the terminal (tb_term_size: /run/wasmcri/tty, $COLUMNS), else 80.
 * -l shows what WASI's view of a file holds: type, links, size, mtime, link target; WASI has no
 * permission bits and no owners, so those columns print "?" (as ls does for what it cannot read),
 * and "total" counts 1 KiB blocks of each file's size rounded up to 4 KiB. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proc_table.h"
#include "util.h"

typedef struct ls_opts {
    bool all, almost_all, dir_itself, longfmt, recursive, reverse, by_time, by_size, classify,
        slash, human, columns;
    tb_io *io;
    int rc;
} ls_opts;

typedef struct ls_entry {
    char *name, *path;
    struct stat st;
} ls_entry;

static char type_char(mode_t m)
{
    return S_ISDIR(m)    ? 'd'
           : S_ISLNK(m)  ? 'l'
           : S_ISCHR(m)  ? 'c'
           : S_ISBLK(m)  ? 'b'
           : S_ISFIFO(m) ? 'p'
           : S_ISSOCK(m) ? 's'
                         : '-';
}

static const ls_opts *sort_opts; /* set only while ls_sort runs */

static int compare(const void *pa, const void *pb)
{
    const ls_entry *a = pa, *b = pb;
    int r = 0;
    if (sort_opts->by_time)
        r = b->st.st_mtim.tv_sec < a->st.st_mtim.tv_sec   ? -1
            : b->st.st_mtim.tv_sec > a->st.st_mtim.tv_sec ? 1
                                                          : 0;
    else if (sort_opts->by_size)
        r = b->st.st_size < a->st.st_size ? -1 : b->st.st_size > a->st.st_size;
    if (r == 0)
        r = strcmp(a->name, b->name);
    return sort_opts->reverse ? -r : r;
}

static void ls_sort(const ls_opts *o, ls_entry *v, size_t n)
{
    sort_opts = o;
    qsort(v, n, sizeof(*v), compare);
    sort_opts = NULL;
}

static char suffix(const ls_opts *o, mode_t m)
{
    if ((o->classify || o->slash) && S_ISDIR(m))
        return '/';
    if (!o->classify)
        return 0;
    return S_ISLNK(m) ? '@' : S_ISFIFO(m) ? '|' : S_ISSOCK(m) ? '=' : 0;
}

/* Names down the columns, as busybox lays them out on a terminal. */
static void print_columns(ls_opts *o, const ls_entry *v, size_t n)
{
    int term_cols, term_rows;
    tb_term_size(&term_cols, &term_rows);
    size_t width = (size_t)term_cols, cell = 1;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i].name) + (suffix(o, v[i].st.st_mode) != 0) + 2;
        cell = len > cell ? len : cell;
    }
    width--; /* busybox keeps the last column off the terminal's edge */
    size_t cols = width / cell ? width / cell : 1, rows = (n + cols - 1) / cols;
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < cols && c * rows + r < n; c++) {
            const ls_entry *e = &v[c * rows + r];
            char sfx = suffix(o, e->st.st_mode);
            bool last = c + 1 == cols || (c + 1) * rows + r >= n;
            int len = fprintf(o->io->out, "%s%.*s", e->name, sfx != 0, &sfx);
            fprintf(o->io->out, "%*s", last ? 0 : (int)cell - len, "");
        }
        putc('\n', o->io->out);
    }
}

static void print_entry(ls_opts *o, const ls_entry *e)
{
    FILE *out = o->io->out;
    if (o->longfmt) {
        char when[32], size[24];
        time_t t = e->st.st_mtim.tv_sec, now = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        bool recent = t <= now + 3600 && now - t < 365L * 24 * 3600 / 2;
        strftime(when, sizeof(when), recent ? "%b %e %H:%M" : "%b %e  %Y", &tm);
        if (o->human)
            tb_human(size, (uint64_t)e->st.st_size);
        else
            snprintf(size, sizeof(size), "%llu", (unsigned long long)e->st.st_size);
        fprintf(out, "%c????????? %4lu %-8s %-8s %9s %s ", type_char(e->st.st_mode),
                (unsigned long)e->st.st_nlink, "?", "?", size, when);
    }
    fputs(e->name, out);
    if (o->longfmt && S_ISLNK(e->st.st_mode)) {
        char target[4096];
        ssize_t n = readlink(e->path, target, sizeof(target) - 1);
        if (n >= 0)
            fprintf(out, " -> %.*s", (int)n, target);
    }
    char sfx = suffix(o, e->st.st_mode);
    if (sfx)
        putc(sfx, out);
    putc('\n', out);
}

static void print_entries(ls_opts *o, const ls_entry *v, size_t n)
{
    if (o->columns && !o->longfmt) {
        print_columns(o, v, n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        print_entry(o, &v[i]);
}

static void free_entries(ls_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].path);
    }
    free(v);
}

/* The entries of directory PATH, sorted; NULL (and a message) when it cannot be read. */
static ls_entry *read_dir(ls_opts *o, const char *path, size_t *ret_n)
{
    DIR *d = opendir(path);
    if (d == NULL) {
        tb_err_errno(o->io, "ls", "can't open '%s'", path);
        o->rc = 1;
        return NULL;
    }
    size_t n = 0, cap = 0;
    ls_entry *v = NULL;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        const char *nm = de->d_name;
        bool dot = nm[0] == '.', dots = strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0;
        if ((dot && !o->all && !o->almost_all) || (dots && !o->all))
            continue;
        if (n == cap) {
            ls_entry *nv = realloc(v, (cap = cap * 2 + 16) * sizeof(*v));
            if (nv == NULL)
                break;
            v = nv;
        }
        ls_entry *e = &v[n];
        e->name = strdup(nm);
        e->path = tb_join(path, nm);
        if (e->name == NULL || e->path == NULL || lstat(e->path, &e->st) != 0) {
            tb_err_errno(o->io, "ls", "%s", e->path ? e->path : nm);
            free(e->name);
            free(e->path);
            o->rc = 1;
            continue;
        }
        n++;
    }
    closedir(d);
    ls_sort(o, v, n);
    *ret_n = n;
    return v ? v : calloc(1, sizeof(*v));
}

static void list_dir(ls_opts *o, const char *path, bool header, bool *first)
{
    size_t n;
    if (header)
        fprintf(o->io->out, "%s%s:\n", *first ? "" : "\n", path);
    *first = false;
    fflush(o->io->out); /* the header comes before a read error, as in busybox */
    ls_entry *v = read_dir(o, path, &n);
    if (v == NULL)
        return;
    if (o->longfmt) {
        unsigned long long total = 0;
        for (size_t i = 0; i < n; i++)
            total += ((unsigned long long)v[i].st.st_size + 4095) / 4096 * 4;
        fprintf(o->io->out, "total %llu\n", total);
    }
    print_entries(o, v, n);
    for (size_t i = 0; o->recursive && i < n; i++)
        if (S_ISDIR(v[i].st.st_mode) && strcmp(v[i].name, ".") != 0 && strcmp(v[i].name, "..") != 0)
            list_dir(o, v[i].path, true, first);
    free_entries(v, n);
}

static int parse_opts(ls_opts *o, int argc, char **argv)
{
    static const char letters[] = "aAdlRrtSFphnC";
    int opt;
    o->columns = isatty(fileno(o->io->out));
    tb_getopt_reset();
    while ((opt = tb_getopt(o->io, argc, argv, "1aAdlRrtSFphnC")) != -1) {
        bool *flags[] = {&o->all,     &o->almost_all, &o->dir_itself, &o->longfmt,  &o->recursive,
                         &o->reverse, &o->by_time,    &o->by_size,    &o->classify, &o->slash,
                         &o->human,   &o->longfmt,    &o->columns};
        const char *at = opt != '?' ? strchr(letters, opt) : NULL;
        if (opt == '1')
            o->columns = false;
        else if (at)
            *flags[at - letters] = true;
        else if (opt == '?')
            return tb_usage(o->io, "ls", "[-1aAdlRrtSFphnC] [FILE]...");
    }
    return 0;
}

int applet_ls(tb_io *io, int argc, char **argv)
{
    ls_opts o = {.io = io};
    if (parse_opts(&o, argc, argv) != 0)
        return 1;
    char *dot[] = {".", NULL};
    char **names = optind < argc ? argv + optind : dot;
    int nnames = optind < argc ? argc - optind : 1;
    ls_entry *files = calloc((size_t)nnames, sizeof(*files));
    ls_entry *dirs = calloc((size_t)nnames, sizeof(*dirs));
    size_t nf = 0, nd = 0;
    for (int i = 0; files && dirs && i < nnames; i++) {
        struct stat st;
        if (lstat(names[i], &st) != 0) {
            tb_err_errno(io, "ls", "%s", names[i]);
            o.rc = 1;
            continue;
        }
        if (S_ISLNK(st.st_mode) && !o.longfmt && !o.dir_itself)
            stat(names[i], &st); /* a link named on the command line is followed */
        ls_entry *e = S_ISDIR(st.st_mode) && !o.dir_itself ? &dirs[nd++] : &files[nf++];
        *e = (ls_entry){strdup(names[i]), strdup(names[i]), st};
    }
    ls_sort(&o, files, nf);
    ls_sort(&o, dirs, nd);
    print_entries(&o, files, nf);
    bool first = nf == 0;
    for (size_t i = 0; i < nd; i++)
        list_dir(&o, dirs[i].path, nnames > 1 || o.recursive, &first);
    free_entries(files, nf);
    free_entries(dirs, nd);
    return o.rc;
}
