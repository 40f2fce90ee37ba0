/* sh's word expansion: a raw word (quotes kept) into fields. In order: ~, parameters ($x ${x}
 * ${x:-w} ${x-w} ${x:=w} ${x:+w} ${x:?w} ${#x} ${x#p} ${x##p} ${x%p} ${x%%p}, $? $# $@ $* $0-$9
 * $$ $-), command substitution ($(...) and `...`, run in this instance), arithmetic $((...)),
 * then field splitting on $IFS of what was unquoted and expanded, pathname expansion (glob) and
 * quote removal. Each character carries whether it was quoted and whether it may be split. */
#include "sh.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numbers.h"

enum { F_QUOTED = 1, F_SPLIT = 2 };

typedef struct field {
    char *s;
    unsigned char *f;
    size_t n, cap;
    bool had_quote, at_empty;
} field;

typedef struct fields {
    char **v;
    size_t n, cap;
} fields;

typedef struct ectx {
    sh_state *s;
    field cur;
    fields out;
    bool split; /* split and glob (words), or one field (sh_expand_one) */
    bool oom;
} ectx;

static void put(ectx *e, char c, unsigned char flags)
{
    field *f = &e->cur;
    if (f->n + 2 > f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 64;
        char *s = realloc(f->s, cap);
        unsigned char *fl = s ? realloc(f->f, cap) : NULL;
        if (s)
            f->s = s;
        if (!s || !fl) {
            e->oom = true;
            return;
        }
        f->f = fl;
        f->cap = cap;
    }
    f->s[f->n] = c;
    f->f[f->n++] = flags;
    f->s[f->n] = '\0';
}

static void put_str(ectx *e, const char *v, size_t n, bool quoted)
{
    for (size_t i = 0; i < n; i++)
        put(e, v[i], quoted ? F_QUOTED : F_SPLIT);
}

static void push_field(ectx *e, char *str)
{
    fields *o = &e->out;
    if (o->n + 2 > o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 8;
        char **v = realloc(o->v, cap * sizeof(char *));
        if (v == NULL) {
            free(str);
            e->oom = true;
            return;
        }
        o->v = v;
        o->cap = cap;
    }
    o->v[o->n++] = str;
    o->v[o->n] = NULL;
}

static void expand_part(ectx *e, const char *w, size_t n, bool dq);

/* ---- arithmetic: + - * / % ( ) comparisons, && ||, names and numbers ---- */

typedef struct arith {
    sh_state *s;
    const char *p;
    const char *error;
} arith;

static long long arith_expr(arith *a, int prec);

/* A number as busybox's ash reads it: base 0 (0x1f, 017), 64 bits wrapping (2^63 reads as
 * -2^63), and 0 for one past 64 bits, as bash. */
static long long arith_number(const char *s, char **end)
{
    errno = 0;
    unsigned long long v = strtoull(s, end, 0);
    return errno ? 0 : (long long)v;
}

static void arith_blank(arith *a)
{
    while (isspace((unsigned char)*a->p))
        a->p++;
}

static long long arith_atom(arith *a)
{
    arith_blank(a);
    if (*a->p == '(') {
        a->p++;
        long long v = arith_expr(a, 0);
        arith_blank(a);
        if (*a->p != ')')
            a->error = "missing )";
        else
            a->p++;
        return v;
    }
    if (*a->p == '-' || *a->p == '+' || *a->p == '!' || *a->p == '~') {
        char op = *a->p++;
        long long v = arith_atom(a);
        return op == '-'   ? (long long)(0ULL - (unsigned long long)v)
               : op == '!' ? !v
               : op == '~' ? ~v
                           : v;
    }
    if (isdigit((unsigned char)*a->p)) {
        char *end;
        long long v = arith_number(a->p, &end);
        a->p = end;
        return v;
    }
    if (isalpha((unsigned char)*a->p) || *a->p == '_') {
        const char *start = a->p;
        while (isalnum((unsigned char)*a->p) || *a->p == '_')
            a->p++;
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)(a->p - start), start);
        const char *v = sh_getvar(a->s, name);
        char *end;
        return v ? arith_number(v, &end) : 0;
    }
    a->error = "syntax error";
    return 0;
}

