/* find [-H] [-L] [PATH]... [EXPRESSION]: walks PATHs (default ".") and applies EXPRESSION to
 * each file. Tests: -name -iname -path -type [fdlpsbc] -size [+-]N[ckMG] -empty -newer FILE
 * -mtime [+-]N; actions: -print -print0 -delete -exec CMD {} ; and -exec CMD {} + (CMD is an
 * applet, run in this instance); operators: ! -not -a -and -o -or ( ); options: -maxdepth N
 * -mindepth N. Without an action, -print. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

typedef enum { N_AND, N_OR, N_NOT, N_TEST } node_kind;

typedef struct fnode fnode;
typedef struct find_ctx find_ctx;
typedef bool find_test(find_ctx *c, fnode *n, const char *path, const struct stat *st);

struct fnode {
    node_kind kind;
    fnode *a, *b;
    find_test *test;
    const char *arg;
    long long num;
    int cmp;    /* -1 less than, 0 exactly, 1 more than (for +N/-N) */
    char **cmd; /* -exec: its words up to ";" or "+" */
    int ncmd;
    bool batch;         /* -exec ... + */
    char **batch_paths; /* collected for -exec + */
    int nbatch;
};

struct find_ctx {
    tb_io *io;
    char **argv;
    int argc, at, mindepth, maxdepth, rc;
    time_t now;
    bool has_action;
    fnode *root;
    fnode *nodes[256];
    int nnodes;
};

static const char *base_of(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    const char *s = path + n;
    while (s > path && s[-1] != '/')
        s--;
    return s;
}

static bool name_match(const char *pat, const char *path, int flags)
{
    const char *b = base_of(path);
    size_t n = strlen(b);
    while (n > 1 && b[n - 1] == '/')
        n--;
    char copy[n + 1];
    memcpy(copy, b, n);
    copy[n] = '\0';
    return fnmatch(pat, copy, flags) == 0;
}

static bool t_name(find_ctx *c, fnode *n, const char *path, const struct stat *st)
{
    (void)c, (void)st;
    return name_match(n->arg, path, 0);
}

static bool t_iname(find_ctx *c, fnode *n, const char *path, const struct stat *st)
{
    (void)c, (void)st;
    return name_match(n->arg, path, FNM_CASEFOLD);
}

static bool t_path(find_ctx *c, fnode *n, const char *path, const struct stat *st)
{
    (void)c, (void)st;
    return fnmatch(n->arg, path, 0) == 0;
}

static bool t_type(find_ctx *c, fnode *n, const char *path, const struct stat *st)
{
    (void)c, (void)path;
    mode_t m = st->st_mode;
    switch (n->arg[0]) {
    case 'f':
        return S_ISREG(m);
    case 'd':
        return S_ISDIR(m);
    case 'l':
        return S_ISLNK(m);
    case 'p':
        return S_ISFIFO(m);
    case 's':
        return S_ISSOCK(m);
    case 'b':
        return S_ISBLK(m);
    case 'c':
        return S_ISCHR(m);
    default:
        return false;
    }
}

static bool compare_num(fnode *n, long long v)
{
    return n->cmp < 0 ? v < n->num : n->cmp > 0 ? v > n->num : v == n->num;
}

static bool t_size(find_ctx *c, fnode *n, const char *path, const struct stat *st)
{
    (void)c, (void)path;
    long long unit = 512;
    switch (n->arg[strlen(n->arg) - 1]) {
    case 'c':
        unit = 1;
        break;
    case 'k':
        unit = 1024;
        break;
    case 'M':
        unit = 1024 * 1024;
        break;
    case 'G':
        unit = 1024LL * 1024 * 1024;
        break;
    }
    return compare_num(n, ((long long)st->st_size + unit - 1) / unit);
}

static bool t_mtime(find_ctx *c, fnode *n, const char *path, const struct stat *st)
{
    (void)path;
    return compare_num(n, (long long)(c->now - st->st_mtim.tv_sec) / 86400);
}

