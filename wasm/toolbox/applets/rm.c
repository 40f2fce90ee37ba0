/* rm [-rRf] FILE...: removes files; -r directories with their contents (links are removed,
 * never followed); -f: no error for a missing file, and none without operands. */
#include <errno.h>
#include <string.h>

#include "util.h"

typedef struct rm_ctx {
    tb_io *io;
    int rc, failed;
    int failed_before[TB_WALK_MAX_DEPTH + 1]; /* failures when each open directory began */
} rm_ctx;

static int enter(const char *path, const struct stat *st, int depth, void *ctx)
{
    (void)path, (void)st;
    rm_ctx *c = ctx;
    c->failed_before[depth] = c->failed;
    return 0;
}

/* A directory whose contents could not all go is left without a word, as busybox does. */
static int remove_one(const char *path, const struct stat *st, int depth, void *ctx)
{
    rm_ctx *c = ctx;
    if (S_ISDIR(st->st_mode) && c->failed > c->failed_before[depth])
        return 0;
    if ((S_ISDIR(st->st_mode) ? rmdir(path) : unlink(path)) != 0) {
        tb_err_errno(c->io, "rm", "can't remove '%s'", path);
        c->rc = 1;
        c->failed++;
    }
    return 0;
}

int applet_rm(tb_io *io, int argc, char **argv)
{
    bool force = false, recursive = false;
    int opt;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "rRfi")) != -1) {
        if (opt == 'f')
            force = true;
        else if (opt == 'r' || opt == 'R')
            recursive = true;
        else if (opt != 'i')
            return tb_usage(io, "rm", "[-irf] FILE...");
    }
    if (optind >= argc)
        return force ? 0 : tb_usage(io, "rm", "[-irf] FILE...");
    rm_ctx c = {.io = io};
    for (int i = optind; i < argc; i++) {
        struct stat st;
        char buf[strlen(argv[i]) + 1];
        const char *base = tb_base(buf, argv[i]);
        if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
            tb_err(io, "rm", "can't remove '.' or '..'");
            c.rc = 1;
        } else if (lstat(argv[i], &st) != 0) {
            if (!(force && errno == ENOENT)) {
                tb_err_errno(io, "rm", errno == ENOENT ? "can't remove '%s'" : "can't stat '%s'",
                             argv[i]);
                c.rc = 1;
            }
        } else if (S_ISDIR(st.st_mode) && !recursive) {
            tb_err(io, "rm", "'%s' is a directory", argv[i]);
            c.rc = 1;
        } else {
            tb_walk w = {.visit = enter,
                         .post = remove_one,
                         .ctx = &c,
                         .maxdepth = -1,
                         .io = io,
                         .applet = "rm"};
            tb_walk_tree(&w, argv[i]);
            c.rc |= w.errors ? 1 : 0;
        }
    }
    return c.rc;
}
