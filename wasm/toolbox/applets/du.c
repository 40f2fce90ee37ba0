/* du [-sach] [-d N] [FILE]...: disk usage of files and directory trees, in KiB (-h: busybox's
 * 1.5K/12.0M). WASI has no block counts: each file counts its size rounded up to 4 KiB
 * blocks (links: 0), which is what ext4, xfs and tmpfs give for files that are not sparse. A file
 * with several links counts once. */
#include <stdlib.h>
#include <string.h>

#include "numbers.h"
#include "util.h"

typedef struct du_ctx {
    tb_io *io;
    bool all, human;
    int print_depth;                      /* < 0: every directory; 0: -s */
    uint64_t sums[TB_WALK_MAX_DEPTH + 1]; /* per depth: bytes of the directory being summed */
    struct {
        unsigned long long dev, ino;
    } * seen;
    size_t nseen, capseen;
} du_ctx;

static uint64_t usage(const struct stat *st)
{
    if (S_ISLNK(st->st_mode))
        return 0; /* a short target lives in the inode */
    return ((uint64_t)st->st_size + 4095) / 4096 * 4096;
}

static void print(du_ctx *c, uint64_t bytes, const char *path)
{
    char buf[16];
    if (c->human)
        fprintf(c->io->out, "%s\t%s\n", tb_human(buf, bytes), path);
    else
        fprintf(c->io->out, "%llu\t%s\n", (unsigned long long)(bytes / 1024), path);
}

/* True if a file with several links was counted already. */
static bool seen_before(du_ctx *c, const struct stat *st)
{
    if (S_ISDIR(st->st_mode) || st->st_nlink < 2)
        return false;
    for (size_t i = 0; i < c->nseen; i++)
        if (c->seen[i].dev == st->st_dev && c->seen[i].ino == st->st_ino)
            return true;
    if (c->nseen == c->capseen) {
        void *n = realloc(c->seen, (c->capseen = c->capseen * 2 + 16) * sizeof(*c->seen));
        if (n == NULL)
            return false;
        c->seen = n;
    }
    c->seen[c->nseen].dev = st->st_dev;
    c->seen[c->nseen++].ino = st->st_ino;
    return false;
}

static int pre(const char *path, const struct stat *st, int depth, void *ctx)
{
    (void)path, (void)st;
    du_ctx *c = ctx;
    c->sums[depth] = 0;
    return 0;
}

static int post(const char *path, const struct stat *st, int depth, void *ctx)
{
    du_ctx *c = ctx;
    uint64_t own = seen_before(c, st) ? 0 : usage(st);
    uint64_t total = S_ISDIR(st->st_mode) ? c->sums[depth] + own : own;
    if (depth > 0)
        c->sums[depth - 1] += total;
    else
        c->sums[0] = total;
    bool show = depth == 0 || ((c->print_depth < 0 || depth <= c->print_depth) &&
                               (S_ISDIR(st->st_mode) || c->all));
    if (show)
        print(c, total, path);
    return 0;
}

int applet_du(tb_io *io, int argc, char **argv)
{
    du_ctx c = {.io = io, .print_depth = -1};
    bool total = false;
    int opt, rc = 0;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "sachkd:")) != -1) {
        if (opt == 's')
            c.print_depth = 0;
        else if (opt == 'a')
            c.all = true;
        else if (opt == 'c')
            total = true;
        else if (opt == 'h')
            c.human = true;
        else if (opt == 'd')
            c.print_depth = tb_atoi_clamp(optarg, INT_MIN, INT_MAX);
        else if (opt != 'k')
            return tb_usage(io, "du", "[-aHLdclsxhmk] [FILE]...");
    }
    char *dot[] = {".", NULL};
    uint64_t grand = 0;
    for (char **p = optind < argc ? argv + optind : dot; *p; p++) {
        tb_walk w = {.visit = pre,
                     .post = post,
                     .ctx = &c,
                     .maxdepth = -1,
                     .io = io,
                     .applet = "du",
                     .open_error = "can't open '%s'"};
        c.sums[0] = 0;
        tb_walk_tree(&w, *p);
        rc |= w.errors ? 1 : 0;
        grand += c.sums[0];
    }
    if (total)
        print(&c, grand, "total");
    free(c.seen);
    return rc;
}
