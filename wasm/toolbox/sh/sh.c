/* The sh applet: `sh -c 'CMD' [NAME [ARG...]]`, `sh SCRIPT [ARG...]`, a script on stdin, or an
 * interactive prompt ($PS1, default "PWD # ") when stdin is a terminal. Options -e (errexit)
 * and -x (xtrace) as `set` takes them. Exit status: the last command's; 2 on a syntax error. */
#include "sh.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The whole of f into a new string (*ret_len bytes, NUL-terminated); NULL on ENOMEM. */
static char *slurp(FILE *f, size_t *ret_len)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m == NULL)
        return NULL;
    char chunk[4096];
    for (size_t n; (n = fread(chunk, 1, sizeof(chunk), f)) > 0;)
        fwrite(chunk, 1, n, m);
    fclose(m);
    *ret_len = len;
    return buf;
}

/* 1 when src parses to its end, 0 when it ends inside a command, -1 on a syntax error. */
static int complete(const char *src, size_t len, const char **ret_error)
{
    sh_arena arena = {0};
    sh_parser p = {.lx = {.src = src, .len = len, .arena = &arena}};
    sh_node *n;
    int rc;
    while ((rc = sh_parse_next(&p, &n)) == 0 && n)
        sh_arena_free(&arena);
    sh_arena_free(&arena);
    *ret_error = p.error;
    return rc == 0 ? 1 : p.incomplete ? 0 : -1;
}

static void prompt(sh_state *s, bool more)
{
    const char *ps = sh_getvar(s, more ? "PS2" : "PS1");
    char cwd[4096];
    if (ps)
        fputs(ps, s->io->err);
    else if (more)
        fputs("> ", s->io->err);
    else
        fprintf(s->io->err, "%s # ", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
    fflush(s->io->err);
}

static void interactive(sh_state *s)
{
    char *buf = NULL, line[4096];
    size_t len = 0;
    while (s->flow != SH_EXIT) {
        prompt(s, len > 0);
        if (fgets(line, sizeof(line), s->io->in) == NULL) {
            fputc('\n', s->io->err);
            break;
        }
        size_t n = strlen(line);
        char *grown = realloc(buf, len + n + 1);
        if (grown == NULL)
            break;
        buf = grown;
        memcpy(buf + len, line, n + 1);
        len += n;
        const char *error = NULL;
        int c = complete(buf, len, &error);
        if (c == 0)
            continue;
        if (c < 0) {
            fprintf(s->io->err, "sh: syntax error: %s\n", error);
            s->status = 2;
        } else {
            sh_run_source(s, buf, len, s->io);
            if (s->flow != SH_EXIT)
                s->flow = SH_RUN; /* a break outside a loop */
        }
        len = 0;
        fflush(s->io->out);
    }
    free(buf);
}

static int usage(tb_io *io)
{
    fputs("usage: sh [-ex] [-c COMMAND [NAME [ARG...]] | SCRIPT [ARG...]]\n", io->err);
    return 2;
}

int applet_sh(tb_io *io, int argc, char **argv)
{
    sh_state s = {.io = io, .name = argv[0]};
    const char *command = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        for (const char *f = argv[i] + 1; *f; f++) {
            if (*f == 'c')
                command = "";
            else if (*f == 'e')
                s.errexit = true;
            else if (*f == 'x')
                s.xtrace = true;
            else if (*f != 's' && *f != 'i')
                return usage(io);
        }
    }
    if (command) {
        if (i >= argc) {
            fputs("sh: -c requires an argument\n", io->err);
            return 2;
        }
        command = argv[i++];
        if (i < argc)
            s.name = argv[i++];
    }
    char *script = NULL;
    size_t script_len = 0;
    if (!command && i < argc) {
        FILE *f = fopen(argv[i], "r");
        if (f == NULL) {
            fprintf(io->err, "sh: can't open '%s': %s\n", argv[i], strerror(errno));
            return 127;
        }
        s.name = argv[i++];
        script = slurp(f, &script_len);
        fclose(f);
    }
    s.params = argv + i;
    s.n_params = argc - i;
    if (command) {
        sh_run_source(&s, command, strlen(command), io);
    } else if (script) {
        sh_run_source(&s, script, script_len, io);
    } else if (isatty(fileno(io->in))) {
        s.interactive = true;
        interactive(&s);
    } else {
        script = slurp(io->in, &script_len);
        if (script)
            sh_run_source(&s, script, script_len, io);
    }
    free(script);
    sh_free_argv(s.owned_params);
    sh_vars_free(&s);
    fflush(io->out);
    return s.status;
}
