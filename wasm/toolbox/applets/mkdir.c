/* mkdir [-p] [-m MODE] DIR...: creates directories; -p also the missing parents and no
 * error for one that exists. -m is accepted and has no effect: WASI has no file modes. */
#include <errno.h>
#include <string.h>

#include "util.h"

static int make_parents(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/' || p[-1] == '/')
            continue;
        *p = '\0';
        int r = mkdir(path, 0777);
        *p = '/';
        if (r != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

int applet_mkdir(tb_io *io, int argc, char **argv)
{
    bool parents = false;
    int opt, rc = 0;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "pm:")) != -1) {
        if (opt == 'p')
            parents = true;
        else if (opt != 'm')
            return tb_usage(io, "mkdir", "[-p] [-m MODE] DIRECTORY...");
    }
    if (optind >= argc)
        return tb_usage(io, "mkdir", "[-p] [-m MODE] DIRECTORY...");
    for (int i = optind; i < argc; i++) {
        char path[strlen(argv[i]) + 1];
        strcpy(path, argv[i]);
        struct stat st;
        if (parents && make_parents(path) != 0) {
            tb_err_errno(io, "mkdir", "can't create directory '%s'", argv[i]);
            rc = 1;
        } else if (mkdir(path, 0777) != 0 &&
                   !(parents && errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
            tb_err_errno(io, "mkdir", "can't create directory '%s'", argv[i]);
            rc = 1;
        }
    }
    return rc;
}
