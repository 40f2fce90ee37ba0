/* The toolbox's sh: the parts' shared types. One sh_state per call of the applet (the shell keeps
 * nothing between calls); its parser turns the source into one complete command at a time (a tree
 * of sh_node, allocated in an arena freed after it ran), which exec.c runs in this one instance:
 * applets are called as functions, pipeline stages run in order through in-memory pipes
 * (pipebuf.c), builtins change the state.
 *
 * Files: lex.c (tokens), parse.c (the tree), expand.c (words to fields), exec.c (running the
 * tree), builtins.c (cd, exit, export, read, set...), vars.c (variables), pipebuf.c (in-memory
 * pipes), sh.c (the applet: -c, scripts, the interactive prompt). */
#ifndef WASMCRI_TOOLBOX_SH_H
#define WASMCRI_TOOLBOX_SH_H

#include <stdbool.h>
#include <stddef.h>

#include "applet.h"

/* ---- arena: every allocation of one parse, freed at once ---- */
typedef struct sh_arena {
    struct sh_chunk *chunks;
} sh_arena;

void *sh_alloc(sh_arena *a, size_t n); /* zeroed; aborts the parse on ENOMEM via NULL */
char *sh_strndup(sh_arena *a, const char *s, size_t n);
void sh_arena_free(sh_arena *a);

/* ---- lexer ---- */
typedef enum {
    T_EOF,
    T_WORD,
    T_NEWLINE,
    T_SEMI,   /* ; */
    T_DSEMI,  /* ;; */
    T_AMP,    /* & */
    T_AND,    /* && */
    T_OR,     /* || */
    T_PIPE,   /* | */
    T_LPAREN, /* ( */
    T_RPAREN, /* ) */
    T_REDIR,  /* < > >> <& >& <> >| with an optional fd number in front */
} sh_tok_kind;

typedef struct sh_token {
    sh_tok_kind kind;
    char *text; /* T_WORD: the raw word, quotes kept; T_REDIR: the operator */
    int fd;     /* T_REDIR: the number in front, or -1 */
} sh_token;

typedef struct sh_lexer {
    const char *src;
    size_t len, pos;
    sh_arena *arena;
} sh_lexer;

/* The next token; -1 on an unterminated quote or $( (more input may complete it). */
int sh_lex(sh_lexer *lx, sh_token *ret);

/* The length of the $(...), ${...} or `...` that starts at s (s[0] == '$' or '`'), quotes and
 * nesting followed; 0 when it is not closed before n. */
size_t sh_scan_subst(const char *s, size_t n);

/* ---- tree ---- */
typedef enum {
    N_SIMPLE,
    N_PIPE,     /* a | b */
    N_AND,      /* a && b */
    N_OR,       /* a || b */
    N_SEQ,      /* a ; b */
    N_NOT,      /* ! a */
    N_BG,       /* a & */
    N_IF,       /* if a then b else c */
    N_WHILE,    /* while a do b */
    N_UNTIL,    /* until a do b */
    N_FOR,      /* for var in words do a */
    N_CASE,     /* case word in items esac */
    N_GROUP,    /* { a; } */
    N_SUBSHELL, /* ( a ) */
} sh_node_kind;

typedef struct sh_redir {
    int fd;     /* the fd redirected (0 for <, 1 for >) */
    char op[4]; /* "<" ">" ">>" "<&" ">&" "<>" */
    char *word; /* raw target */
    struct sh_redir *next;
} sh_redir;

typedef struct sh_case_item {
    char **patterns; /* raw */
    size_t n_patterns;
    struct sh_node *body; /* may be NULL */
    struct sh_case_item *next;
} sh_case_item;

typedef struct sh_node {
    sh_node_kind kind;
    char **words; /* N_SIMPLE: raw words (assignments first); N_FOR: the list */
    size_t n_words;
    bool for_has_in; /* N_FOR: "in" given (else "$@") */
    char *name;      /* N_FOR: the variable; N_CASE: the raw word */
    sh_redir *redirs;
    struct sh_node *a, *b, *c;
    sh_case_item *items;
    int line;
} sh_node;

typedef struct sh_parser {
    sh_lexer lx;
    sh_token tok; /* the current token */
    bool have_tok;
    const char *error; /* syntax error text, or NULL */
    bool incomplete;   /* the input ended inside a command */
} sh_parser;

/* The next complete command of p's source into *ret (NULL at the end). 0, or -1 with p->error
 * (p->incomplete when more input could complete it). */
int sh_parse_next(sh_parser *p, sh_node **ret);

/* ---- the shell's state ---- */
typedef struct sh_var {
    char *name, *value;
    struct sh_var *next;
} sh_var;

typedef enum { SH_RUN, SH_EXIT, SH_BREAK, SH_CONTINUE } sh_flow;

typedef struct sh_state {
    tb_io *io;           /* the shell's own stdio */
    char *name;          /* $0 */
    char **params;       /* $1... */
    char **owned_params; /* set by `set --` (freed with the state) */
    int n_params;
    sh_var *vars;     /* variables not exported (exported ones live in environ) */
    int status;       /* $? */
    int subst_status; /* the last command substitution's status (a bare assignment's status) */
    bool errexit;     /* set -e */
    bool xtrace;      /* set -x */
    int cond;         /* >0 inside a condition: set -e does not apply */
    sh_flow flow;     /* exit / break / continue under way */
    int loop_level;   /* break/continue count left */
    int loops;        /* loops we are in */
    bool interactive;
    int depth; /* command substitutions and evals nested */
} sh_state;

/* vars.c */
const char *sh_getvar(sh_state *s, const char *name); /* NULL: unset */
int sh_setvar(sh_state *s, const char *name, const char *value, bool export);
int sh_unsetvar(sh_state *s, const char *name);
int sh_export(sh_state *s, const char *name);
bool sh_valid_name(const char *s, size_t n);
void sh_vars_free(sh_state *s);

/* expand.c: words to fields (parameter and command substitution, field splitting, globbing,
 * quote removal). *ret_argv is NULL-terminated, the caller frees it with sh_free_argv. */
int sh_expand_words(sh_state *s, char *const *words, size_t n, char ***ret_argv, int *ret_argc);
/* One word with no field splitting or globbing (redirection targets, assignments, case words);
 * as_pattern keeps quoted pattern characters escaped for fnmatch. Caller frees. */
char *sh_expand_one(sh_state *s, const char *word, bool as_pattern);
void sh_free_argv(char **argv);

/* exec.c */
int sh_run(sh_state *s, sh_node *n, tb_io *io);
/* Parses and runs src (a -c string, a script, an eval); returns the last status. */
int sh_run_source(sh_state *s, const char *src, size_t len, tb_io *io);

/* builtins.c: runs the builtin argv[0] names into *ret_status; false when there is none. */
bool sh_builtin(sh_state *s, tb_io *io, int argc, char **argv, int *ret_status);

/* pipebuf.c: an in-memory pipe. The writer stream holds up to SH_PIPE_MAX bytes (a write past it
 * fails with EPIPE, as if the reader were gone); the reader stream reads what was written. */
#define SH_PIPE_MAX (16u << 20)
typedef struct sh_pipe sh_pipe;
sh_pipe *sh_pipe_new(void);
FILE *sh_pipe_writer(sh_pipe *p); /* fclose it before reading */
FILE *sh_pipe_reader(sh_pipe *p); /* fclose it, then sh_pipe_free */
/* What was written (NUL-terminated, borrowed). */
const char *sh_pipe_data(sh_pipe *p, size_t *ret_len);
void sh_pipe_free(sh_pipe *p);

#endif
