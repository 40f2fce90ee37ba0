/* sh's builtins: what changes the shell itself (cd, exit, export, unset, set, shift, read,
 * break, continue, eval, ., exec, :, wait, trap). To add one: a function below and its line in
 * the table. Everything else is an applet (applets.def). */
#include "sh.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "numbers.h"

typedef int builtin_fn(sh_state *s, tb_io *io, int argc, char **argv);

static int bi_colon(sh_state *s, tb_io *io, int argc, char **argv)
{
    (void)s, (void)io, (void)argc, (void)argv;
    return 0;
}

static int bi_cd(sh_state *s, tb_io *io, int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : sh_getvar(s, "HOME");
    if (dir == NULL || *dir == '\0')
        dir = "/";
    if (strcmp(dir, "-") == 0)
        dir = sh_getvar(s, "OLDPWD") ? sh_getvar(s, "OLDPWD") : ".";
    char old[4096];
    if (getcwd(old, sizeof(old)) == NULL)
        snprintf(old, sizeof(old), "/");
    if (chdir(dir) < 0) {
        fprintf(io->err, "sh: cd: can't cd to %s: %s\n", dir, strerror(errno));
        return 2;
    }
    char now[4096];
    sh_setvar(s, "OLDPWD", old, true);
    sh_setvar(s, "PWD", getcwd(now, sizeof(now)) ? now : dir, true);
    return 0;
}

static int bi_exit(sh_state *s, tb_io *io, int argc, char **argv)
{
    (void)io;
    s->flow = SH_EXIT;
    s->status = argc > 1 ? tb_atoi_clamp(argv[1], INT_MIN, INT_MAX) & 255 : s->status;
    return s->status;
}

static int bi_export(sh_state *s, tb_io *io, int argc, char **argv)
{
    bool unexport = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-p") == 0 && argc == 2) {
            extern char **environ;
            for (char **e = environ; *e; e++) {
                const char *eq = strchr(*e, '=');
                fprintf(io->out, "export %.*s='%s'\n", (int)(eq ? eq - *e : 0), *e,
                        eq ? eq + 1 : "");
            }
            continue;
        }
        if (strcmp(argv[i], "-n") == 0) {
            unexport = true;
            continue;
        }
        char *eq = strchr(argv[i], '=');
        size_t len = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
        if (!sh_valid_name(argv[i], len)) {
            fprintf(io->err, "sh: export: %s: bad variable name\n", argv[i]);
            return 1;
        }
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)len, argv[i]);
        if (unexport) {
            const char *v = sh_getvar(s, name);
            char *copy = v ? strdup(v) : NULL;
            unsetenv(name);
            if (copy)
                sh_setvar(s, name, copy, false);
            free(copy);
        } else if (eq) {
            sh_setvar(s, name, eq + 1, true);
        } else {
            sh_export(s, name);
        }
    }
    return 0;
}

static int bi_unset(sh_state *s, tb_io *io, int argc, char **argv)
{
    (void)io;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-v") != 0)
            sh_unsetvar(s, argv[i]);
    return 0;
}

static int bi_set(sh_state *s, tb_io *io, int argc, char **argv)
{
    int i = 1;
    for (; i < argc && (argv[i][0] == '-' || argv[i][0] == '+') && argv[i][1]; i++) {
        bool on = argv[i][0] == '-';
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        for (const char *f = argv[i] + 1; *f; f++) {
            if (*f == 'e')
                s->errexit = on;
            else if (*f == 'x')
                s->xtrace = on;
            else if (*f == 'o' && i + 1 < argc && strcmp(argv[i + 1], "errexit") == 0)
                s->errexit = on, i++;
            else if (*f != 'u' && *f != 'f' && *f != 'o') {
                fprintf(io->err, "sh: set: illegal option %c%c\n", argv[i][0], *f);
                return 2;
            }
        }
    }
    if (i < argc || (argc > 1 && strcmp(argv[argc - 1], "--") == 0)) {
        /* new positional parameters: they point into argv, which the caller frees: copy */
        char **params = calloc((size_t)(argc - i) + 1, sizeof(char *));
        for (int k = i; params && k < argc; k++)
            params[k - i] = strdup(argv[k]);
        if (params == NULL)
            return 1;
        sh_free_argv(s->owned_params);
        s->owned_params = params;
        s->params = params;
        s->n_params = argc - i;
    }
    return 0;
}

static int bi_shift(sh_state *s, tb_io *io, int argc, char **argv)
{
    int k = argc > 1 ? tb_atoi_clamp(argv[1], INT_MIN, INT_MAX) : 1;
    if (k < 0 || k > s->n_params) {
        fprintf(io->err, "sh: shift: can't shift that many\n");
        return 1;
    }
    s->params += k;
    s->n_params -= k;
    return 0;
}

