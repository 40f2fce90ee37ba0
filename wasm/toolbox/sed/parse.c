/* parse.c: parses sed script text into sed_script commands (see sed.h): addresses
 * (N, $, /RE/, \cREc, ranges, !), commands, s///flags and y///, labels and blocks. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sed.h"

typedef struct parser {
    const char *p;
    bool extended;
    tb_io *io;
} parser;

static int fail(parser *ps, const char *what)
{
    tb_err(ps->io, "sed", "%s", what);
    return -1;
}

static void skip_blank(parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t')
        ps->p++;
}

/* Text up to the unescaped DELIM; "\DELIM" becomes DELIM and "\n" a newline. In a
 * replacement (KEEP_ESCAPES), other escapes stay for the substitution to read. */
static char *delimited(parser *ps, char delim, bool keep_escapes)
{
    size_t cap = strlen(ps->p) + 1, n = 0;
    char *out = malloc(cap);
    while (out && *ps->p && *ps->p != delim) {
        char c = *ps->p++;
        if (c == '\\' && *ps->p) {
            char e = *ps->p++;
            if (e == delim) {
                out[n++] = e;
            } else if (e == 'n') {
                if (keep_escapes)
                    out[n++] = '\\';
                out[n++] = keep_escapes ? 'n' : '\n';
            } else {
                out[n++] = '\\';
                out[n++] = e;
            }
        } else {
            out[n++] = c;
        }
    }
    if (out == NULL || *ps->p != delim) {
        free(out);
        return NULL;
    }
    ps->p++;
    out[n] = '\0';
    return out;
}

/* The delimiter of s, y or \cREc at ps->p, consumed; '\0' (and a message) if there is none:
 * the end of the script, a newline or a backslash cannot delimit. */
static char delimiter(parser *ps, const char *what)
{
    char d = *ps->p;
    if (d == '\0' || d == '\n' || d == '\\') {
        tb_err(ps->io, "sed", "unterminated %s", what);
        return '\0';
    }
    ps->p++;
    return d;
}

static int compile(parser *ps, regex_t *re, const char *pat, bool icase)
{
    int flags = (ps->extended ? REG_EXTENDED : 0) | (icase ? REG_ICASE : 0);
    if (regcomp(re, pat, flags) != 0) {
        tb_err(ps->io, "sed", "bad regex '%s'", pat);
        return -1;
    }
    return 0;
}

static int parse_addr(parser *ps, sed_addr *a)
{
    if (isdigit((unsigned char)*ps->p)) {
        a->kind = ADDR_LINE;
        a->line = strtol(ps->p, (char **)&ps->p, 10);
    } else if (*ps->p == '$') {
        a->kind = ADDR_LAST;
        ps->p++;
    } else if (*ps->p == '/' || *ps->p == '\\') {
        char delim = *ps->p++ == '/' ? '/' : delimiter(ps, "address regex");
        if (delim == '\0')
            return -1;
        char *pat = delimited(ps, delim, false);
        if (pat == NULL)
            return fail(ps, "unterminated address regex");
        bool icase = *ps->p == 'I';
        ps->p += icase;
        int r = compile(ps, &a->re, pat, icase);
        free(pat);
        if (r != 0)
            return -1;
        a->kind = ADDR_REGEX;
    }
    return 0;
}

static int parse_subst(parser *ps, sed_cmd *c)
{
    char delim = delimiter(ps, "`s' command");
    if (delim == '\0')
        return -1;
    char *pat = delimited(ps, delim, false);
    c->text = pat ? delimited(ps, delim, true) : NULL;
    if (pat == NULL || c->text == NULL) {
        free(pat);
        tb_err(ps->io, "sed", "unmatched '%c'", delim);
        return -1;
    }
    bool icase = false;
    c->nth = 1;
    for (;; ps->p++) {
        if (*ps->p == 'g')
            c->global = true;
        else if (*ps->p == 'p')
            c->print = true;
        else if (*ps->p == 'I' || *ps->p == 'i')
            icase = true;
        else if (isdigit((unsigned char)*ps->p))
            c->nth = strtol(ps->p, (char **)&ps->p, 10), ps->p--;
        else
            break;
    }
    int r = compile(ps, &c->re, pat, icase);
    free(pat);
    c->re_set = r == 0;
    return r;
}

static int parse_y(parser *ps, sed_cmd *c)
{
    char delim = delimiter(ps, "`y' command");
    if (delim == '\0')
        return -1;
    char *from = delimited(ps, delim, false), *to = from ? delimited(ps, delim, false) : NULL;
    int r = from && to && strlen(from) == strlen(to) ? 0 : fail(ps, "bad 'y' command");
    for (int i = 0; i < 256; i++)
        c->map[i] = (unsigned char)i;
    for (size_t i = 0; r == 0 && from[i]; i++)
        c->map[(unsigned char)from[i]] = (unsigned char)to[i];
    free(from);
    free(to);
    return r;
}

