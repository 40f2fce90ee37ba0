/* sed [-nEr] [-i] [-e SCRIPT]... [-f FILE]... [SCRIPT] [FILE]...: the stream editor. Parsing
 * is in parse.c; this file holds the cycle: read a line into the pattern space, run the
 * commands whose addresses select it, print it (unless -n). -i edits each FILE in place
 * (written to FILE.sedtmp, then renamed over FILE). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sed.h"

typedef struct sbuf {
    char *s;
    size_t len, cap;
    bool failed; /* out of memory: a put was dropped (the run stops with an error) */
} sbuf;

typedef struct sed_run {
    sed_script *sc;
    tb_io *io;
    FILE *out;
    bool quiet, subst_done, missing_nl;
    char **files;
    int nfiles, next_file;
    FILE *cur;
    char *ahead;
    size_t ahead_cap;
    ssize_t ahead_len; /* > 0: a line is waiting */
    long line;
    sbuf ps, hs, appended;
    int rc, exit_code;
} sed_run;

static void sbuf_put(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *ns = realloc(b->s, cap);
        if (ns == NULL) {
            b->failed = true;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sbuf_set(sbuf *b, const char *s, size_t n)
{
    b->len = 0;
    sbuf_put(b, s, n);
}

/* Makes sure the next input line, if any, is in r->ahead. */
static void fill_ahead(sed_run *r)
{
    while (r->ahead_len <= 0) {
        if (r->cur == NULL) {
            if (r->next_file >= r->nfiles)
                return;
            const char *name = r->files[r->next_file++];
            r->cur = tb_fopen(r->io, name, "r");
            if (r->cur == NULL) {
                tb_err_errno(r->io, "sed", "%s", name);
                r->rc = 1;
                continue;
            }
        }
        r->ahead_len = getline(&r->ahead, &r->ahead_cap, r->cur);
        if (r->ahead_len <= 0) {
            clearerr(r->cur);
            tb_fclose(r->io, r->cur);
            r->cur = NULL;
        }
    }
}

static bool next_line(sed_run *r, sbuf *into, bool append)
{
    fill_ahead(r);
    if (r->ahead_len <= 0)
        return false;
    size_t n = (size_t)r->ahead_len;
    r->missing_nl = r->ahead[n - 1] != '\n';
    n -= !r->missing_nl;
    if (append) {
        sbuf_put(into, "\n", 1);
        sbuf_put(into, r->ahead, n);
    } else {
        sbuf_set(into, r->ahead, n);
    }
    r->ahead_len = 0;
    r->line++;
    return true;
}

static bool is_last(sed_run *r)
{
    fill_ahead(r);
    return r->ahead_len <= 0;
}

static void emit(sed_run *r, const char *s, size_t n)
{
    fwrite(s, 1, n, r->out);
    if (!(r->missing_nl && is_last(r)))
        putc('\n', r->out);
}

static bool addr_hit(sed_run *r, sed_addr *a)
{
    switch (a->kind) {
    case ADDR_LINE:
        return r->line == a->line;
    case ADDR_LAST:
        return is_last(r);
    case ADDR_REGEX:
        return regexec(&a->re, r->ps.s, 0, NULL, 0) == 0;
    default:
        return true;
    }
}

static bool selected(sed_run *r, sed_cmd *c)
{
    bool hit;
    if (c->a2.kind == ADDR_NONE) {
        hit = addr_hit(r, &c->a1);
    } else if (c->in_range) {
        hit = true;
        if (c->a2.kind == ADDR_LINE ? r->line >= c->a2.line : addr_hit(r, &c->a2))
            c->in_range = false;
    } else {
        hit = addr_hit(r, &c->a1);
        c->in_range = hit && !(c->a2.kind == ADDR_LINE && c->a2.line <= r->line) &&
                      !(c->a2.kind == ADDR_LAST && is_last(r));
    }
    return hit != c->negate;
}

static void put_replacement(sbuf *out, const char *repl, const char *base, const regmatch_t *m)
{
    for (const char *p = repl; *p; p++) {
        if (*p == '&') {
            sbuf_put(out, base + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so));
        } else if (*p == '\\' && p[1] >= '1' && p[1] <= '9') {
            const regmatch_t *g = &m[*++p - '0'];
            if (g->rm_so >= 0)
                sbuf_put(out, base + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
        } else if (*p == '\\' && p[1]) {
            p++;
            sbuf_put(out, *p == 'n' ? "\n" : *p == 't' ? "\t" : p, 1);
        } else {
            sbuf_put(out, p, 1);
        }
    }
}

static bool substitute(sed_run *r, sed_cmd *c)
{
    regmatch_t m[10];
    sbuf out = {0};
    const char *s = r->ps.s;
    size_t len = r->ps.len, at = 0;
    long count = 0;
    bool done = false, after_match = false;
    while (at <= len && regexec(&c->re, s + at, 10, m, at ? REG_NOTBOL : 0) == 0) {
        size_t so = at + (size_t)m[0].rm_so, eo = at + (size_t)m[0].rm_eo;
        sbuf_put(&out, s + at, so - at);
        if (eo == so && so == at && after_match) {
            /* no empty match right after a match: "x*" on "ax" is "-a-", not "-a--" */
            if (so < len)
                sbuf_put(&out, s + so, 1);
            at = so + 1;
            after_match = false;
            continue;
        }
        after_match = eo > so;
        if (++count >= c->nth) {
            put_replacement(&out, c->text, s + at, m);
            done = true;
        } else {
            sbuf_put(&out, s + so, eo - so);
        }
        if (eo == so && so < len)
            sbuf_put(&out, s + so, 1);
        at = eo == so ? so + 1 : eo;
        if (done && !c->global)
            break;
    }
    if (done) {
        if (at < len)
            sbuf_put(&out, s + at, len - at);
        sbuf_set(&r->ps, out.s ? out.s : "", out.len);
    }
    r->ps.failed |= out.failed;
    free(out.s);
    return done;
}

static void list_line(sed_run *r)
{
    for (size_t i = 0; i < r->ps.len; i++) {
        unsigned char ch = (unsigned char)r->ps.s[i];
        const char *esc = strchr("\\\a\b\f\n\r\t\v", ch);
        if (ch && esc)
            fprintf(r->out, "\\%c", "\\abfnrtv"[esc - "\\\a\b\f\n\r\t\v"]);
        else if (ch < 32 || ch >= 127)
            fprintf(r->out, "\\%03o", ch);
        else
            putc(ch, r->out);
    }
    fputs("$\n", r->out);
}

/* h H g G x: copy, append or exchange between the pattern and hold spaces. */
static void hold_space(sed_run *r, char cmd)
{
    sbuf t;
    switch (cmd) {
    case 'h':
        sbuf_set(&r->hs, r->ps.s, r->ps.len);
        break;
    case 'H':
        sbuf_put(&r->hs, "\n", 1);
        sbuf_put(&r->hs, r->ps.s, r->ps.len);
        break;
    case 'g':
        sbuf_set(&r->ps, r->hs.s ? r->hs.s : "", r->hs.len);
        break;
    case 'G':
        sbuf_put(&r->ps, "\n", 1);
        sbuf_put(&r->ps, r->hs.s ? r->hs.s : "", r->hs.len);
        break;
    default: /* x */
        t = r->ps;
        r->ps = r->hs;
        r->hs = t;
        if (r->ps.s == NULL)
            sbuf_set(&r->ps, "", 0);
    }
}

enum { CYCLE_PRINT, CYCLE_DELETE, CYCLE_QUIT, CYCLE_QUIT_SILENT, CYCLE_RESTART };

/* Runs the script once over the pattern space; says how the cycle ends. */
static int run_commands(sed_run *r)
{
    sed_script *sc = r->sc;
    for (int pc = 0; pc < sc->n;) {
        sed_cmd *c = &sc->cmds[pc];
        if (c->cmd == '}' || c->cmd == ':' || !selected(r, c)) {
            pc = c->cmd == '{' ? c->jump : pc + 1;
            continue;
        }
        char *nl;
        switch (c->cmd) {
        case 's':
            if (substitute(r, c)) {
                r->subst_done = true;
                if (c->print)
                    emit(r, r->ps.s, r->ps.len);
            }
            break;
        case 'y':
            for (size_t i = 0; i < r->ps.len; i++)
                r->ps.s[i] = (char)c->map[(unsigned char)r->ps.s[i]];
            break;
        case 'd':
            return CYCLE_DELETE;
        case 'D':
            if ((nl = memchr(r->ps.s, '\n', r->ps.len)) == NULL)
                return CYCLE_DELETE;
            r->ps.len -= (size_t)(nl + 1 - r->ps.s);
            memmove(r->ps.s, nl + 1, r->ps.len + 1);
            return CYCLE_RESTART;
        case 'p':
            emit(r, r->ps.s, r->ps.len);
            break;
        case 'P':
            nl = memchr(r->ps.s, '\n', r->ps.len);
            fprintf(r->out, "%.*s\n", (int)(nl ? (size_t)(nl - r->ps.s) : r->ps.len), r->ps.s);
            break;
        case '=':
            fprintf(r->out, "%ld\n", r->line);
            break;
        case 'a':
            sbuf_put(&r->appended, c->text, strlen(c->text));
            sbuf_put(&r->appended, "\n", 1);
            break;
        case 'i':
            fprintf(r->out, "%s\n", c->text);
            break;
        case 'c':
            if (!c->in_range || c->negate)
                fprintf(r->out, "%s\n", c->text);
            return CYCLE_DELETE;
        case 'q':
        case 'Q':
            r->exit_code = c->exit_code;
            return c->cmd == 'q' ? CYCLE_QUIT : CYCLE_QUIT_SILENT;
        case 'n':
            if (is_last(r))
                return CYCLE_QUIT;
            if (!r->quiet)
                emit(r, r->ps.s, r->ps.len);
            next_line(r, &r->ps, false);
            break;
        case 'N':
            if (!next_line(r, &r->ps, true))
                return CYCLE_QUIT;
            break;
        case 'h':
        case 'H':
        case 'g':
        case 'G':
        case 'x':
            hold_space(r, c->cmd);
            break;
        case 'l':
            list_line(r);
            break;
        case 'b':
        case 't':
            if (c->cmd == 'b' || r->subst_done) {
                r->subst_done = c->cmd == 'b' && r->subst_done;
                pc = c->jump < 0 ? sc->n : c->jump;
                continue;
            }
            break;
        }
        pc++;
    }
    return CYCLE_PRINT;
}

static bool out_of_memory(sed_run *r)
{
    if (!r->ps.failed && !r->hs.failed && !r->appended.failed)
        return false;
    tb_err(r->io, "sed", "out of memory");
    r->rc = 4;
    return true;
}

static void run(sed_run *r)
{
    bool have = next_line(r, &r->ps, false);
    while (have && !out_of_memory(r)) {
        r->subst_done = false;
        int end = run_commands(r);
        while (end == CYCLE_RESTART)
            end = run_commands(r);
        if (!r->quiet && (end == CYCLE_PRINT || end == CYCLE_QUIT))
            emit(r, r->ps.s, r->ps.len);
        fwrite(r->appended.s ? r->appended.s : "", 1, r->appended.len, r->out);
        r->appended.len = 0;
        if (end == CYCLE_QUIT || end == CYCLE_QUIT_SILENT)
            break;
        have = next_line(r, &r->ps, false);
    }
    if (!have)
        out_of_memory(r); /* what the last cycle could not hold */
}

static int edit_in_place(sed_run *r, char *name)
{
    size_t n = strlen(name);
    char tmp[n + 8];
    snprintf(tmp, sizeof(tmp), "%s.sedtmp", name);
    FILE *in = fopen(name, "r");
    if (in == NULL) {
        tb_err_errno(r->io, "sed", "%s", name);
        return 1;
    }
    fclose(in);
    if ((r->out = fopen(tmp, "w")) == NULL) {
        tb_err_errno(r->io, "sed", "can't create temp file '%s'", tmp);
        return 1;
    }
    r->files = &name;
    r->nfiles = 1;
    r->next_file = 0;
    r->line = 0;
    run(r);
    if (fclose(r->out) != 0 || rename(tmp, name) != 0) {
        tb_err_errno(r->io, "sed", "%s", name);
        unlink(tmp);
        return 1;
    }
    return 0;
}

static char *read_script_file(tb_io *io, const char *name)
{
    FILE *f = tb_fopen(io, name, "r");
    sbuf b = {0};
    char buf[4096];
    size_t n;
    if (f == NULL) {
        tb_err_errno(io, "sed", "%s", name);
        return NULL;
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        sbuf_put(&b, buf, n);
    tb_fclose(io, f);
    if (b.failed) {
        tb_err(io, "sed", "out of memory");
        free(b.s);
        return NULL;
    }
    return b.s ? b.s : strdup("");
}

int applet_sed(tb_io *io, int argc, char **argv)
{
    sed_script sc = {0};
    sed_run r = {.sc = &sc, .io = io, .out = io->out};
    bool extended = false, in_place = false, have_script = false;
    int opt;
    const char *usage = "[-inrE] [-f FILE]... [-e CMD]... [FILE]...";
    tb_getopt_reset();
    /* -E must be known before any -e is parsed: scan the options twice */
    while ((opt = tb_getopt(io, argc, argv, "nErie:f:s")) != -1)
        extended = extended || opt == 'E' || opt == 'r';
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "nErie:f:s")) != -1) {
        char *text = opt == 'f' ? read_script_file(io, optarg) : NULL;
        if (opt == 'n')
            r.quiet = true;
        else if (opt == 'i')
            in_place = true;
        else if (opt == 'e' || opt == 'f') {
            have_script = true;
            if ((opt == 'f' && text == NULL) ||
                sed_parse(&sc, opt == 'e' ? optarg : text, extended, io) != 0) {
                free(text);
                r.rc = 1;
                goto done;
            }
        } else if (opt != 'E' && opt != 'r' && opt != 's') {
            r.rc = tb_usage(io, "sed", usage);
            goto done;
        }
        free(text);
    }
    if (!have_script) {
        if (optind >= argc) {
            r.rc = tb_usage(io, "sed", usage);
            goto done;
        }
        if (sed_parse(&sc, argv[optind++], extended, io) != 0) {
            r.rc = 1;
            goto done;
        }
    }
    if (sed_link(&sc, io) != 0) {
        r.rc = 1;
        goto done;
    }
    char *dash[] = {"-"};
    if (in_place) {
        for (int i = optind; i < argc && r.exit_code == 0; i++)
            r.rc |= edit_in_place(&r, argv[i]);
    } else {
        r.files = optind < argc ? argv + optind : dash;
        r.nfiles = optind < argc ? argc - optind : 1;
        run(&r);
    }
done:
    if (r.cur)
        tb_fclose(io, r.cur);
    free(r.ahead);
    free(r.ps.s);
    free(r.hs.s);
    free(r.appended.s);
    sed_free(&sc);
    return r.exit_code ? r.exit_code : r.rc;
}