static const struct {
    const char *op;
    int prec;
} arith_ops[] = {{"||", 1}, {"&&", 2}, {"==", 3}, {"!=", 3}, {"<=", 4}, {">=", 4},
                 {"<<", 5}, {">>", 5}, {"<", 4},  {">", 4},  {"+", 6},  {"-", 6},
                 {"*", 7},  {"/", 7},  {"%", 7},  {"&", 3},  {"|", 1},  {"^", 2}};

/* l OP r with 64-bit two's complement wrapping (no undefined overflow): + - * << wrap, as in
 * busybox's ash; LLONG_MIN / -1 is LLONG_MIN and LLONG_MIN % -1 is 0. */
static long long arith_apply(arith *a, const char *op, long long l, long long r)
{
    if ((op[0] == '/' || op[0] == '%') && r == 0) {
        a->error = "division by zero";
        return 0;
    }
    switch (op[0] * 256 + op[1]) {
    case '|' * 256 + '|':
        return l || r;
    case '&' * 256 + '&':
        return l && r;
    case '=' * 256 + '=':
        return l == r;
    case '!' * 256 + '=':
        return l != r;
    case '<' * 256 + '=':
        return l <= r;
    case '>' * 256 + '=':
        return l >= r;
    case '<' * 256 + '<':
        return (long long)((unsigned long long)l << (r & 63));
    case '>' * 256 + '>':
        return l >> (r & 63);
    case '<' * 256:
        return l < r;
    case '>' * 256:
        return l > r;
    case '+' * 256:
        return (long long)((unsigned long long)l + (unsigned long long)r);
    case '-' * 256:
        return (long long)((unsigned long long)l - (unsigned long long)r);
    case '*' * 256:
        return (long long)((unsigned long long)l * (unsigned long long)r);
    case '/' * 256:
        return r == -1 ? (long long)(0ULL - (unsigned long long)l) : l / r;
    case '%' * 256:
        return r == -1 ? 0 : l % r;
    case '&' * 256:
        return l & r;
    case '|' * 256:
        return l | r;
    default:
        return l ^ r;
    }
}

static long long arith_expr(arith *a, int prec)
{
    long long l = arith_atom(a);
    for (;;) {
        arith_blank(a);
        size_t i = 0;
        for (; i < sizeof(arith_ops) / sizeof(arith_ops[0]); i++)
            if (strncmp(a->p, arith_ops[i].op, strlen(arith_ops[i].op)) == 0)
                break;
        if (a->error || i == sizeof(arith_ops) / sizeof(arith_ops[0]) || arith_ops[i].prec <= prec)
            return l;
        a->p += strlen(arith_ops[i].op);
        long long r = arith_expr(a, arith_ops[i].prec);
        l = arith_apply(a, arith_ops[i].op, l, r);
    }
}

/* ---- parameters ---- */

static char *special_param(ectx *e, char c, char *buf, size_t n)
{
    sh_state *s = e->s;
    switch (c) {
    case '?':
        snprintf(buf, n, "%d", s->status);
        return buf;
    case '#':
        snprintf(buf, n, "%d", s->n_params);
        return buf;
    case '$':
        return "1"; /* a WASI instance has no pid of its own */
    case '!':
        return "";
    case '-':
        snprintf(buf, n, "%s%s", s->errexit ? "e" : "", s->xtrace ? "x" : "");
        return buf;
    case '0':
        return s->name;
    default:
        if (c >= '1' && c <= '9')
            return c - '0' <= s->n_params ? s->params[c - '1'] : NULL;
        return NULL;
    }
}

/* The value of name (len n), or NULL when unset; *ret_free is set when it is to be freed. */
static const char *param_value(ectx *e, const char *name, size_t n, char *buf, size_t bn)
{
    if (n == 1 && !isalpha((unsigned char)name[0]) && name[0] != '_')
        return special_param(e, name[0], buf, bn);
    if (isdigit((unsigned char)name[0])) {
        int i = tb_atoi_clamp(name, 0, INT_MAX);
        return i >= 1 && i <= e->s->n_params ? e->s->params[i - 1] : NULL;
    }
    char key[256];
    snprintf(key, sizeof(key), "%.*s", (int)n, name);
    return sh_getvar(e->s, key);
}

