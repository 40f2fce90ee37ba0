/* util.c: the applets' shared helpers (see util.h). */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tb_usage(tb_io *io, const char *applet, const char *usage)
{
    fprintf(io->err, "Usage: %s %s\n", applet, usage);
    return 1;
}

void tb_err_errno(tb_io *io, const char *applet, const char *fmt, ...)
{
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    fprintf(io->err, "%s: ", applet);
    vfprintf(io->err, fmt, ap);
    fprintf(io->err, ": %s\n", strerror(err));
    va_end(ap);
}

FILE *tb_fopen(tb_io *io, const char *name, const char *mode)
{
    if (strcmp(name, "-") == 0)
        return mode[0] == 'r' ? io->in : io->out;
    return fopen(name, mode);
}

void tb_fclose(tb_io *io, FILE *f)
{
    if (f && f != io->in && f != io->out && f != io->err)
        fclose(f);
}

bool tb_read_failed(FILE *f)
{
    struct stat st;
    if (!ferror(f))
        return false;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
        errno = EISDIR; /* WASI says ENOTCAPABLE: a directory fd has no read right */
    return true;
}

int tb_copy(FILE *in, FILE *out)
{
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        fwrite(buf, 1, n, out);
    return tb_read_failed(in) ? -1 : 0;
}

char *tb_slurp(FILE *f, size_t *ret_len)
{
    size_t cap = 1 << 14, len = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0)
        if ((len += got) == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (nb == NULL)
                free(buf);
            buf = nb;
        }
    *ret_len = len;
    return buf;
}

const char *tb_human(char *buf, uint64_t bytes)
{
    static const char units[] = "KMGTPE";
    uint64_t v = bytes, frac = 0;
    int u = -1;
    while (v >= 1024 && units[u + 1]) { /* busybox keeps the last remainder's tenths */
        frac = v % 1024;
        v /= 1024;
        u++;
    }
    if (u < 0) {
        snprintf(buf, 16, "%llu", (unsigned long long)v);
        return buf;
    }
    unsigned tenths = (unsigned)((frac * 10 + 512) / 1024);
    if (tenths >= 10) {
        v++;
        tenths = 0;
    }
    snprintf(buf, 16, "%llu.%u%c", (unsigned long long)v, tenths, units[u]);
    return buf;
}

char *tb_join(const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    bool slash = dl > 0 && dir[dl - 1] == '/';
    char *p = malloc(dl + strlen(name) + 2);
    if (p)
        sprintf(p, "%s%s%s", dir, slash ? "" : "/", name);
    return p;
}

const char *tb_base(char *buf, const char *path)
{
    strcpy(buf, path);
    size_t n = strlen(buf);
    while (n > 1 && buf[n - 1] == '/')
        buf[--n] = '\0';
    char *s = strrchr(buf, '/');
    return s && s[1] ? s + 1 : buf;
}

static int walk(tb_walk *w, const char *path, const struct stat *st, int depth)
{
    int r = w->visit ? w->visit(path, st, depth, w->ctx) : 0;
    if (r < 0)
        return r;
    bool descend = S_ISDIR(st->st_mode) && (w->maxdepth < 0 || depth < w->maxdepth);
    if (r == 0 && descend && depth >= TB_WALK_MAX_DEPTH) {
        tb_err(w->io, w->applet, "%s: too deeply nested", path);
        w->errors++;
    } else if (r == 0 && descend) {
        DIR *d = opendir(path);
        if (d == NULL) {
            tb_err_errno(w->io, w->applet, w->open_error ? w->open_error : "%s", path);
            w->errors++;
            return 0;
        }
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *child = tb_join(path, e->d_name);
            struct stat cst;
            if (child == NULL || lstat(child, &cst) != 0) {
                tb_err_errno(w->io, w->applet, "%s", child ? child : e->d_name);
                w->errors++;
            } else if ((r = walk(w, child, &cst, depth + 1)) < 0) {
                free(child);
                closedir(d);
                return r;
            }
            free(child);
        }
        closedir(d);
    }
    return w->post ? w->post(path, st, depth, w->ctx) : 0;
}

int tb_walk_tree(tb_walk *w, const char *path)
{
    struct stat st;
    if ((w->follow ? stat(path, &st) : lstat(path, &st)) != 0) {
        tb_err_errno(w->io, w->applet, "%s", path);
        w->errors++;
        return 0;
    }
    return walk(w, path, &st, 0);
}
