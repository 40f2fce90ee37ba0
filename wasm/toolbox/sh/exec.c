/* sh's execution: the tree of one complete command run in this instance. Lists, && ||, !,
 * if/while/until/for/case, { } and ( ) (a subshell here keeps its cd to itself, but not its
 * variables: there is no fork), redirections on 0-2 (files opened in the container's view),
 * pipelines (stages run one after the other through pipebuf.c: each stage's output is complete
 * before the next one starts), and simple commands: builtins, then applets; a module in the
 * view cannot be run from inside this instance (126), anything else is not found (127). */
#include "sh.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- redirections ---- */

#define MAX_OPENED 16

typedef struct redirected {
    tb_io io;
    FILE *opened[MAX_OPENED];
    size_t n_opened;
} redirected;

static FILE **slot(tb_io *io, int fd)
{
    return fd == 0 ? &io->in : fd == 1 ? &io->out : fd == 2 ? &io->err : NULL;
}

static int open_target(sh_state *s, redirected *r, const sh_redir *rd, const char *target)
{
    const char *mode = strcmp(rd->op, "<") == 0    ? "r"
                       : strcmp(rd->op, ">>") == 0 ? "a"
                       : strcmp(rd->op, "<>") == 0 ? "r+"
                                                   : "w";
    if (strcmp(rd->op, "<>") == 0 && access(target, F_OK) < 0)
        mode = "w+";
    FILE *f = fopen(target, mode);
    if (f == NULL) {
        fprintf(r->io.err, "sh: can't %s %s: %s\n", mode[0] == 'r' ? "open" : "create", target,
                strerror(errno));
        return -1;
    }
    if (r->n_opened == MAX_OPENED) {
        fclose(f);
        fprintf(r->io.err, "sh: too many redirections\n");
        return -1;
    }
    r->opened[r->n_opened++] = f;
    FILE **to = slot(&r->io, rd->fd);
    if (to)
        *to = f;
    (void)s;
    return 0;
}

static int redirect_one(sh_state *s, redirected *r, const sh_redir *rd)
{
    char *target = sh_expand_one(s, rd->word, false);
    if (target == NULL)
        return -1;
    int rc = 0;
    if (strcmp(rd->op, ">&") == 0 || strcmp(rd->op, "<&") == 0) {
        FILE **to = slot(&r->io, rd->fd), **from = NULL;
        if (target[0] >= '0' && target[0] <= '2' && target[1] == '\0')
            from = slot(&r->io, target[0] - '0');
        if (strcmp(target, "-") == 0) {
            /* closing: the stream stays (an applet writing there must not crash); nothing */
        } else if (from == NULL) {
            fprintf(r->io.err, "sh: %s: bad file descriptor\n", target);
            rc = -1;
        } else if (to) {
            *to = *from;
        }
    } else {
        rc = open_target(s, r, rd, target);
    }
    free(target);
    return rc;
}

static void undo_redirects(redirected *r)
{
    fflush(r->io.out);
    fflush(r->io.err);
    for (size_t i = 0; i < r->n_opened; i++)
        fclose(r->opened[i]);
    r->n_opened = 0;
}

static int apply_redirects(sh_state *s, const sh_redir *rd, tb_io *io, redirected *r)
{
    r->io = *io;
    r->n_opened = 0;
    for (; rd; rd = rd->next)
        if (redirect_one(s, r, rd) < 0) {
            undo_redirects(r);
            return -1;
        }
    return 0;
}

/* ---- simple commands ---- */

static bool is_assignment(const char *w)
{
    const char *eq = strchr(w, '=');
    return eq && sh_valid_name(w, (size_t)(eq - w));
}

static bool is_wasm_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char magic[4] = {0};
    bool wasm = f && fread(magic, 1, 4, f) == 4 && memcmp(magic, "\0asm", 4) == 0;
    if (f)
        fclose(f);
    return wasm;
}

/* The file a command name names: itself when it has a '/', else the first in $PATH. */
static bool find_in_path(sh_state *s, const char *name, char *buf, size_t n)
{
    struct stat st;
    if (strchr(name, '/')) {
        snprintf(buf, n, "%s", name);
        return stat(buf, &st) == 0 && S_ISREG(st.st_mode);
    }
    const char *path = sh_getvar(s, "PATH");
    for (const char *p = path ? path : ""; *p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        snprintf(buf, n, "%.*s%s%s", (int)len, p, len ? "/" : "", name);
        if (stat(buf, &st) == 0 && S_ISREG(st.st_mode))
            return true;
        p += len + (colon ? 1 : 0);
    }
    return false;
}

