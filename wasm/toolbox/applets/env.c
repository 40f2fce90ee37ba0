/* env [-i] [-u NAME]... [NAME=VALUE]... [COMMAND [ARG]...]: prints the environment, or runs the
 * applet COMMAND with it changed; the instance's own environment is put back afterwards (applets
 * keep no state). A COMMAND that is no applet: 127, as for a program not found. */
#include "applet.h"

#include <stdlib.h>
#include <string.h>

extern char **environ;

static char **save_environ(void)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **saved = calloc(n + 1, sizeof(char *));
    for (size_t i = 0; saved && i < n; i++)
        saved[i] = strdup(environ[i]);
    return saved;
}

static void restore_environ(char **saved)
{
    clearenv();
    for (size_t i = 0; saved[i]; i++) {
        char *eq = strchr(saved[i], '=');
        if (eq) {
            *eq = '\0';
            setenv(saved[i], eq + 1, 1);
        }
        free(saved[i]);
    }
    free(saved);
}

int applet_env(tb_io *io, int argc, char **argv)
{
    char **saved = save_environ();
    if (saved == NULL) {
        tb_err(io, argv[0], "out of memory");
        return 125;
    }
    int i = 1, status = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-i") == 0 || strcmp(argv[i], "-") == 0) {
            clearenv();
        } else if (strcmp(argv[i], "-u") == 0 && i + 1 < argc) {
            unsetenv(argv[++i]);
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            tb_err(io, argv[0], "invalid option -- '%s'", argv[i] + 1);
            restore_environ(saved);
            return 125;
        }
    }
    for (; i < argc && strchr(argv[i], '='); i++) {
        char *eq = strchr(argv[i], '=');
        *eq = '\0';
        setenv(argv[i], eq + 1, 1);
        *eq = '=';
    }
    if (i == argc) {
        for (char **e = environ; e && *e; e++)
            fprintf(io->out, "%s\n", *e);
    } else {
        const char *slash = strrchr(argv[i], '/');
        if (tb_find_applet(slash ? slash + 1 : argv[i])) {
            status = tb_run_applet(io, argc - i, argv + i);
        } else {
            tb_err(io, argv[0], "can't execute '%s': No such file or directory", argv[i]);
            status = 127;
        }
    }
    restore_environ(saved);
    return status;
}