static bool t_newer(find_ctx *c, fnode *n, const char *path, const struct stat *st)
{
    (void)c, (void)path;
    return st->st_mtim.tv_sec > n->num;
}

static bool t_empty(find_ctx *c, fnode *n, const char *path, const struct stat *st)
{
    (void)c, (void)n;
    if (!S_ISDIR(st->st_mode))
        return S_ISREG(st->st_mode) && st->st_size == 0;
    DIR *d = opendir(path);
    bool empty = d != NULL;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = false;
    if (d)
        closedir(d);
    return empty;
}

static bool t_print(find_ctx *c, fnode *n, const char *path, const struct stat *st)
{
    (void)st;
    fprintf(c->io->out, "%s%c", path, n->arg[0] == '0' ? '\0' : '\n');
    return true;
}

static bool t_delete(find_ctx *c, fnode *n, const char *path, const struct stat *st)
{
    (void)n;
    if ((S_ISDIR(st->st_mode) ? rmdir(path) : unlink(path)) == 0)
        return true;
    tb_err_errno(c->io, "find", "%s", path);
    c->rc = 1;
    return false;
}

/* Runs -exec's command with {} replaced by PATHS (one, or the batch). */
static int run_exec(find_ctx *c, fnode *n, char **paths, int npaths)
{
    char **args = calloc((size_t)(n->ncmd + npaths + 1), sizeof(*args));
    int k = 0;
    if (args == NULL)
        return 1;
    char *joined[n->ncmd];
    memset(joined, 0, sizeof(joined));
    for (int i = 0; i < n->ncmd; i++) {
        char *w = n->cmd[i], *brace = strstr(w, "{}");
        if (n->batch && strcmp(w, "{}") == 0) {
            for (int p = 0; p < npaths; p++)
                args[k++] = paths[p];
        } else if (brace && !n->batch) { /* "{}" anywhere in a word is the path */
            joined[i] = malloc(strlen(w) + strlen(paths[0]));
            if (joined[i])
                sprintf(joined[i], "%.*s%s%s", (int)(brace - w), w, paths[0], brace + 2);
            args[k++] = joined[i] ? joined[i] : w;
        } else {
            args[k++] = w;
        }
    }
    fflush(c->io->out);
    int status = tb_run_applet(c->io, k, args);
    if (status < 0) {
        tb_err(c->io, "find", "%s: not found", args[0]);
        status = 127;
    }
    for (int i = 0; i < n->ncmd; i++)
        free(joined[i]);
    free(args);
    return status;
}

static bool t_exec(find_ctx *c, fnode *n, const char *path, const struct stat *st)
{
    (void)st;
    if (n->batch) {
        char **nb = realloc(n->batch_paths, (size_t)(n->nbatch + 1) * sizeof(*nb));
        char *copy = strdup(path);
        if (nb == NULL || copy == NULL) {
            free(copy);
            if (nb)
                n->batch_paths = nb;
            return false;
        }
        n->batch_paths = nb;
        n->batch_paths[n->nbatch++] = copy;
        return true;
    }
    char *p = (char *)path;
    return run_exec(c, n, &p, 1) == 0;
}

static bool eval(find_ctx *c, fnode *n, const char *path, const struct stat *st)
{
    switch (n->kind) {
    case N_AND:
        return eval(c, n->a, path, st) && eval(c, n->b, path, st);
    case N_OR:
        return eval(c, n->a, path, st) || eval(c, n->b, path, st);
    case N_NOT:
        return !eval(c, n->a, path, st);
    default:
        return n->test(c, n, path, st);
    }
}

static fnode *new_node(find_ctx *c, node_kind kind, fnode *a, fnode *b)
{
    if (c->nnodes == (int)(sizeof(c->nodes) / sizeof(*c->nodes)))
        return NULL;
    fnode *n = calloc(1, sizeof(*n));
    if (n) {
        *n = (fnode){.kind = kind, .a = a, .b = b};
        c->nodes[c->nnodes++] = n;
    }
    return n;
}

