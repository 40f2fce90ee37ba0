/* sh's parser: tokens into a tree (sh.h), one complete command at a time, by recursive descent
 * over the POSIX grammar: complete_command → and_or lists → pipelines → commands (simple ones,
 * if/while/until/for/case, { } and ( )). A syntax error sets p->error (p->incomplete when the
 * input ended inside a command: the interactive shell then reads another line). */
#include "sh.h"

#include <stdio.h>
#include <string.h>

static sh_token *peek(sh_parser *p)
{
    if (!p->have_tok) {
        if (sh_lex(&p->lx, &p->tok) < 0) {
            p->error = "unterminated quoted string";
            p->incomplete = true;
            p->tok = (sh_token){.kind = T_EOF, .fd = -1};
        }
        p->have_tok = true;
    }
    return &p->tok;
}

static void take(sh_parser *p)
{
    p->have_tok = false;
}

static bool is_word(sh_parser *p, const char *w)
{
    sh_token *t = peek(p);
    return t->kind == T_WORD && strcmp(t->text, w) == 0;
}

static const char *tok_name(const sh_token *t)
{
    static const char *const names[] = {"end of file", "word", "newline", ";", ";;", "&",
                                        "&&",          "||",   "|",       "(", ")",  "redirection"};
    return t->kind == T_WORD ? t->text : names[t->kind];
}

static void *fail(sh_parser *p, const char *what)
{
    if (!p->error) {
        p->error = what;
        p->incomplete = peek(p)->kind == T_EOF;
    }
    return NULL;
}

static void *unexpected(sh_parser *p)
{
    static char msg[160]; /* one parse at a time in this single-threaded program */
    snprintf(msg, sizeof(msg), "unexpected %s", tok_name(peek(p)));
    return fail(p, msg);
}

static void *expect_word(sh_parser *p, const char *w)
{
    if (p->error)
        return NULL;
    if (!is_word(p, w)) {
        static char msg[160];
        snprintf(msg, sizeof(msg), "unexpected %s (expecting \"%s\")", tok_name(peek(p)), w);
        return fail(p, msg);
    }
    take(p);
    return p; /* not NULL */
}

static sh_node *node(sh_parser *p, sh_node_kind kind, sh_node *a, sh_node *b)
{
    sh_node *n = sh_alloc(p->lx.arena, sizeof(*n));
    if (n == NULL)
        return fail(p, "out of memory");
    n->kind = kind;
    n->a = a;
    n->b = b;
    return n;
}

static void skip_newlines(sh_parser *p)
{
    while (!p->error && peek(p)->kind == T_NEWLINE)
        take(p);
}

static const char *const reserved_end[] = {"then", "else", "elif", "fi", "do", "done", "esac", "}"};

static bool at_list_end(sh_parser *p)
{
    sh_token *t = peek(p);
    if (t->kind == T_EOF || t->kind == T_RPAREN || t->kind == T_DSEMI)
        return true;
    for (size_t i = 0; i < sizeof(reserved_end) / sizeof(reserved_end[0]); i++)
        if (is_word(p, reserved_end[i]))
            return true;
    return false;
}

static sh_node *and_or(sh_parser *p);

/* A compound_list: and_or lists separated by ; & or newlines, up to a closing word. */
static sh_node *list(sh_parser *p)
{
    sh_node *head = NULL;
    skip_newlines(p);
    while (!p->error && !at_list_end(p)) {
        sh_node *n = and_or(p);
        if (p->error)
            return NULL;
        sh_token *t = peek(p);
        if (t->kind == T_AMP)
            n = node(p, N_BG, n, NULL);
        head = head ? node(p, N_SEQ, head, n) : n;
        if (t->kind != T_SEMI && t->kind != T_AMP && t->kind != T_NEWLINE)
            break;
        take(p);
        skip_newlines(p);
    }
    if (!p->error && head == NULL)
        return unexpected(p);
    return head;
}

static bool add_word(sh_parser *p, char ***v, size_t *n, char *w)
{
    char **grown = sh_alloc(p->lx.arena, (*n + 2) * sizeof(char *));
    if (grown == NULL)
        return fail(p, "out of memory"), false;
    if (*n)
        memcpy(grown, *v, *n * sizeof(char *));
    grown[(*n)++] = w;
    *v = grown;
    return true;
}

