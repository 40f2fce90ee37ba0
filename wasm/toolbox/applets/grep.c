/* grep [-qivnEFcloLwxrRhHs] [-e PATTERN]... [PATTERN] [FILE]...: prints the lines that
 * match (basic regex; -E extended, -F fixed strings, from wasi-libc's regex.h). Exit 0 when a
 * line was selected, 1 when none, 2 on an error (a file error with -q and a match: 0). */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct grep_opts {
    bool quiet, icase, invert, number, extended, fixed, count, list, list_missing, word, line_match,
        only, recursive, no_name, with_name, silent;
    char **pats;
    size_t npats;
    regex_t *res;
    bool show_name;
    bool matched;
    int rc;
    tb_io *io;
} grep_opts;

/* The first match of pattern K at or after START: its span in LINE. */
static bool find_one(grep_opts *o, size_t k, const char *line, size_t start, size_t *so, size_t *eo)
{
    if (o->fixed) {
        const char *p =
            o->icase ? strcasestr(line + start, o->pats[k]) : strstr(line + start, o->pats[k]);
        if (p == NULL)
            return false;
        *so = (size_t)(p - line);
        *eo = *so + strlen(o->pats[k]);
        return true;
    }
    regmatch_t m;
    if (regexec(&o->res[k], line + start, 1, &m, start ? REG_NOTBOL : 0) != 0)
        return false;
    *so = start + (size_t)m.rm_so;
    *eo = start + (size_t)m.rm_eo;
    return true;
}

static bool is_word(int c)
{
    return isalnum(c) || c == '_';
}

/* The earliest acceptable match (-w: a whole word; -x: the whole line) at or after START. */
static bool find(grep_opts *o, const char *line, size_t start, size_t *ret_so, size_t *ret_eo)
{
    bool found = false;
    size_t len = strlen(line);
    for (size_t k = 0; k < o->npats; k++) {
        size_t so, eo;
        for (size_t at = start; at <= len && find_one(o, k, line, at, &so, &eo); at = so + 1) {
            bool ok = true;
            if (o->line_match)
                ok = so == 0 && eo == len;
            else if (o->word)
                ok = (so == 0 || !is_word((unsigned char)line[so - 1])) &&
                     !is_word((unsigned char)line[eo]) && eo > so;
            if (ok) {
                if (!found || so < *ret_so) {
                    *ret_so = so;
                    *ret_eo = eo;
                }
                found = true;
                break;
            }
            if (o->line_match)
                break;
        }
    }
    return found;
}

static void grep_stream(grep_opts *o, FILE *f, const char *name)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0, selected = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (line[len - 1] == '\n')
            line[len - 1] = '\0';
        size_t so, eo;
        bool hit = find(o, line, 0, &so, &eo) != o->invert;
        if (!hit)
            continue;
        selected++;
        o->matched = true;
        if (o->quiet || o->list || o->list_missing)
            break;
        if (o->count)
            continue;
        const char *prefix = o->show_name ? name : NULL;
        if (o->only && !o->invert) {
            for (size_t at = 0; at <= strlen(line) && find(o, line, at, &so, &eo); at = eo) {
                if (eo == so) { /* an empty match prints nothing; move on */
                    eo++;
                    continue;
                }
                fprintf(o->io->out, "%s%s", prefix ? prefix : "", prefix ? ":" : "");
                if (o->number)
                    fprintf(o->io->out, "%ld:", lineno);
                fprintf(o->io->out, "%.*s\n", (int)(eo - so), line + so);
            }
            continue;
        }
        fprintf(o->io->out, "%s%s", prefix ? prefix : "", prefix ? ":" : "");
        if (o->number)
            fprintf(o->io->out, "%ld:", lineno);
        fprintf(o->io->out, "%s\n", line);
    }
    free(line);
    if (o->count && !o->quiet) {
        if (o->show_name)
            fprintf(o->io->out, "%s:", name);
        fprintf(o->io->out, "%ld\n", selected);
    }
    if ((o->list && selected) || (o->list_missing && !selected))
        fprintf(o->io->out, "%s\n", name);
}