static bool t_true(find_ctx *c, fnode *n, const char *path, const struct stat *st)
{
    (void)c, (void)n, (void)path, (void)st;
    return true;
}

static const struct {
    const char *name;
    find_test *test;
    bool takes_arg, action, numeric;
} PRIMARIES[] = {
    {"-name", t_name, true, false, false},     {"-iname", t_iname, true, false, false},
    {"-path", t_path, true, false, false},     {"-wholename", t_path, true, false, false},
    {"-type", t_type, true, false, false},     {"-size", t_size, true, false, true},
    {"-mtime", t_mtime, true, false, true},    {"-newer", t_newer, true, false, false},
    {"-empty", t_empty, false, false, false},  {"-print", t_print, false, true, false},
    {"-print0", t_print, false, true, false},  {"-delete", t_delete, false, true, false},
    {"-exec", t_exec, false, true, false},     {"-maxdepth", t_true, true, false, false},
    {"-mindepth", t_true, true, false, false}, {"-depth", t_true, false, false, false},
    {"-xdev", t_true, false, false, false},
};

static fnode *parse_or(find_ctx *c);

static const char *peek(find_ctx *c)
{
    return c->at < c->argc ? c->argv[c->at] : NULL;
}

static fnode *parse_exec(find_ctx *c, fnode *n)
{
    n->cmd = c->argv + c->at;
    while (
        c->at < c->argc && strcmp(c->argv[c->at], ";") != 0 &&
        !(strcmp(c->argv[c->at], "+") == 0 && c->at > 0 && strcmp(c->argv[c->at - 1], "{}") == 0))
        c->at++;
    n->ncmd = (int)(c->argv + c->at - n->cmd);
    if (c->at >= c->argc || n->ncmd == 0) {
        tb_err(c->io, "find", "-exec CMD must end by ';' or '+'");
        return NULL;
    }
    n->batch = c->argv[c->at++][0] == '+';
    return n;
}

static fnode *parse_primary(find_ctx *c)
{
    const char *w = peek(c);
    if (w == NULL) {
        tb_err(c->io, "find", "missing argument");
        return NULL;
    }
    c->at++;
    if (strcmp(w, "(") == 0) {
        fnode *n = parse_or(c);
        if (n && (peek(c) == NULL || strcmp(peek(c), ")") != 0)) {
            tb_err(c->io, "find", "unbalanced ()");
            return NULL;
        }
        c->at++;
        return n;
    }
    for (size_t i = 0; i < sizeof(PRIMARIES) / sizeof(*PRIMARIES); i++) {
        if (strcmp(w, PRIMARIES[i].name) != 0)
            continue;
        fnode *n = new_node(c, N_TEST, NULL, NULL);
        if (n == NULL)
            return NULL;
        n->test = PRIMARIES[i].test;
        n->arg = strcmp(w, "-print0") == 0 ? "0" : "";
        c->has_action |= PRIMARIES[i].action;
        if (PRIMARIES[i].test == t_exec)
            return parse_exec(c, n);
        if (!PRIMARIES[i].takes_arg)
            return n;
        if ((n->arg = peek(c)) == NULL) {
            tb_err(c->io, "find", "%s requires an argument", w);
            return NULL;
        }
        c->at++;
        const char *num = n->arg;
        n->cmp = *num == '+' ? 1 : *num == '-' ? -1 : 0;
        n->num = strtoll(num + (n->cmp != 0), NULL, 10);
        if (strcmp(w, "-maxdepth") == 0)
            c->maxdepth = (int)n->num;
        else if (strcmp(w, "-mindepth") == 0)
            c->mindepth = (int)n->num;
        else if (strcmp(w, "-newer") == 0) {
            struct stat st;
            if (stat(n->arg, &st) != 0) {
                tb_err_errno(c->io, "find", "%s", n->arg);
                return NULL;
            }
            n->num = st.st_mtim.tv_sec;
        }
        return n;
    }
    tb_err(c->io, "find", "unrecognized: %s", w);
    return NULL;
}

