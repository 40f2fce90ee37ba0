/* mv [-fin] SOURCE... DEST: renames; across mounts (EXDEV) it copies with times kept and
 * removes the source. -n never overwrites; -f and -i are accepted (nothing is asked). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cp.h"

static int remove_tree(const char *path, const struct stat *st, int depth, void *ctx)
{
    (void)depth;
    (void)ctx;
    return (S_ISDIR(st->st_mode) ? rmdir(path) : unlink(path)) == 0 ? 0 : -1;
}

static int move(tb_io *io, const char *src, const char *dst, bool no_clobber)
{
    struct stat st;
    if (no_clobber && lstat(dst, &st) == 0)
        return 0;
    if (rename(src, dst) == 0)
        return 0;
    if (errno != EXDEV) {
        tb_err_errno(io, "mv", "can't rename '%s'", src);
        return 1;
    }
    tb_copy_opts o = {.recursive = true, .preserve = true, .force = true};
    if (tb_copy_tree(io, "mv", src, dst, &o) != 0)
        return 1;
    tb_walk w = {.post = remove_tree, .maxdepth = -1, .io = io, .applet = "mv"};
    if (tb_walk_tree(&w, src) != 0 || w.errors) {
        tb_err_errno(io, "mv", "can't remove '%s'", src);
        return 1;
    }
    return 0;
}

int applet_mv(tb_io *io, int argc, char **argv)
{
    bool no_clobber = false;
    int opt, rc = 0;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "fin")) != -1) {
        if (opt == 'n')
            no_clobber = true;
        else if (opt == '?')
            return tb_usage(io, "mv", "[-fin] SOURCE... DEST");
    }
    if (argc - optind < 2)
        return tb_usage(io, "mv", "[-fin] SOURCE... DEST");
    const char *dest = argv[argc - 1];
    struct stat st;
    bool dest_dir = stat(dest, &st) == 0 && S_ISDIR(st.st_mode);
    if (argc - optind > 2 && !dest_dir) {
        tb_err(io, "mv", "'%s' is not a directory", dest);
        return 1;
    }
    for (int i = optind; i < argc - 1; i++) {
        char *target = tb_copy_target(argv[i], dest, dest_dir);
        rc |= target ? move(io, argv[i], target, no_clobber) : 1;
        free(target);
    }
    return rc;
}
