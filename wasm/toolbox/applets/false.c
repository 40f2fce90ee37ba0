/* false: exits 1, whatever its arguments. */
#include "applet.h"

int applet_false(tb_io *io, int argc, char **argv)
{
    (void)io, (void)argc, (void)argv;
    return 1;
}
