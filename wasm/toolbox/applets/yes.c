/* yes [STRING...]: the strings (or "y") on a line, until the output fails (in a pipeline of sh,
 * when the in-memory pipe is full: wasm/toolbox/sh/pipebuf.c). */
#include "applet.h"

int applet_yes(tb_io *io, int argc, char **argv)
{
    for (;;) {
        for (int i = 1; i < argc || i == 1; i++) {
            if (fputs(argc > 1 ? argv[i] : "y", io->out) < 0)
                return 1;
            if (fputc(i + 1 < argc ? ' ' : '\n', io->out) < 0)
                return 1;
        }
        if (ferror(io->out))
            return 1;
    }
}