static void grep_path(grep_opts *o, const char *name);

static int grep_visit(const char *path, const struct stat *st, int depth, void *ctx)
{
    (void)depth;
    grep_opts *o = ctx;
    if (S_ISREG(st->st_mode))
        grep_path(o, path);
    return o->quiet && o->matched ? -1 : 0;
}

static void grep_path(grep_opts *o, const char *name)
{
    struct stat st;
    if (o->recursive && strcmp(name, "-") != 0 && stat(name, &st) == 0 && S_ISDIR(st.st_mode)) {
        tb_walk w = {.visit = grep_visit, .ctx = o, .maxdepth = -1, .io = o->io, .applet = "grep"};
        tb_walk_tree(&w, name);
        if (w.errors)
            o->rc = 2;
        return;
    }
    FILE *f = tb_fopen(o->io, name, "r");
    if (f == NULL) {
        if (!o->silent)
            tb_err_errno(o->io, "grep", "%s", name);
        o->rc = 2;
        return;
    }
    grep_stream(o, f, strcmp(name, "-") == 0 ? "(standard input)" : name);
    if (tb_read_failed(f)) {
        if (!o->silent)
            tb_err_errno(o->io, "grep", "%s", name);
        o->rc = 2;
    }
    clearerr(f);
    tb_fclose(o->io, f);
}

static int parse_opts(grep_opts *o, int argc, char **argv)
{
    static const char letters[] = "qivnEFclLwxrRhHso";
    int opt;
    tb_getopt_reset();
    while ((opt = tb_getopt(o->io, argc, argv, "qivnEFclLwxrRhHsoe:")) != -1) {
        bool *flags[] = {
            &o->quiet,     &o->icase,   &o->invert,       &o->number, &o->extended,   &o->fixed,
            &o->count,     &o->list,    &o->list_missing, &o->word,   &o->line_match, &o->recursive,
            &o->recursive, &o->no_name, &o->with_name,    &o->silent, &o->only};
        const char *at = opt != 'e' && opt != '?' && opt != ':' ? strchr(letters, opt) : NULL;
        if (opt == 'e')
            o->pats[o->npats++] = optarg;
        else if (at)
            *flags[at - letters] = true;
        else
            return -1;
    }
    if (o->npats == 0 && optind < argc)
        o->pats[o->npats++] = argv[optind++];
    return o->npats ? 0 : -1;
}

int applet_grep(tb_io *io, int argc, char **argv)
{
    grep_opts o = {.io = io};
    o.pats = calloc((size_t)argc + 1, sizeof(*o.pats));
    o.res = calloc((size_t)argc + 1, sizeof(*o.res));
    size_t compiled = 0;
    if (o.pats == NULL || o.res == NULL || parse_opts(&o, argc, argv) != 0) {
        o.rc = o.pats && o.res ? 2 : 1;
        if (o.rc == 2)
            tb_usage(io, "grep", "[-qivnEFclLwxrRhHso] [-e PATTERN]... [PATTERN] [FILE]...");
        goto done;
    }
    for (; !o.fixed && compiled < o.npats; compiled++) {
        int flags = (o.extended ? REG_EXTENDED : 0) | (o.icase ? REG_ICASE : 0);
        if (regcomp(&o.res[compiled], o.pats[compiled], flags) != 0) {
            tb_err(io, "grep", "bad regex '%s'", o.pats[compiled]);
            o.rc = 2;
            goto done;
        }
    }
    int nfiles = argc - optind;
    o.show_name = !o.no_name && (o.with_name || nfiles > 1 || o.recursive);
    if (nfiles == 0)
        grep_path(&o, o.recursive ? "." : "-");
    for (int i = optind; i < argc && !(o.quiet && o.matched); i++)
        grep_path(&o, argv[i]);
    if (o.rc == 0 || (o.quiet && o.matched))
        o.rc = o.matched ? 0 : 1;
done:
    for (size_t k = 0; k < compiled; k++)
        regfree(&o.res[k]);
    free(o.res);
    free(o.pats);
    return o.rc;
}