/* "$@" / $@ / $* / "$*": the positional parameters. */
static void put_params(ectx *e, char c, bool dq)
{
    sh_state *s = e->s;
    if (s->n_params == 0 && dq && c == '@')
        e->cur.at_empty = true;
    for (int i = 0; i < s->n_params; i++) {
        if (i > 0) {
            if (dq && c == '*') {
                const char *ifs = sh_getvar(s, "IFS");
                if (!ifs || *ifs)
                    put(e, ifs ? ifs[0] : ' ', F_QUOTED);
            } else if (dq && e->split) {
                push_field(e, strdup(e->cur.s ? e->cur.s : ""));
                e->cur.n = 0;
                e->cur.had_quote = true;
            } else {
                put(e, ' ', dq ? F_QUOTED : F_SPLIT);
            }
        }
        put_str(e, s->params[i], strlen(s->params[i]), dq);
    }
}

/* Removes the shortest/longest prefix/suffix of v matching pat (${x#p} ...). */
static char *trim(const char *v, const char *pat, bool suffix, bool longest)
{
    size_t n = strlen(v);
    char *copy = strdup(v);
    if (copy == NULL)
        return NULL;
    for (size_t k = 0; k <= n; k++) {
        size_t len = longest ? n - k : k; /* the length of the part tried */
        if (!suffix) {
            char c = copy[len];
            copy[len] = '\0';
            bool m = fnmatch(pat, copy, 0) == 0;
            copy[len] = c;
            if (m) {
                memmove(copy, copy + len, n - len + 1);
                return copy;
            }
        } else if (fnmatch(pat, v + n - len, 0) == 0) {
            copy[n - len] = '\0';
            return copy;
        }
    }
    return copy;
}

static void braced(ectx *e, const char *w, size_t n, bool dq)
{
    char buf[64];
    bool length = n > 1 && w[0] == '#';
    if (length) {
        w++;
        n--;
    }
    size_t name_len = 0;
    if (n && (isalpha((unsigned char)w[0]) || w[0] == '_'))
        while (name_len < n && (isalnum((unsigned char)w[name_len]) || w[name_len] == '_'))
            name_len++;
    else if (n && isdigit((unsigned char)w[0]))
        while (name_len < n && isdigit((unsigned char)w[name_len]))
            name_len++;
    else if (n)
        name_len = 1;
    const char *v = param_value(e, w, name_len, buf, sizeof(buf));
    const char *op = w + name_len, *end = w + n;
    if (name_len == 1 && (w[0] == '@' || w[0] == '*') && op == end && !length) {
        put_params(e, w[0], dq);
        return;
    }
    if (length) {
        snprintf(buf, sizeof(buf), "%zu", v ? strlen(v) : 0);
        put_str(e, buf, strlen(buf), dq);
        return;
    }
    if (op == end) {
        if (v)
            put_str(e, v, strlen(v), dq);
        return;
    }
    bool colon = *op == ':';
    if (colon)
        op++;
    char kind = op < end ? *op++ : '\0';
    bool twice = (kind == '#' || kind == '%') && op < end && *op == kind;
    if (twice)
        op++;
    char *arg = strndup(op, (size_t)(end - op));
    if (arg == NULL) {
        e->oom = true;
        return;
    }
    bool unset = v == NULL || (colon && *v == '\0');
    char name[256];
    snprintf(name, sizeof(name), "%.*s", (int)name_len, w);
    if ((kind == '-' && unset) || (kind == '+' && !unset)) {
        expand_part(e, arg, strlen(arg), dq);
    } else if (kind == '=' && unset) {
        char *val = sh_expand_one(e->s, arg, false);
        if (val) {
            sh_setvar(e->s, name, val, false);
            put_str(e, val, strlen(val), dq);
        }
        free(val);
    } else if (kind == '?' && unset) {
        char *msg = sh_expand_one(e->s, arg, false);
        fprintf(e->s->io->err, "sh: %s: %s\n", name,
                msg && *msg ? msg : "parameter not set or null");
        free(msg);
        e->s->flow = SH_EXIT;
        e->s->status = 1;
    } else if (kind == '#' || kind == '%') {
        char *pat = sh_expand_one(e->s, arg, true);
        char *t = pat ? trim(v ? v : "", pat, kind == '%', twice) : NULL;
        if (t)
            put_str(e, t, strlen(t), dq);
        free(t);
        free(pat);
    } else if (kind != '-' && kind != '+' && kind != '=' && kind != '?') {
        fprintf(e->s->io->err, "sh: syntax error: bad substitution\n");
        e->s->flow = SH_EXIT;
        e->s->status = 2;
    } else if (v) {
        put_str(e, v, strlen(v), dq);
    }
    free(arg);
}