/* a/i/c text: "a text", "a\" newline "text" (lines ending in \ continue). */
static int parse_text(parser *ps, sed_cmd *c)
{
    if (*ps->p == '\\')
        ps->p++;
    if (*ps->p == '\n')
        ps->p++;
    skip_blank(ps);
    size_t n = 0;
    char *t = malloc(strlen(ps->p) + 1);
    if (t == NULL)
        return fail(ps, "out of memory");
    while (*ps->p && *ps->p != '\n') {
        if (*ps->p == '\\' && ps->p[1])
            ps->p++;
        t[n++] = *ps->p++;
    }
    t[n] = '\0';
    c->text = t;
    return 0;
}

static char *label(parser *ps)
{
    skip_blank(ps);
    size_t n = strcspn(ps->p, ";\n");
    while (n > 0 && (ps->p[n - 1] == ' ' || ps->p[n - 1] == '\t'))
        n--;
    char *l = strndup(ps->p, n);
    ps->p += n;
    return l;
}

static int parse_command(parser *ps, sed_cmd *c)
{
    c->cmd = *ps->p++;
    switch (c->cmd) {
    case 's':
        return parse_subst(ps, c);
    case 'y':
        return parse_y(ps, c);
    case 'a':
    case 'i':
    case 'c':
        return parse_text(ps, c);
    case 'b':
    case 't':
    case ':':
        c->text = label(ps);
        return c->cmd == ':' && (c->text == NULL || !*c->text) ? fail(ps, "\":\" lacks a label")
                                                               : 0;
    case 'q':
    case 'Q':
        skip_blank(ps);
        c->exit_code = (int)strtol(ps->p, (char **)&ps->p, 10);
        return 0;
    case 'd':
    case 'D':
    case 'p':
    case 'P':
    case '=':
    case 'n':
    case 'N':
    case 'h':
    case 'H':
    case 'g':
    case 'G':
    case 'x':
    case 'l':
    case '{':
    case '}':
        return 0;
    default:
        tb_err(ps->io, "sed", "unsupported command %c", c->cmd);
        return -1;
    }
}

int sed_parse(sed_script *s, const char *text, bool extended, tb_io *io)
{
    parser ps = {text, extended, io};
    for (;;) {
        while (*ps.p == ';' || *ps.p == '\n' || isspace((unsigned char)*ps.p))
            ps.p++;
        if (*ps.p == '\0' || *ps.p == '#') {
            if (*ps.p == '#' && (ps.p = strchr(ps.p, '\n')) != NULL)
                continue;
            return 0;
        }
        if (s->n == s->cap) {
            sed_cmd *nc = realloc(s->cmds, (size_t)(s->cap = s->cap * 2 + 8) * sizeof(*nc));
            if (nc == NULL)
                return fail(&ps, "out of memory");
            s->cmds = nc;
        }
        sed_cmd *c = &s->cmds[s->n];
        memset(c, 0, sizeof(*c));
        s->n++;
        if (parse_addr(&ps, &c->a1) != 0)
            return -1;
        if (c->a1.kind != ADDR_NONE && *ps.p == ',') {
            ps.p++;
            if (parse_addr(&ps, &c->a2) != 0 || c->a2.kind == ADDR_NONE)
                return c->a2.kind == ADDR_NONE ? fail(&ps, "unexpected ','") : -1;
        }
        skip_blank(&ps);
        while (*ps.p == '!') {
            c->negate = true;
            ps.p++;
            skip_blank(&ps);
        }
        if (*ps.p == '\0')
            return fail(&ps, "missing command");
        if (parse_command(&ps, c) != 0)
            return -1;
        skip_blank(&ps);
        if (*ps.p && !strchr(";\n}", *ps.p) && c->cmd != '}' && c->cmd != '{')
            return fail(&ps, "extra characters after command");
    }
}

int sed_link(sed_script *s, tb_io *io)
{
    int *stack = malloc(((size_t)s->n + 1) * sizeof(*stack)), depth = 0;
    if (stack == NULL)
        return -1;
    for (int i = 0; i < s->n; i++) {
        sed_cmd *c = &s->cmds[i];
        if (c->cmd == '{') {
            stack[depth++] = i;
        } else if (c->cmd == '}') {
            if (depth == 0) {
                free(stack);
                tb_err(io, "sed", "unexpected '}'");
                return -1;
            }
            s->cmds[stack[--depth]].jump = i + 1;
        } else if (c->cmd == 'b' || c->cmd == 't') {
            c->jump = -1;
            for (int k = 0; *c->text && k < s->n; k++)
                if (s->cmds[k].cmd == ':' && strcmp(s->cmds[k].text, c->text) == 0)
                    c->jump = k;
            if (*c->text && c->jump < 0) {
                free(stack);
                tb_err(io, "sed", "can't find label for jump to '%s'", c->text);
                return -1;
            }
        }
    }
    free(stack);
    if (depth) {
        tb_err(io, "sed", "unmatched '{'");
        return -1;
    }
    return 0;
}

void sed_free(sed_script *s)
{
    for (int i = 0; i < s->n; i++) {
        sed_cmd *c = &s->cmds[i];
        if (c->a1.kind == ADDR_REGEX)
            regfree(&c->a1.re);
        if (c->a2.kind == ADDR_REGEX)
            regfree(&c->a2.re);
        if (c->re_set)
            regfree(&c->re);
        free(c->text);
    }
    free(s->cmds);
}