/* A redirection whose operator is the current token. */
static bool redirect(sh_parser *p, sh_redir ***tail)
{
    sh_token *t = peek(p);
    sh_redir *r = sh_alloc(p->lx.arena, sizeof(*r));
    if (r == NULL)
        return fail(p, "out of memory"), false;
    snprintf(r->op, sizeof(r->op), "%s", t->text);
    r->fd = t->fd >= 0 ? t->fd : (t->text[0] == '<' ? 0 : 1);
    take(p);
    t = peek(p);
    if (t->kind != T_WORD)
        return unexpected(p), false;
    r->word = t->text;
    take(p);
    **tail = r;
    *tail = &r->next;
    return true;
}

static void redirects(sh_parser *p, sh_node *n)
{
    sh_redir **tail = &n->redirs;
    while (*tail)
        tail = &(*tail)->next;
    while (!p->error && peek(p)->kind == T_REDIR)
        redirect(p, &tail);
}

static sh_node *simple(sh_parser *p)
{
    sh_node *n = node(p, N_SIMPLE, NULL, NULL);
    sh_redir **tail = n ? &n->redirs : NULL;
    while (n && !p->error) {
        sh_token *t = peek(p);
        if (t->kind == T_REDIR) {
            redirect(p, &tail);
        } else if (t->kind == T_WORD) {
            add_word(p, &n->words, &n->n_words, t->text);
            take(p);
        } else {
            break;
        }
    }
    if (!p->error && n->n_words == 0 && n->redirs == NULL)
        return unexpected(p);
    return p->error ? NULL : n;
}

static sh_node *if_clause(sh_parser *p)
{
    take(p); /* if or elif */
    sh_node *n = node(p, N_IF, list(p), NULL);
    expect_word(p, "then");
    if (p->error)
        return NULL;
    n->b = list(p);
    if (is_word(p, "elif")) {
        n->c = if_clause(p);
        return p->error ? NULL : n;
    }
    if (is_word(p, "else")) {
        take(p);
        n->c = list(p);
    }
    expect_word(p, "fi");
    return p->error ? NULL : n;
}

static sh_node *loop_clause(sh_parser *p, sh_node_kind kind)
{
    take(p);
    sh_node *n = node(p, kind, list(p), NULL);
    expect_word(p, "do");
    if (p->error)
        return NULL;
    n->b = list(p);
    expect_word(p, "done");
    return p->error ? NULL : n;
}

static sh_node *for_clause(sh_parser *p)
{
    take(p);
    sh_token *t = peek(p);
    if (t->kind != T_WORD || !sh_valid_name(t->text, strlen(t->text)))
        return unexpected(p);
    sh_node *n = node(p, N_FOR, NULL, NULL);
    if (n == NULL)
        return NULL;
    n->name = t->text;
    take(p);
    skip_newlines(p);
    if (is_word(p, "in")) {
        take(p);
        n->for_has_in = true;
        while (!p->error && peek(p)->kind == T_WORD) {
            add_word(p, &n->words, &n->n_words, peek(p)->text);
            take(p);
        }
        if (!p->error && peek(p)->kind != T_SEMI && peek(p)->kind != T_NEWLINE)
            return unexpected(p);
        take(p);
    } else if (peek(p)->kind == T_SEMI) {
        take(p);
    }
    skip_newlines(p);
    expect_word(p, "do");
    if (p->error)
        return NULL;
    n->a = list(p);
    expect_word(p, "done");
    return p->error ? NULL : n;
}

