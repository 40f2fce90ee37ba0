/* pidof NAME...: the pids of the pod's processes (ps's table, proc_table.h) whose program's
 * basename is one of the NAMEs, newest first, on one line; 1 when there is none. */
#include "applet.h"

#include <stdlib.h>
#include <string.h>

#include "proc_table.h"

/* The basename of the command's first word. */
static void program_of(const char *command, char *buf, size_t n)
{
    size_t len = strcspn(command, " ");
    const char *start = command;
    for (const char *c = command; c < command + len; c++)
        if (*c == '/')
            start = c + 1;
    snprintf(buf, n, "%.*s", (int)(command + len - start), start);
}

int applet_pidof(tb_io *io, int argc, char **argv)
{
    tb_proc *v = NULL;
    int n = 0, found = 0;
    if (tb_proc_read(&v, &n) < 0) {
        tb_perror(io, argv[0], TB_PS_WHAT);
        return 1;
    }
    for (int i = n - 1; i >= 0; i--) {
        char program[512];
        program_of(v[i].command, program, sizeof(program));
        for (int k = 1; k < argc; k++)
            if (strcmp(program, argv[k]) == 0) {
                fprintf(io->out, found++ ? " %d" : "%d", v[i].pid);
                break;
            }
    }
    if (found)
        fputc('\n', io->out);
    free(v);
    return found ? 0 : 1;
}
