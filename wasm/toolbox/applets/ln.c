/* ln [-sfn] TARGET [LINK] | ln [-sfn] TARGET... DIR: makes hard links, or symbolic ones
 * with -s; -f removes an existing LINK first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int link_one(tb_io *io, const char *target, const char *name, bool sym, bool force)
{
    if (force && unlink(name) != 0 && errno != ENOENT) {
        tb_err_errno(io, "ln", "%s", name);
        return 1;
    }
    if ((sym ? symlink(target, name) : link(target, name)) != 0) {
        /* a missing hard-link target is named, not the link */
        tb_err_errno(io, "ln", "%s", !sym && errno == ENOENT ? target : name);
        return 1;
    }
    return 0;
}

int applet_ln(tb_io *io, int argc, char **argv)
{
    bool sym = false, force = false, nodir = false;
    int opt, rc = 0;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "sfn")) != -1) {
        if (opt == 's')
            sym = true;
        else if (opt == 'f')
            force = true;
        else if (opt == 'n')
            nodir = true;
        else
            return tb_usage(io, "ln", "[-sfn] TARGET... LINK|DIR");
    }
    int n = argc - optind;
    if (n < 1)
        return tb_usage(io, "ln", "[-sfn] TARGET... LINK|DIR");
    const char *last = argv[argc - 1];
    struct stat st;
    bool into_dir = n == 1 || (!nodir && stat(last, &st) == 0 && S_ISDIR(st.st_mode));
    if (!into_dir) {
        if (n != 2)
            return tb_usage(io, "ln", "[-sfn] TARGET... LINK|DIR");
        return link_one(io, argv[optind], last, sym, force);
    }
    int ntargets = n == 1 ? 1 : n - 1;
    for (int i = optind; i < optind + ntargets; i++) {
        char buf[strlen(argv[i]) + 1];
        const char *base = tb_base(buf, argv[i]);
        char *name = n == 1 ? strdup(base) : tb_join(last, base);
        if (name == NULL) {
            tb_err(io, "ln", "out of memory");
            return 1;
        }
        rc |= link_one(io, argv[i], name, sym, force);
        free(name);
    }
    return rc;
}
