/* ps: the pod's processes (its containers and execs) from the runtime's table
 * (proc_table.h): PID (the host's), USER, STAT, TIME (CPU), RSS, the container
 * and the command. A wasm guest has no /proc: the runtime is the only one that knows. */
#include "applet.h"

#include <stdlib.h>

#include "proc_table.h"

int applet_ps(tb_io *io, int argc, char **argv)
{
    (void)argc;
    tb_proc *v = NULL;
    int n = 0;
    if (tb_proc_read(&v, &n) < 0) {
        tb_perror(io, argv[0], TB_PS_WHAT);
        return 1;
    }
    fprintf(io->out, "%5s %-8s %-4s %6s %7s %-12s %s\n", "PID", "USER", "STAT", "TIME", "RSS",
            "CONTAINER", "COMMAND");
    for (int i = 0; i < n; i++) {
        char user[64];
        tb_user_name(v[i].uid, user, sizeof(user));
        fprintf(io->out, "%5d %-8.8s %-4c %3lld:%02lld %6lldk %-12.12s %s\n", v[i].pid, user,
                v[i].state, v[i].cpu_ms / 60000, v[i].cpu_ms / 1000 % 60, v[i].rss_kb, v[i].name,
                v[i].command);
    }
    free(v);
    return 0;
}
