/* cp [-rRapPdfn] SOURCE... DEST: copies files; -r directories too (links inside are copied as
 * links), -p keeps modification and access times (WASI has no modes or owners to keep), -f
 * replaces a DEST that cannot be opened, -n never overwrites. mv uses tb_copy_tree. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "cp.h"

static int copy_file(tb_io *io, const char *name, const char *src, const char *dst,
                     const tb_copy_opts *o)
{
    FILE *in = fopen(src, "r");
    if (in == NULL) {
        tb_err_errno(io, name, "can't open '%s'", src);
        return 1;
    }
    int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0 && o->force && unlink(dst) == 0)
        fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (out == NULL) {
        tb_err_errno(io, name, "can't create '%s'", dst);
        if (fd >= 0)
            close(fd);
        fclose(in);
        return 1;
    }
    int r = tb_copy(in, out);
    if (r != 0)
        tb_err_errno(io, name, "read error: '%s'", src);
    fclose(in);
    if (fclose(out) != 0 && r == 0) {
        tb_err_errno(io, name, "write error: '%s'", dst);
        r = -1;
    }
    return r ? 1 : 0;
}

static int copy_link(tb_io *io, const char *name, const char *src, const char *dst)
{
    char target[4096];
    ssize_t n = readlink(src, target, sizeof(target) - 1);
    if (n < 0) {
        tb_err_errno(io, name, "can't read link '%s'", src);
        return 1;
    }
    target[n] = '\0';
    unlink(dst);
    if (symlink(target, dst) != 0) {
        tb_err_errno(io, name, "can't create symlink '%s'", dst);
        return 1;
    }
    return 0;
}

/* Copies SRC (already lstat'ed into ST) to DST; TOP is the new directory at the top of the
 * copy, which is skipped if it turns up inside SRC (cp -r DIR DIR/sub). */
static int copy_tree(tb_io *io, const char *name, const char *src, const struct stat *st,
                     const char *dst, const tb_copy_opts *o, const struct stat *top)
{
    struct stat dst_st;
    bool exists = lstat(dst, &dst_st) == 0;
    if (o->no_clobber && exists)
        return 0;
    int rc = 0;
    if (S_ISDIR(st->st_mode)) {
        if (!o->recursive) {
            tb_err(io, name, "omitting directory '%s'", src);
            return 1;
        }
        if (!(exists && S_ISDIR(dst_st.st_mode)) && mkdir(dst, 0777) != 0) {
            tb_err_errno(io, name, "can't create directory '%s'", dst);
            return 1;
        }
        struct stat new_top;
        if (top == NULL && lstat(dst, &new_top) == 0)
            top = &new_top;
        DIR *d = opendir(src);
        if (d == NULL) {
            tb_err_errno(io, name, "can't open '%s'", src);
            return 1;
        }
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *s = tb_join(src, e->d_name), *t = tb_join(dst, e->d_name);
            struct stat cst;
            if (s == NULL || t == NULL || lstat(s, &cst) != 0) {
                tb_err_errno(io, name, "can't stat '%s'", s ? s : e->d_name);
                rc = 1;
            } else if (top && cst.st_ino == top->st_ino && cst.st_dev == top->st_dev) {
                tb_err(io, name, "recursion detected, omitting directory '%s'", s);
                rc = 1;
            } else {
                rc |= copy_tree(io, name, s, &cst, t, o, top);
            }
            free(s);
            free(t);
        }
        closedir(d);
    } else if (S_ISLNK(st->st_mode)) {
        rc = copy_link(io, name, src, dst);
    } else {
        rc = copy_file(io, name, src, dst, o);
    }
    if (rc == 0 && o->preserve) {
        struct timespec times[2] = {st->st_atim, st->st_mtim};
        utimensat(AT_FDCWD, dst, times, AT_SYMLINK_NOFOLLOW);
    }
    return rc;
}

int tb_copy_tree(tb_io *io, const char *name, const char *src, const char *dst,
                 const tb_copy_opts *o)
{
    struct stat st;
    if ((o->recursive ? lstat(src, &st) : stat(src, &st)) != 0) {
        tb_err_errno(io, name, "can't stat '%s'", src);
        return 1;
    }
    return copy_tree(io, name, src, &st, dst, o, NULL);
}

/* DEST, or DEST/basename(SRC) when DEST is a directory; NULL when out of memory. */
char *tb_copy_target(const char *src, const char *dest, bool dest_is_dir)
{
    if (!dest_is_dir)
        return strdup(dest);
    char buf[strlen(src) + 1];
    return tb_join(dest, tb_base(buf, src));
}

int applet_cp(tb_io *io, int argc, char **argv)
{
    tb_copy_opts o = {0};
    int opt, rc = 0;
    const char *usage = "[-arPLHpfinlsTu] SOURCE... DEST";
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "rRapPdLfni")) != -1) {
        if (opt == 'r' || opt == 'R')
            o.recursive = true;
        else if (opt == 'a')
            o.recursive = o.preserve = true;
        else if (opt == 'p')
            o.preserve = true;
        else if (opt == 'f')
            o.force = true;
        else if (opt == 'n')
            o.no_clobber = true;
        else if (opt == '?')
            return tb_usage(io, "cp", usage);
    }
    if (argc - optind < 2)
        return tb_usage(io, "cp", usage);
    const char *dest = argv[argc - 1];
    struct stat st;
    bool dest_dir = stat(dest, &st) == 0 && S_ISDIR(st.st_mode);
    if (argc - optind > 2 && !dest_dir) {
        tb_err(io, "cp", "'%s' is not a directory", dest);
        return 1;
    }
    for (int i = optind; i < argc - 1; i++) {
        char *target = tb_copy_target(argv[i], dest, dest_dir);
        rc |= target ? tb_copy_tree(io, "cp", argv[i], target, &o) : 1;
        free(target);
    }
    return rc;
}