static int run_command(sh_state *s, tb_io *io, int argc, char **argv)
{
    int status = 0;
    if (sh_builtin(s, io, argc, argv, &status))
        return status;
    char path[4096];
    bool found = find_in_path(s, argv[0], path, sizeof(path));
    if (found && is_wasm_file(path)) {
        fprintf(io->err, "sh: %s: cannot run a module from sh\n", argv[0]);
        return 126;
    }
    const char *slash = strrchr(argv[0], '/');
    if (tb_find_applet(slash ? slash + 1 : argv[0])) {
        status = tb_run_applet(io, argc, argv);
        fflush(io->out);
        fflush(io->err);
        return status;
    }
    if (found) {
        fprintf(io->err, "sh: %s: Permission denied\n", argv[0]);
        return 126;
    }
    fprintf(io->err, "sh: %s: not found\n", argv[0]);
    return 127;
}

/* NAME=value words in front of a command: set for it (exported), restored after. */
typedef struct saved_var {
    char *name, *old;
    bool was_set;
} saved_var;

static int run_simple(sh_state *s, sh_node *n, tb_io *io)
{
    size_t n_assign = 0;
    while (n_assign < n->n_words && is_assignment(n->words[n_assign]))
        n_assign++;
    char **argv = NULL;
    int argc = 0;
    s->subst_status = 0;
    if (sh_expand_words(s, n->words + n_assign, n->n_words - n_assign, &argv, &argc) < 0)
        return s->flow == SH_EXIT ? s->status : 1;
    int status = 0;
    redirected r;
    if (apply_redirects(s, n->redirs, io, &r) < 0) {
        sh_free_argv(argv);
        return 1;
    }
    saved_var saved[64];
    size_t n_saved = 0;
    for (size_t i = 0; i < n_assign; i++) {
        char *eq = strchr(n->words[i], '=');
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)(eq - n->words[i]), n->words[i]);
        char *value = sh_expand_one(s, eq + 1, false);
        if (value == NULL)
            continue;
        if (argc > 0 && n_saved < sizeof(saved) / sizeof(saved[0])) {
            const char *old = sh_getvar(s, name);
            saved[n_saved] = (saved_var){strdup(name), old ? strdup(old) : NULL, old != NULL};
            n_saved++;
        }
        if (argc == 0)
            status = s->subst_status;
        sh_setvar(s, name, value, argc > 0);
        free(value);
    }
    if (argc > 0) {
        if (s->xtrace) {
            fputc('+', r.io.err);
            for (int i = 0; i < argc; i++)
                fprintf(r.io.err, " %s", argv[i]);
            fputc('\n', r.io.err);
        }
        status = run_command(s, &r.io, argc, argv);
    }
    for (size_t i = n_saved; i-- > 0;) {
        if (saved[i].was_set)
            sh_setvar(s, saved[i].name, saved[i].old, false);
        else
            sh_unsetvar(s, saved[i].name);
        free(saved[i].name);
        free(saved[i].old);
    }
    undo_redirects(&r);
    sh_free_argv(argv);
    return status;
}

/* ---- compound commands ---- */

static int run_pipeline(sh_state *s, sh_node *n, tb_io *io)
{
    sh_node *stages[64];
    size_t count = 0;
    for (sh_node *p = n; p->kind == N_PIPE && count < 63; p = p->a)
        stages[count++] = p->b;
    sh_node *first = n;
    while (first->kind == N_PIPE)
        first = first->a;
    stages[count++] = first;
    int status = 0;
    sh_pipe *prev = NULL;
    FILE *prev_reader = NULL;
    for (size_t i = count; i-- > 0;) { /* stages[] is last first */
        sh_pipe *next = i > 0 ? sh_pipe_new() : NULL;
        FILE *w = next ? sh_pipe_writer(next) : io->out;
        if (w == NULL) {
            fprintf(io->err, "sh: out of memory for a pipe\n");
            status = 1;
            sh_pipe_free(next);
            break;
        }
        tb_io stage = {prev_reader ? prev_reader : io->in, w, io->err};
        sh_flow saved = s->flow;
        status = sh_run(s, stages[i], &stage);
        if (s->flow == SH_EXIT) /* each stage is a subshell: exit ends it only */
            s->flow = saved;
        if (next)
            fclose(w);
        if (prev_reader)
            fclose(prev_reader);
        sh_pipe_free(prev);
        prev = next;
        prev_reader = next ? sh_pipe_reader(next) : NULL;
    }
    if (prev_reader)
        fclose(prev_reader);
    sh_pipe_free(prev);
    return status;
}

/* After a loop body: true when the loop ends (break, exit). */
static bool loop_flow(sh_state *s)
{
    if (s->flow == SH_BREAK || s->flow == SH_CONTINUE) {
        bool brk = s->flow == SH_BREAK;
        if (--s->loop_level > 0)
            return true; /* an outer loop's turn */
        s->flow = SH_RUN;
        return brk;
    }
    return s->flow == SH_EXIT;
}

static int run_cond(sh_state *s, sh_node *n, tb_io *io)
{
    s->cond++;
    int status = sh_run(s, n, io);
    s->cond--;
    return status;
}