static fnode *parse_not(find_ctx *c)
{
    const char *w = peek(c);
    if (w && (strcmp(w, "!") == 0 || strcmp(w, "-not") == 0)) {
        c->at++;
        fnode *a = parse_not(c);
        return a ? new_node(c, N_NOT, a, NULL) : NULL;
    }
    return parse_primary(c);
}

static fnode *parse_and(find_ctx *c)
{
    fnode *n = parse_not(c);
    for (const char *w; n && (w = peek(c)) != NULL;) {
        if (strcmp(w, "-o") == 0 || strcmp(w, "-or") == 0 || strcmp(w, ")") == 0)
            break;
        if (strcmp(w, "-a") == 0 || strcmp(w, "-and") == 0)
            c->at++;
        fnode *b = parse_not(c);
        n = b ? new_node(c, N_AND, n, b) : NULL;
    }
    return n;
}

static fnode *parse_or(find_ctx *c)
{
    fnode *n = parse_and(c);
    for (const char *w; n && (w = peek(c)) != NULL;) {
        if (strcmp(w, "-o") != 0 && strcmp(w, "-or") != 0)
            break;
        c->at++;
        fnode *b = parse_and(c);
        n = b ? new_node(c, N_OR, n, b) : NULL;
    }
    return n;
}

static int visit(const char *path, const struct stat *st, int depth, void *ctx)
{
    find_ctx *c = ctx;
    if (depth >= c->mindepth)
        eval(c, c->root, path, st);
    return 0;
}

/* The -exec ... + commands, with the paths they collected. */
static void flush_batches(find_ctx *c)
{
    for (int i = 0; i < c->nnodes; i++) {
        fnode *n = c->nodes[i];
        if (n->test == t_exec && n->batch && n->nbatch > 0 &&
            run_exec(c, n, n->batch_paths, n->nbatch) != 0)
            c->rc = 1;
        for (int p = 0; p < n->nbatch; p++)
            free(n->batch_paths[p]);
        free(n->batch_paths);
    }
}

int applet_find(tb_io *io, int argc, char **argv)
{
    find_ctx c = {.io = io, .argv = argv, .argc = argc, .at = 1, .maxdepth = -1};
    c.now = time(NULL);
    while (c.at < argc && (strcmp(argv[c.at], "-H") == 0 || strcmp(argv[c.at], "-L") == 0))
        c.at++;
    int first_path = c.at;
    while (c.at < argc && argv[c.at][0] != '-' && strcmp(argv[c.at], "!") != 0 &&
           strcmp(argv[c.at], "(") != 0)
        c.at++;
    int last_path = c.at;
    bool post_order = false;
    for (int i = c.at; i < argc; i++)
        post_order |= strcmp(argv[i], "-delete") == 0 || strcmp(argv[i], "-depth") == 0;
    c.root = c.at < argc ? parse_or(&c) : NULL;
    if (c.at < argc || (c.root == NULL && last_path < argc)) {
        if (c.root && c.at < argc)
            tb_err(io, "find", "unrecognized: %s", argv[c.at]);
        c.rc = 1;
    } else {
        fnode *print = NULL;
        if (!c.has_action && (print = new_node(&c, N_TEST, NULL, NULL)) != NULL) {
            print->test = t_print;
            print->arg = "";
            c.root = c.root ? new_node(&c, N_AND, c.root, print) : print;
        }
        char *dot[] = {"."};
        char **paths = last_path > first_path ? argv + first_path : dot;
        int npaths = last_path > first_path ? last_path - first_path : 1;
        for (int i = 0; c.root && i < npaths; i++) {
            tb_walk w = {.maxdepth = c.maxdepth, .ctx = &c, .io = io, .applet = "find"};
            *(post_order ? &w.post : &w.visit) = visit;
            tb_walk_tree(&w, paths[i]);
            c.rc |= w.errors ? 1 : 0;
        }
        flush_batches(&c);
    }
    for (int i = 0; i < c.nnodes; i++)
        free(c.nodes[i]);
    return c.rc;
}