/* $(cmd) / `cmd`: its output, trailing newlines removed. */
static void command_subst(ectx *e, const char *src, size_t n, bool dq)
{
    sh_pipe *p = sh_pipe_new();
    FILE *out = p ? sh_pipe_writer(p) : NULL;
    if (out == NULL) {
        sh_pipe_free(p);
        e->oom = true;
        return;
    }
    tb_io io = {e->s->io->in, out, e->s->io->err};
    sh_flow saved = e->s->flow;
    e->s->depth++;
    int saved_status = e->s->status;
    e->s->subst_status = sh_run_source(e->s, src, n, &io);
    e->s->status = saved_status;
    e->s->depth--;
    if (e->s->flow == SH_EXIT) /* exit inside $( ) ends that subshell only */
        e->s->flow = saved;
    fclose(out);
    size_t len;
    const char *data = sh_pipe_data(p, &len);
    while (len && data[len - 1] == '\n')
        len--;
    put_str(e, data, len, dq);
    sh_pipe_free(p);
}

static void arithmetic(ectx *e, const char *src, size_t n, bool dq)
{
    char *text = strndup(src, n);
    char *expanded = text ? sh_expand_one(e->s, text, false) : NULL;
    free(text);
    if (expanded == NULL) {
        e->oom = true;
        return;
    }
    arith a = {.s = e->s, .p = expanded};
    long long v = arith_expr(&a, 0);
    arith_blank(&a);
    if (!a.error && *a.p)
        a.error = "syntax error";
    if (a.error) {
        fprintf(e->s->io->err, "sh: arithmetic: %s: %s\n", expanded, a.error);
        e->s->flow = SH_EXIT;
        e->s->status = 2;
    }
    free(expanded);
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", v);
    put_str(e, buf, strlen(buf), dq);
}

/* A $ expansion at w (w[0] == '$'); its length in the word. */
static size_t dollar(ectx *e, const char *w, size_t n, bool dq)
{
    char buf[64];
    if (n >= 2 && (w[1] == '(' || w[1] == '{')) {
        size_t k = sh_scan_subst(w, n);
        if (k == 0)
            k = n;
        if (w[1] == '{')
            braced(e, w + 2, k - 3, dq);
        else if (k >= 5 && w[2] == '(' && w[k - 2] == ')')
            arithmetic(e, w + 3, k - 5, dq);
        else
            command_subst(e, w + 2, k - 3, dq);
        return k;
    }
    if (n >= 2 && (w[1] == '@' || w[1] == '*')) {
        put_params(e, w[1], dq);
        return 2;
    }
    if (n >= 2 && strchr("?#$!-0123456789", w[1])) {
        const char *v = special_param(e, w[1], buf, sizeof(buf));
        if (v)
            put_str(e, v, strlen(v), dq);
        return 2;
    }
    size_t k = 1;
    while (k < n && (isalnum((unsigned char)w[k]) || w[k] == '_') &&
           !(k == 1 && isdigit((unsigned char)w[k])))
        k++;
    if (k == 1) {
        put(e, '$', dq ? F_QUOTED : 0);
        return 1;
    }
    const char *v = param_value(e, w + 1, k - 1, buf, sizeof(buf));
    if (v)
        put_str(e, v, strlen(v), dq);
    return k;
}

static void expand_part(ectx *e, const char *w, size_t n, bool dq)
{
    for (size_t i = 0; i < n && !e->oom && e->s->flow != SH_EXIT;) {
        char c = w[i];
        if (c == '\\' && i + 1 < n) {
            if (dq && !strchr("$`\"\\\n", w[i + 1]))
                put(e, '\\', F_QUOTED);
            if (w[i + 1] != '\n')
                put(e, w[i + 1], F_QUOTED);
            i += 2;
        } else if (c == '\'' && !dq) {
            e->cur.had_quote = true;
            size_t j = i + 1;
            while (j < n && w[j] != '\'')
                put(e, w[j++], F_QUOTED);
            i = j + 1;
        } else if (c == '"' && !dq) {
            e->cur.had_quote = true;
            size_t j = i + 1;
            while (j < n && w[j] != '"') { /* the closing quote: skip what may contain one */
                if (w[j] == '\\' && j + 1 < n)
                    j += 2;
                else if (w[j] == '`' || (w[j] == '$' && j + 1 < n && strchr("({", w[j + 1])))
                    j += sh_scan_subst(w + j, n - j) ?: n - j;
                else
                    j++;
            }
            expand_part(e, w + i + 1, j - i - 1, true);
            i = j + 1;
        } else if (c == '$') {
            i += dollar(e, w + i, n - i, dq);
        } else if (c == '`') {
            size_t k = sh_scan_subst(w + i, n - i) ?: n - i;
            command_subst(e, w + i + 1, k >= 2 ? k - 2 : 0, dq);
            i += k;
        } else if (c == '~' && i == 0 && !dq && (n == 1 || w[1] == '/')) {
            const char *home = sh_getvar(e->s, "HOME");
            put_str(e, home ? home : "/", strlen(home ? home : "/"), true);
            i++;
        } else {
            put(e, c, dq ? F_QUOTED : 0);
            i++;
        }
    }
}

