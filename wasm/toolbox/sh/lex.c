/* sh's lexer: the source into words (raw: quotes and $(...) kept for expand.c), newlines,
 * operators and redirections with their fd number; comments and \-newlines dropped. */
#include "sh.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct sh_chunk {
    struct sh_chunk *next;
    max_align_t data[];
};

void *sh_alloc(sh_arena *a, size_t n)
{
    struct sh_chunk *c = calloc(1, sizeof(*c) + n);
    if (c == NULL)
        return NULL;
    c->next = a->chunks;
    a->chunks = c;
    return c->data;
}

char *sh_strndup(sh_arena *a, const char *s, size_t n)
{
    char *d = sh_alloc(a, n + 1);
    if (d)
        memcpy(d, s, n);
    return d;
}

void sh_arena_free(sh_arena *a)
{
    while (a->chunks) {
        struct sh_chunk *next = a->chunks->next;
        free(a->chunks);
        a->chunks = next;
    }
}

/* Length of a '...' or "..." quote starting at s; 0 when unterminated. */
static size_t scan_quote(const char *s, size_t n)
{
    char q = s[0];
    for (size_t i = 1; i < n; i++) {
        if (s[i] == q)
            return i + 1;
        if (q == '"' && s[i] == '\\' && i + 1 < n) {
            i++;
        } else if (q == '"' && (s[i] == '$' || s[i] == '`')) {
            size_t k = sh_scan_subst(s + i, n - i);
            if (k == 0 && (s[i] == '`' || (i + 1 < n && (s[i + 1] == '(' || s[i + 1] == '{'))))
                return 0;
            if (k)
                i += k - 1;
        }
    }
    return 0;
}

size_t sh_scan_subst(const char *s, size_t n)
{
    if (s[0] == '`') {
        for (size_t i = 1; i < n; i++) {
            if (s[i] == '\\' && i + 1 < n)
                i++;
            else if (s[i] == '`')
                return i + 1;
        }
        return 0;
    }
    if (n < 2 || (s[1] != '(' && s[1] != '{'))
        return 0;
    char open = s[1], close = open == '(' ? ')' : '}';
    int depth = 0;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (c == '\\' && i + 1 < n) {
            i++;
        } else if (c == '\'' || c == '"') {
            size_t k = scan_quote(s + i, n - i);
            if (k == 0)
                return 0;
            i += k - 1;
        } else if ((c == '$' && i + 1 < n && (s[i + 1] == '(' || s[i + 1] == '{')) || c == '`') {
            size_t k = sh_scan_subst(s + i, n - i);
            if (k == 0)
                return 0;
            i += k - 1;
        } else if (c == open) {
            depth++;
        } else if (c == close && --depth == 0) {
            return i + 1;
        }
    }
    return 0;
}

static bool is_meta(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' ||
           c == ')' || c == '<' || c == '>';
}

static void skip_blanks(sh_lexer *lx)
{
    for (;;) {
        const char *s = lx->src + lx->pos;
        size_t left = lx->len - lx->pos;
        if (left && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r')) {
            lx->pos++;
        } else if (left >= 2 && s[0] == '\\' && s[1] == '\n') {
            lx->pos += 2;
        } else if (left && s[0] == '#') {
            while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
                lx->pos++;
        } else {
            return;
        }
    }
}

/* A redirection operator at s (after an optional fd number); its length or 0. */
static size_t redir_op(const char *s, size_t n)
{
    static const char *const ops[] = {">>", "<&", ">&", "<>", ">|", "<", ">"};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        size_t l = strlen(ops[i]);
        if (l <= n && strncmp(s, ops[i], l) == 0)
            return l;
    }
    return 0;
}

static int lex_word(sh_lexer *lx, sh_token *t)
{
    const char *s = lx->src;
    size_t start = lx->pos, i = lx->pos;
    while (i < lx->len && !is_meta(s[i])) {
        size_t k = 1;
        if (s[i] == '\\') {
            k = i + 1 < lx->len ? 2 : 1;
        } else if (s[i] == '\'' || s[i] == '"') {
            k = scan_quote(s + i, lx->len - i);
            if (k == 0)
                return -1;
        } else if (s[i] == '`' ||
                   (s[i] == '$' && i + 1 < lx->len && (s[i + 1] == '(' || s[i + 1] == '{'))) {
            k = sh_scan_subst(s + i, lx->len - i);
            if (k == 0)
                return -1;
        }
        i += k;
    }
    lx->pos = i;
    t->kind = T_WORD;
    t->text = sh_strndup(lx->arena, s + start, i - start);
    return t->text ? 0 : -1;
}

int sh_lex(sh_lexer *lx, sh_token *t)
{
    skip_blanks(lx);
    *t = (sh_token){.kind = T_EOF, .fd = -1};
    if (lx->pos >= lx->len)
        return 0;
    const char *s = lx->src + lx->pos;
    size_t left = lx->len - lx->pos, digits = 0;
    while (digits < left && isdigit((unsigned char)s[digits]))
        digits++;
    size_t op = redir_op(s + digits, left - digits);
    if (op && (digits == 0 || digits <= 2)) {
        t->kind = T_REDIR;
        t->fd = digits ? atoi(s) : -1;
        t->text = sh_strndup(lx->arena, s + digits, op);
        lx->pos += digits + op;
        return t->text ? 0 : -1;
    }
    static const struct {
        const char *text;
        sh_tok_kind kind;
    } ops[] = {{";;", T_DSEMI}, {"&&", T_AND}, {"||", T_OR},    {"\n", T_NEWLINE}, {";", T_SEMI},
               {"&", T_AMP},    {"|", T_PIPE}, {"(", T_LPAREN}, {")", T_RPAREN}};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        size_t l = strlen(ops[i].text);
        if (l <= left && strncmp(s, ops[i].text, l) == 0) {
            t->kind = ops[i].kind;
            lx->pos += l;
            return 0;
        }
    }
    return lex_word(lx, t);
}
