/* df [-hkPT] [PATH]...: the container's mounts (its WASI preopened directories). WASI tells a
 * program nothing about a filesystem's size or free space, so those columns print "-"; the
 * mount points are real and a PATH outside every mount is an error. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#include "util.h"

/* The preopened directory names, in fd order; *ret_n of them (free each and the array). */
static char **mounts(size_t *ret_n)
{
    char **v = NULL;
    size_t n = 0;
    __wasi_prestat_t ps;
    for (__wasi_fd_t fd = 3; __wasi_fd_prestat_get(fd, &ps) == 0; fd++) {
        if (ps.tag != __WASI_PREOPENTYPE_DIR)
            continue;
        char *name = calloc(1, ps.u.dir.pr_name_len + 1);
        char **nv = realloc(v, (n + 1) * sizeof(*v));
        if (name == NULL || nv == NULL) {
            free(name);
            if (nv)
                v = nv;
            break;
        }
        v = nv;
        if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, ps.u.dir.pr_name_len) != 0)
            name[0] = '\0';
        v[n++] = name;
    }
    *ret_n = n;
    return v;
}

/* The mount whose name is the longest prefix of PATH (absolute paths only). */
static const char *mount_of(char **v, size_t n, const char *path)
{
    const char *best = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(v[i]);
        bool prefix = strncmp(path, v[i], l) == 0 &&
                      (path[l] == '\0' || path[l] == '/' || (l > 0 && v[i][l - 1] == '/'));
        if (prefix && (best == NULL || l > strlen(best)))
            best = v[i];
    }
    return best;
}

int applet_df(tb_io *io, int argc, char **argv)
{
    bool human = false;
    int opt, rc = 0;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "hkPTa")) != -1) {
        if (opt == 'h')
            human = true;
        else if (opt == '?')
            return tb_usage(io, "df", "[-PkmhT] [FILESYSTEM]...");
    }
    size_t n;
    char **v = mounts(&n);
    fprintf(io->out, "Filesystem           %9s      Used Available Use%% Mounted on\n",
            human ? "Size" : "1K-blocks");
    for (int i = optind; i < argc; i++) {
        struct stat st;
        const char *m = argv[i][0] == '/' ? mount_of(v, n, argv[i]) : NULL;
        if (stat(argv[i], &st) != 0) {
            tb_err_errno(io, "df", "%s", argv[i]);
            rc = 1;
        } else {
            fprintf(io->out, "%-20s %9s %9s %9s %3s%% %s\n", "wasi", "-", "-", "-", "-",
                    m ? m : argv[i]);
        }
    }
    for (size_t i = 0; optind >= argc && i < n; i++)
        fprintf(io->out, "%-20s %9s %9s %9s %3s%% %s\n", "wasi", "-", "-", "-", "-", v[i]);
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
    return rc;
}
