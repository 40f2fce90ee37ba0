/* dirname FILENAME: FILENAME without its last component ("." when it has none). */
#include <string.h>

#include "util.h"

int applet_dirname(tb_io *io, int argc, char **argv)
{
    if (argc != 2)
        return tb_usage(io, "dirname", "FILENAME");
    const char *p = argv[1];
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        n--;
    while (n > 0 && p[n - 1] != '/')
        n--;
    if (n == 0) {
        fputs(".\n", io->out);
        return 0;
    }
    while (n > 1 && p[n - 1] == '/')
        n--;
    fprintf(io->out, "%.*s\n", (int)n, p);
    return 0;
}
