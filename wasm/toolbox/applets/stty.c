/* stty size: the terminal's rows and columns, as coreutils prints them, from the runtime's
 * /run/wasmcri/tty (kept up to date when the client's terminal is resized: WASI has no ioctl to
 * ask a terminal), else $LINES and $COLUMNS. A guest cannot change its terminal's settings, so
 * that is all stty does. */
#include "applet.h"

#include <string.h>

#include "proc_table.h"

int applet_stty(tb_io *io, int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "size") != 0) {
        tb_err(io, argv[0],
               "only 'stty size' is offered (a WASI guest cannot change its "
               "terminal's settings)");
        return 1;
    }
    int cols, rows;
    tb_term_size(&cols, &rows);
    fprintf(io->out, "%d %d\n", rows, cols);
    return 0;
}