/* read [-r] [NAME...]: one line of input into the names, split on $IFS; 1 at end of input. */
static int bi_read(sh_state *s, tb_io *io, int argc, char **argv)
{
    int i = 1;
    bool raw = false;
    for (; i < argc && argv[i][0] == '-'; i++)
        if (strcmp(argv[i], "-r") == 0)
            raw = true;
    char *line = NULL;
    size_t cap = 0, len = 0;
    int c, status = 0;
    for (;;) {
        c = fgetc(io->in);
        if (c == EOF) {
            status = 1;
            break;
        }
        if (c == '\\' && !raw) {
            int n = fgetc(io->in);
            if (n == '\n' || n == EOF)
                continue;
            c = n;
        } else if (c == '\n') {
            break;
        }
        if (len + 2 > cap) {
            char *grown = realloc(line, cap = cap ? 2 * cap : 128);
            if (grown == NULL) {
                free(line);
                return 1;
            }
            line = grown;
        }
        line[len++] = (char)c;
    }
    if (line)
        line[len] = '\0';
    const char *ifs = sh_getvar(s, "IFS");
    if (ifs == NULL)
        ifs = " \t\n";
    char *p = line ? line : "";
    if (i == argc)
        sh_setvar(s, "REPLY", p, false);
    for (; i < argc; i++) {
        while (*p && strchr(ifs, *p))
            p++;
        char *end = p;
        if (i < argc - 1) {
            while (*end && !strchr(ifs, *end))
                end++;
        } else { /* the last name takes the rest, trailing separators dropped */
            end = p + strlen(p);
            while (end > p && strchr(ifs, end[-1]))
                end--;
        }
        char save = *end;
        *end = '\0';
        sh_setvar(s, argv[i], p, false);
        *end = save;
        p = end;
    }
    free(line);
    return status;
}

static int bi_break(sh_state *s, tb_io *io, int argc, char **argv)
{
    (void)io;
    if (s->loops == 0)
        return 0;
    int k = argc > 1 ? tb_atoi_clamp(argv[1], INT_MIN, INT_MAX) : 1;
    s->loop_level = k < 1 ? 1 : k > s->loops ? s->loops : k;
    s->flow = strcmp(argv[0], "break") == 0 ? SH_BREAK : SH_CONTINUE;
    return 0;
}

static char *join(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *src = calloc(1, len);
    for (int i = 0; src && i < argc; i++) {
        strcat(src, argv[i]);
        strcat(src, i + 1 < argc ? " " : "");
    }
    return src;
}

static int bi_eval(sh_state *s, tb_io *io, int argc, char **argv)
{
    char *src = join(argc - 1, argv + 1);
    if (src == NULL)
        return 1;
    s->status = 0;
    int status = sh_run_source(s, src, strlen(src), io);
    free(src);
    return status;
}

static int bi_source(sh_state *s, tb_io *io, int argc, char **argv)
{
    if (argc < 2) {
        fprintf(io->err, "sh: .: filename argument required\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (f == NULL) {
        fprintf(io->err, "sh: .: can't open '%s': %s\n", argv[1], strerror(errno));
        return 2;
    }
    char *src = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&src, &len);
    char buf[4096];
    for (size_t n; m && (n = fread(buf, 1, sizeof(buf), f)) > 0;)
        fwrite(buf, 1, n, m);
    fclose(f);
    if (m)
        fclose(m);
    int status = src ? sh_run_source(s, src, len, io) : 1;
    free(src);
    return status;
}

/* exec CMD: runs it and ends the shell with its status (no process to replace). */
static int bi_exec(sh_state *s, tb_io *io, int argc, char **argv)
{
    if (argc < 2)
        return 0;
    int status = 0;
    if (!sh_builtin(s, io, argc - 1, argv + 1, &status)) {
        const char *slash = strrchr(argv[1], '/');
        if (tb_find_applet(slash ? slash + 1 : argv[1])) {
            status = tb_run_applet(io, argc - 1, argv + 1);
        } else {
            fprintf(io->err, "sh: exec: %s: not found\n", argv[1]);
            status = 127;
        }
    }
    s->status = status;
    s->flow = SH_EXIT;
    return status;
}

static const struct {
    const char *name;
    builtin_fn *fn;
} builtins[] = {
    {":", bi_colon},       {"cd", bi_cd},          {"exit", bi_exit},   {"export", bi_export},
    {"unset", bi_unset},   {"set", bi_set},        {"shift", bi_shift}, {"read", bi_read},
    {"break", bi_break},   {"continue", bi_break}, {"eval", bi_eval},   {".", bi_source},
    {"source", bi_source}, {"exec", bi_exec},      {"wait", bi_colon},  {"trap", bi_colon},
};

bool sh_builtin(sh_state *s, tb_io *io, int argc, char **argv, int *ret_status)
{
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
        if (strcmp(builtins[i].name, argv[0]) == 0) {
            *ret_status = builtins[i].fn(s, io, argc, argv);
            return true;
        }
    return false;
}