static int run_loop(sh_state *s, sh_node *n, tb_io *io)
{
    int status = 0;
    s->loops++;
    for (;;) {
        int c = run_cond(s, n->a, io);
        if (s->flow != SH_RUN || (c == 0) != (n->kind == N_WHILE))
            break;
        status = sh_run(s, n->b, io);
        if (loop_flow(s))
            break;
    }
    s->loops--;
    return status;
}

static int run_for(sh_state *s, sh_node *n, tb_io *io)
{
    char **items = NULL;
    int count = 0, status = 0;
    if (n->for_has_in) {
        if (sh_expand_words(s, n->words, n->n_words, &items, &count) < 0)
            return 1;
    } else {
        char *all = "\"$@\"";
        if (sh_expand_words(s, &all, 1, &items, &count) < 0)
            return 1;
    }
    s->loops++;
    for (int i = 0; i < count; i++) {
        sh_setvar(s, n->name, items[i], false);
        status = sh_run(s, n->a, io);
        if (loop_flow(s))
            break;
    }
    s->loops--;
    sh_free_argv(items);
    return status;
}

static int run_case(sh_state *s, sh_node *n, tb_io *io)
{
    char *word = sh_expand_one(s, n->name, false);
    if (word == NULL)
        return 1;
    int status = 0;
    for (sh_case_item *it = n->items; it; it = it->next) {
        bool match = false;
        for (size_t i = 0; i < it->n_patterns && !match; i++) {
            char *pat = sh_expand_one(s, it->patterns[i], true);
            match = pat && fnmatch(pat, word, 0) == 0;
            free(pat);
        }
        if (match) {
            status = it->body ? sh_run(s, it->body, io) : 0;
            break;
        }
    }
    free(word);
    return status;
}

static int run_subshell(sh_state *s, sh_node *n, tb_io *io)
{
    char cwd[4096];
    bool have_cwd = getcwd(cwd, sizeof(cwd)) != NULL;
    sh_flow saved = s->flow;
    int status = sh_run(s, n->a, io);
    if (s->flow == SH_EXIT)
        s->flow = saved;
    if (have_cwd)
        chdir(cwd);
    return status;
}

static int run_compound(sh_state *s, sh_node *n, tb_io *io)
{
    switch (n->kind) {
    case N_IF: {
        int c = run_cond(s, n->a, io);
        if (s->flow != SH_RUN)
            return c;
        return c == 0 ? sh_run(s, n->b, io) : n->c ? sh_run(s, n->c, io) : 0;
    }
    case N_WHILE:
    case N_UNTIL:
        return run_loop(s, n, io);
    case N_FOR:
        return run_for(s, n, io);
    case N_CASE:
        return run_case(s, n, io);
    case N_SUBSHELL:
        return run_subshell(s, n, io);
    default: /* N_GROUP */
        return sh_run(s, n->a, io);
    }
}

static int run_node(sh_state *s, sh_node *n, tb_io *io)
{
    switch (n->kind) {
    case N_SIMPLE:
        return run_simple(s, n, io);
    case N_PIPE:
        return run_pipeline(s, n, io);
    case N_SEQ:
        sh_run(s, n->a, io);
        return s->flow != SH_RUN ? s->status : sh_run(s, n->b, io);
    case N_AND:
    case N_OR: {
        int a = run_cond(s, n->a, io);
        if (s->flow != SH_RUN || (a == 0) != (n->kind == N_AND))
            return a;
        return sh_run(s, n->b, io);
    }
    case N_NOT:
        return !run_cond(s, n->a, io);
    case N_BG: /* no concurrency in one instance: it runs to its end now */
        sh_run(s, n->a, io);
        return 0;
    default: {
        redirected r;
        if (apply_redirects(s, n->redirs, io, &r) < 0)
            return 1;
        int status = run_compound(s, n, &r.io);
        undo_redirects(&r);
        return status;
    }
    }
}

int sh_run(sh_state *s, sh_node *n, tb_io *io)
{
    if (n == NULL || s->flow != SH_RUN)
        return s->status;
    int status = run_node(s, n, io);
    if (s->flow == SH_EXIT)
        return s->status;
    s->status = status;
    if (status != 0 && s->errexit && s->cond == 0 && (n->kind == N_SIMPLE || n->kind == N_PIPE))
        s->flow = SH_EXIT;
    return status;
}

int sh_run_source(sh_state *s, const char *src, size_t len, tb_io *io)
{
    sh_arena arena = {0};
    sh_parser p = {.lx = {.src = src, .len = len, .arena = &arena}};
    for (;;) {
        sh_node *n = NULL;
        int rc = sh_parse_next(&p, &n);
        if (rc < 0) {
            fprintf(io->err, "sh: syntax error: %s\n", p.error);
            s->status = 2;
            s->flow = SH_EXIT;
            break;
        }
        if (n == NULL)
            break;
        sh_run(s, n, io);
        sh_arena_free(&arena);
        if (s->flow == SH_EXIT)
            break;
    }
    sh_arena_free(&arena);
    return s->status;
}
