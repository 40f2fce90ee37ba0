/* pwd [-LP]: the working directory (toolbox.wasm starts in $PWD, the container's working dir). */
#include "applet.h"

#include <unistd.h>

int applet_pwd(tb_io *io, int argc, char **argv)
{
    (void)argc;
    char buf[4096];
    if (getcwd(buf, sizeof(buf)) == NULL) {
        tb_perror(io, argv[0], NULL);
        return 1;
    }
    fprintf(io->out, "%s\n", buf);
    return 0;
}