static sh_case_item *case_item(sh_parser *p)
{
    sh_case_item *it = sh_alloc(p->lx.arena, sizeof(*it));
    if (it == NULL)
        return fail(p, "out of memory");
    if (peek(p)->kind == T_LPAREN)
        take(p);
    for (;;) {
        sh_token *t = peek(p);
        if (t->kind != T_WORD)
            return unexpected(p);
        add_word(p, &it->patterns, &it->n_patterns, t->text);
        take(p);
        if (peek(p)->kind != T_PIPE)
            break;
        take(p);
    }
    if (peek(p)->kind != T_RPAREN)
        return unexpected(p);
    take(p);
    skip_newlines(p);
    if (!is_word(p, "esac") && peek(p)->kind != T_DSEMI)
        it->body = list(p);
    if (!p->error && peek(p)->kind == T_DSEMI) {
        take(p);
        skip_newlines(p);
    }
    return p->error ? NULL : it;
}

static sh_node *case_clause(sh_parser *p)
{
    take(p);
    sh_token *t = peek(p);
    if (t->kind != T_WORD)
        return unexpected(p);
    sh_node *n = node(p, N_CASE, NULL, NULL);
    if (n == NULL)
        return NULL;
    n->name = t->text;
    take(p);
    skip_newlines(p);
    expect_word(p, "in");
    skip_newlines(p);
    sh_case_item **tail = &n->items;
    while (!p->error && !is_word(p, "esac")) {
        *tail = case_item(p);
        if (*tail)
            tail = &(*tail)->next;
    }
    expect_word(p, "esac");
    return p->error ? NULL : n;
}

static sh_node *command(sh_parser *p)
{
    sh_node *n = NULL;
    sh_token *t = peek(p);
    if (t->kind == T_LPAREN) {
        take(p);
        n = node(p, N_SUBSHELL, list(p), NULL);
        if (!p->error && peek(p)->kind != T_RPAREN)
            return unexpected(p);
        take(p);
    } else if (is_word(p, "{")) {
        take(p);
        n = node(p, N_GROUP, list(p), NULL);
        expect_word(p, "}");
    } else if (is_word(p, "if")) {
        n = if_clause(p);
    } else if (is_word(p, "while")) {
        n = loop_clause(p, N_WHILE);
    } else if (is_word(p, "until")) {
        n = loop_clause(p, N_UNTIL);
    } else if (is_word(p, "for")) {
        n = for_clause(p);
    } else if (is_word(p, "case")) {
        n = case_clause(p);
    } else {
        return simple(p);
    }
    if (p->error)
        return NULL;
    redirects(p, n);
    return p->error ? NULL : n;
}

static sh_node *pipeline(sh_parser *p)
{
    bool bang = false;
    if (is_word(p, "!")) {
        take(p);
        bang = true;
    }
    sh_node *n = command(p);
    while (!p->error && peek(p)->kind == T_PIPE) {
        take(p);
        skip_newlines(p);
        n = node(p, N_PIPE, n, command(p));
    }
    if (bang && !p->error)
        n = node(p, N_NOT, n, NULL);
    return p->error ? NULL : n;
}

static sh_node *and_or(sh_parser *p)
{
    sh_node *n = pipeline(p);
    while (!p->error && (peek(p)->kind == T_AND || peek(p)->kind == T_OR)) {
        sh_node_kind kind = peek(p)->kind == T_AND ? N_AND : N_OR;
        take(p);
        skip_newlines(p);
        n = node(p, kind, n, pipeline(p));
    }
    return p->error ? NULL : n;
}

int sh_parse_next(sh_parser *p, sh_node **ret)
{
    *ret = NULL;
    skip_newlines(p);
    if (p->error)
        return -1;
    if (peek(p)->kind == T_EOF)
        return 0;
    sh_node *head = NULL;
    for (;;) {
        sh_node *n = and_or(p);
        if (p->error)
            return -1;
        sh_token *t = peek(p);
        if (t->kind == T_AMP)
            n = node(p, N_BG, n, NULL);
        head = head ? node(p, N_SEQ, head, n) : n;
        if (t->kind == T_SEMI || t->kind == T_AMP) {
            take(p);
            t = peek(p);
            if (t->kind == T_NEWLINE || t->kind == T_EOF)
                break;
            continue;
        }
        if (t->kind == T_NEWLINE || t->kind == T_EOF)
            break;
        unexpected(p);
        return -1;
    }
    if (peek(p)->kind == T_NEWLINE)
        take(p);
    *ret = head;
    return p->error ? -1 : 0;
}
