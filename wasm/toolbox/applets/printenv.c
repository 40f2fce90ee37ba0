/* printenv [NAME...]: the environment, or the values of the names (exit 1 if one is unset). */
#include "applet.h"

#include <stdlib.h>

extern char **environ;

int applet_printenv(tb_io *io, int argc, char **argv)
{
    if (argc < 2) {
        for (char **e = environ; *e; e++)
            fprintf(io->out, "%s\n", *e);
        return 0;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = getenv(argv[i]);
        if (v)
            fprintf(io->out, "%s\n", v);
        else
            status = 1;
    }
    return status;
}
