/* basename FILE [SUFFIX]: the last component of FILE, without SUFFIX. */
#include <string.h>

#include "util.h"

int applet_basename(tb_io *io, int argc, char **argv)
{
    if (argc < 2 || argc > 3)
        return tb_usage(io, "basename", "FILE [SUFFIX]");
    char buf[strlen(argv[1]) + 1];
    const char *b = tb_base(buf, argv[1]);
    size_t n = strlen(b);
    if (argc == 3) {
        size_t sl = strlen(argv[2]);
        if (sl < n && strcmp(b + n - sl, argv[2]) == 0)
            n -= sl;
    }
    fprintf(io->out, "%.*s\n", (int)n, b);
    return 0;
}
