/* touch [-c] FILE...: sets FILE's times to now, creating it (unless -c) when missing. */
#include <errno.h>
#include <fcntl.h>

#include "util.h"

int applet_touch(tb_io *io, int argc, char **argv)
{
    bool nocreate = false;
    int opt, rc = 0;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "c")) != -1) {
        if (opt != 'c')
            return tb_usage(io, "touch", "[-c] FILE...");
        nocreate = true;
    }
    if (optind >= argc)
        return tb_usage(io, "touch", "[-c] FILE...");
    for (int i = optind; i < argc; i++) {
        if (utimensat(AT_FDCWD, argv[i], NULL, 0) == 0)
            continue;
        if (errno == ENOENT) {
            if (nocreate)
                continue;
            int fd = open(argv[i], O_WRONLY | O_CREAT, 0666);
            if (fd >= 0) {
                close(fd);
                continue;
            }
        }
        tb_err_errno(io, "touch", "%s", argv[i]);
        rc = 1;
    }
    return rc;
}
