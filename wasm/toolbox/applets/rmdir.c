/* rmdir [-p] DIR...: removes empty directories; -p also their parents named in DIR. */
#include <string.h>

#include "util.h"

int applet_rmdir(tb_io *io, int argc, char **argv)
{
    bool parents = false;
    int opt, rc = 0;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "p")) != -1) {
        if (opt != 'p')
            return tb_usage(io, "rmdir", "[-p] DIRECTORY...");
        parents = true;
    }
    if (optind >= argc)
        return tb_usage(io, "rmdir", "[-p] DIRECTORY...");
    for (int i = optind; i < argc; i++) {
        char path[strlen(argv[i]) + 1];
        strcpy(path, argv[i]);
        for (;;) {
            size_t n = strlen(path);
            while (n > 1 && path[n - 1] == '/')
                path[--n] = '\0';
            if (rmdir(path) != 0) {
                tb_err_errno(io, "rmdir", "'%s'", path);
                rc = 1;
                break;
            }
            char *slash = strrchr(path, '/');
            if (!parents || slash == NULL || slash == path)
                break;
            *slash = '\0';
        }
    }
    return rc;
}
