/* xargs [-n MAX] [-I REPLACE] [-0] [COMMAND [ARG]...]: runs the applet COMMAND (echo by default)
 * with the words of the input added, MAX at a time, or once per line with REPLACE in ARGs
 * replaced. Words are split on blanks and newlines, with '...', "..." and \ quoting; -0 on NULs.
 * Exit 123 when a run failed, 127 when COMMAND is no applet, as busybox. */
#include "applet.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct words {
    char **v;
    size_t n, cap;
} words;

static bool push(words *w, char *s)
{
    if (w->n + 2 > w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 16;
        char **v = realloc(w->v, cap * sizeof(char *));
        if (v == NULL)
            return false;
        w->v = v;
        w->cap = cap;
    }
    w->v[w->n++] = s;
    w->v[w->n] = NULL;
    return true;
}

static void clear(words *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i]);
    free(w->v);
}

/* The next word of the input (NULL at its end); lines: a whole line is one word (-I). */
static char *next_word(FILE *in, bool nul, bool lines)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int c, quote = 0;
    bool any = false;
    while ((c = fgetc(in)) != EOF) {
        if (nul     ? c == '\0'
            : lines ? c == '\n'
                    : (!quote && (c == ' ' || c == '\t' || c == '\n'))) {
            if (any || nul)
                break;
            continue;
        }
        if (!nul && !lines && (c == '\'' || c == '"') && (!quote || quote == c)) {
            quote = quote ? 0 : c;
            any = true;
            continue;
        }
        if (!nul && !lines && c == '\\' && !quote) {
            c = fgetc(in);
            if (c == EOF)
                break;
        }
        if (len + 2 > cap) {
            char *grown = realloc(buf, cap = cap ? 2 * cap : 64);
            if (grown == NULL)
                break;
            buf = grown;
        }
        buf[len++] = (char)c;
        any = true;
    }
    if (!any && c == EOF) {
        free(buf);
        return NULL;
    }
    if (buf == NULL)
        buf = calloc(1, 1);
    else
        buf[len] = '\0';
    return buf;
}

static char *replace(const char *arg, const char *rep, const char *with)
{
    size_t rl = strlen(rep), wl = strlen(with), n = 0;
    for (const char *p = strstr(arg, rep); rl && p; p = strstr(p + rl, rep))
        n++;
    char *out = malloc(strlen(arg) + n * wl + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (const char *p = arg, *hit; *p;) {
        hit = rl ? strstr(p, rep) : NULL;
        if (hit == NULL) {
            strcpy(o, p);
            return out;
        }
        memcpy(o, p, (size_t)(hit - p));
        o += hit - p;
        memcpy(o, with, wl);
        o += wl;
        p = hit + rl;
    }
    *o = '\0';
    return out;
}

static int run(tb_io *io, words *cmd, int *status)
{
    const char *slash = strrchr(cmd->v[0], '/');
    if (!tb_find_applet(slash ? slash + 1 : cmd->v[0])) {
        fprintf(io->err, "xargs: %s: No such file or directory\n", cmd->v[0]);
        return 127;
    }
    if (tb_run_applet(io, (int)cmd->n, cmd->v) != 0)
        *status = 123;
    return 0;
}

int applet_xargs(tb_io *io, int argc, char **argv)
{
    long max = 0;
    const char *rep = NULL;
    bool nul = false;
    int c, status = 0;
    tb_getopt_reset();
    while ((c = tb_getopt(io, argc, argv, "n:I:0")) != -1) {
        if (c == 'n')
            max = strtol(optarg, NULL, 10);
        else if (c == 'I')
            rep = optarg;
        else if (c == '0')
            nul = true;
        else
            return 1;
    }
    char *echo_argv[] = {"echo", NULL};
    char **base = optind < argc ? argv + optind : echo_argv;
    size_t nbase = optind < argc ? (size_t)(argc - optind) : 1;
    words input = {0};
    for (char *w; (w = next_word(io->in, nul, rep != NULL)) != NULL;)
        if (!push(&input, w)) {
            free(w);
            break;
        }
    size_t per = rep ? 1 : max > 0 ? (size_t)max : input.n ? input.n : 1;
    for (size_t i = 0; i < input.n || (i == 0 && !rep && input.n == 0); i += per) {
        words cmd = {0};
        for (size_t k = 0; k < nbase; k++)
            push(&cmd, rep ? replace(base[k], rep, input.v[i]) : strdup(base[k]));
        for (size_t k = i; !rep && k < i + per && k < input.n; k++)
            push(&cmd, strdup(input.v[k]));
        int rc = run(io, &cmd, &status);
        clear(&cmd);
        if (rc) {
            status = rc;
            break;
        }
        if (input.n == 0)
            break;
    }
    clear(&input);
    return status;
}