/* ---- splitting, globbing ---- */

static bool has_glob(const field *f, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (!(f->f[i] & F_QUOTED) && strchr("*?[", f->s[i]))
            return true;
    return false;
}

/* The characters [from, to) of the current field as a glob pattern (quoted ones escaped). */
static char *as_pattern(const field *f, size_t from, size_t to)
{
    char *p = malloc(2 * (to - from) + 1), *q = p;
    if (p == NULL)
        return NULL;
    for (size_t i = from; i < to; i++) {
        if ((f->f[i] & F_QUOTED) && strchr("*?[]\\", f->s[i]))
            *q++ = '\\';
        *q++ = f->s[i];
    }
    *q = '\0';
    return p;
}

static void emit(ectx *e, size_t from, size_t to)
{
    field *f = &e->cur;
    if (has_glob(f, from, to)) {
        char *pat = as_pattern(f, from, to);
        glob_t g;
        if (pat && glob(pat, 0, NULL, &g) == 0) {
            for (size_t i = 0; i < g.gl_pathc; i++)
                push_field(e, strdup(g.gl_pathv[i]));
            globfree(&g);
            free(pat);
            return;
        }
        free(pat);
    }
    push_field(e, strndup(f->s + from, to - from));
}

static void finish_field(ectx *e)
{
    field *f = &e->cur;
    if (!e->split) {
        push_field(e, strndup(f->s ? f->s : "", f->n));
        return;
    }
    const char *ifs = sh_getvar(e->s, "IFS");
    if (ifs == NULL)
        ifs = " \t\n";
    size_t start = 0;
    bool any = false;
    for (size_t i = 0; i <= f->n; i++) {
        bool sep = i < f->n && (f->f[i] & F_SPLIT) && *ifs && strchr(ifs, f->s[i]);
        if (i < f->n && !sep)
            continue;
        if (i > start) {
            emit(e, start, i);
            any = true;
        }
        start = i + 1;
    }
    if (!any && f->had_quote && !f->at_empty)
        push_field(e, strdup(""));
}

static void reset_field(field *f)
{
    f->n = 0;
    f->had_quote = f->at_empty = false;
    if (f->s)
        f->s[0] = '\0';
}

void sh_free_argv(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}

int sh_expand_words(sh_state *s, char *const *words, size_t n, char ***ret_argv, int *ret_argc)
{
    ectx e = {.s = s, .split = true};
    for (size_t i = 0; i < n && !e.oom && s->flow != SH_EXIT; i++) {
        reset_field(&e.cur);
        expand_part(&e, words[i], strlen(words[i]), false);
        finish_field(&e);
    }
    free(e.cur.s);
    free(e.cur.f);
    if (e.oom || s->flow == SH_EXIT) {
        sh_free_argv(e.out.v);
        return -1;
    }
    if (e.out.v == NULL)
        e.out.v = calloc(1, sizeof(char *));
    *ret_argv = e.out.v;
    *ret_argc = (int)e.out.n;
    return e.out.v ? 0 : -1;
}

char *sh_expand_one(sh_state *s, const char *word, bool pattern)
{
    ectx e = {.s = s};
    expand_part(&e, word, strlen(word), false);
    char *r = NULL;
    if (!e.oom)
        r = pattern ? as_pattern(&e.cur, 0, e.cur.n) : strndup(e.cur.s ? e.cur.s : "", e.cur.n);
    free(e.cur.s);
    free(e.cur.f);
    sh_free_argv(e.out.v);
    return r;
}
