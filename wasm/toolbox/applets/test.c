/* test EXPR / [ EXPR ]: POSIX test with busybox's operators: files (-e -f -d -h -L -r -w -x -s
 * -p -S -b -c -t), strings (-z -n = == !=), integers (-eq -ne -lt -le -gt -ge), files compared
 * (-nt -ot -ef), ! ( ) -a -o. Exit 0 true, 1 false, 2 on a bad expression. */
#include "applet.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "numbers.h"

typedef struct texpr {
    tb_io *io;
    char **args;
    int n, pos;
    const char *name;
    bool bad;
} texpr;

static bool or_expr(texpr *t);

static void bad(texpr *t, const char *fmt, const char *arg)
{
    if (!t->bad)
        fprintf(t->io->err, "%s: ", t->name), fprintf(t->io->err, fmt, arg),
            fputc('\n', t->io->err);
    t->bad = true;
}

static bool integer(texpr *t, const char *s, long long *ret)
{
    char *end;
    while (isspace((unsigned char)*s))
        s++;
    errno = 0;
    *ret = strtoll(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (*s == '\0' || *end || errno) {
        bad(t, "%s: bad number", s);
        return false;
    }
    return true;
}

static bool unary_file(char op, const char *path)
{
    struct stat st;
    if (op == 'h' || op == 'L')
        return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
    if (op == 't')
        return isatty(tb_atoi_clamp(path, INT_MIN, INT_MAX));
    if (op == 'r' || op == 'w' || op == 'x')
        return access(path, op == 'r' ? R_OK : op == 'w' ? W_OK : X_OK) == 0;
    if (stat(path, &st) < 0)
        return false;
    switch (op) {
    case 'e':
        return true;
    case 'f':
        return S_ISREG(st.st_mode);
    case 'd':
        return S_ISDIR(st.st_mode);
    case 's':
        return st.st_size > 0;
    case 'p':
        return S_ISFIFO(st.st_mode);
    case 'S':
        return S_ISSOCK(st.st_mode);
    case 'b':
        return S_ISBLK(st.st_mode);
    case 'c':
        return S_ISCHR(st.st_mode);
    case 'u':
        return st.st_mode & S_ISUID;
    case 'g':
        return st.st_mode & S_ISGID;
    case 'k':
        return st.st_mode & S_ISVTX;
    default:
        return false;
    }
}

static bool is_unary(const char *s)
{
    return s[0] == '-' && s[1] && !s[2] && strchr("efdhLrwxspSbctzngku", s[1]);
}

static bool binary(texpr *t, const char *l, const char *op, const char *r)
{
    if (!strcmp(op, "=") || !strcmp(op, "=="))
        return strcmp(l, r) == 0;
    if (!strcmp(op, "!="))
        return strcmp(l, r) != 0;
    if (!strcmp(op, "<"))
        return strcmp(l, r) < 0;
    if (!strcmp(op, ">"))
        return strcmp(l, r) > 0;
    if (!strcmp(op, "-nt") || !strcmp(op, "-ot") || !strcmp(op, "-ef")) {
        struct stat a, b;
        bool sa = stat(l, &a) == 0, sb = stat(r, &b) == 0;
        if (op[1] == 'e')
            return sa && sb && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
        if (op[1] == 'n')
            return sa && (!sb || a.st_mtim.tv_sec > b.st_mtim.tv_sec ||
                          (a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
                           a.st_mtim.tv_nsec > b.st_mtim.tv_nsec));
        return sb &&
               (!sa || a.st_mtim.tv_sec < b.st_mtim.tv_sec ||
                (a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec < b.st_mtim.tv_nsec));
    }
    long long a, b;
    if (!integer(t, l, &a) || !integer(t, r, &b))
        return false;
    if (!strcmp(op, "-eq"))
        return a == b;
    if (!strcmp(op, "-ne"))
        return a != b;
    if (!strcmp(op, "-lt"))
        return a < b;
    if (!strcmp(op, "-le"))
        return a <= b;
    if (!strcmp(op, "-gt"))
        return a > b;
    return a >= b;
}

static bool is_binary(const char *s)
{
    static const char *const ops[] = {"=",   "==",  "!=",  "<",   ">",   "-eq", "-ne",
                                      "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef"};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strcmp(s, ops[i]) == 0)
            return true;
    return false;
}

static const char *next(texpr *t)
{
    return t->pos < t->n ? t->args[t->pos++] : NULL;
}

static bool primary(texpr *t)
{
    const char *a = next(t);
    if (a == NULL) {
        bad(t, "%s", "argument expected");
        return false;
    }
    if (strcmp(a, "!") == 0 && t->pos < t->n)
        return !primary(t);
    if (strcmp(a, "(") == 0 && t->pos < t->n) {
        bool v = or_expr(t);
        const char *c = next(t);
        if (c == NULL || strcmp(c, ")") != 0)
            bad(t, "%s", "missing )");
        return v;
    }
    if (t->pos + 1 < t->n + 0 && is_binary(t->args[t->pos]) && t->pos + 1 <= t->n - 1) {
        const char *op = next(t), *r = next(t);
        return binary(t, a, op, r);
    }
    if (is_unary(a) && t->pos < t->n) {
        const char *arg = next(t);
        if (a[1] == 'z')
            return arg[0] == '\0';
        if (a[1] == 'n')
            return arg[0] != '\0';
        return unary_file(a[1], arg);
    }
    return a[0] != '\0';
}

static bool and_expr(texpr *t)
{
    bool v = primary(t);
    while (t->pos < t->n && strcmp(t->args[t->pos], "-a") == 0) {
        t->pos++;
        bool r = primary(t);
        v = v && r;
    }
    return v;
}

static bool or_expr(texpr *t)
{
    bool v = and_expr(t);
    while (t->pos < t->n && strcmp(t->args[t->pos], "-o") == 0) {
        t->pos++;
        bool r = and_expr(t);
        v = v || r;
    }
    return v;
}

int applet_test(tb_io *io, int argc, char **argv)
{
    texpr t = {.io = io, .args = argv + 1, .n = argc - 1, .name = argv[0]};
    if (strcmp(argv[0], "[") == 0) {
        if (argc < 2 || strcmp(argv[argc - 1], "]") != 0) {
            fprintf(io->err, "[: missing ]\n");
            return 2;
        }
        t.n--;
    }
    if (t.n == 0)
        return 1;
    /* POSIX's rules by argument count: one argument is a string test, two: ! or unary */
    bool v;
    int all = t.n;
    if (t.n == 1)
        v = t.args[0][0] != '\0';
    else if (t.n == 2 && strcmp(t.args[0], "!") == 0)
        v = t.args[1][0] == '\0';
    else if (t.n == 3 && is_binary(t.args[1]))
        v = binary(&t, t.args[0], t.args[1], t.args[2]);
    else
        all = 0, v = or_expr(&t);
    if (all)
        t.pos = all;
    if (!t.bad && t.pos < t.n)
        bad(&t, "%s: unknown operand", t.args[t.pos]);
    return t.bad ? 2 : !v;
}
