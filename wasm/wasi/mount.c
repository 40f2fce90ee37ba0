/* The mount table (see mount.h).
 *
 * Adding a mount opens its host side now, with the ordinary (trusted) path walk: a directory is
 * opened O_RDONLY|O_DIRECTORY (readable, so the guest can list the preopen itself), a file mount
 * keeps its parent directory plus the file's name so it can be reopened with any flags later
 * without /proc magic links (file mounts of one directory share its descriptor). Each path walk
 * of the whole host path is dear on a container's start (issue 14): a mount at "/" is opened as
 * the directory it is before anything else is tried. Guest paths are normalised once here so
 * preopen names are canonical. A new mount option (say, noexec) is a field in wasi_mount plus a
 * word in add_spec's suffix list.
 */
#include "mount.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

/* "//a/./b/" -> "/a/b", "./x/" -> "x", "." -> "."; returns NULL (with *why) for "..". Caller
 * frees. Relative names stay relative: wasi-libc then matches them against relative paths. */
static char *normalise_guest(const char *guest, const char **why)
{
    bool absolute = guest[0] == '/';
    size_t len = strlen(guest);
    char *out = malloc(len + 2);
    if (out == NULL) {
        *why = "out of memory";
        return NULL;
    }
    size_t n = 0;
    const char *p = guest;
    while (*p != '\0') {
        while (*p == '/')
            p++;
        const char *end = strchrnul(p, '/');
        size_t clen = (size_t)(end - p);
        if (clen == 2 && p[0] == '.' && p[1] == '.') {
            free(out);
            *why = "must not contain \"..\"";
            return NULL;
        }
        if (clen > 0 && !(clen == 1 && p[0] == '.')) {
            if (n > 0 || absolute)
                out[n++] = '/';
            memcpy(out + n, p, clen);
            n += clen;
        }
        p = end;
    }
    if (n == 0)
        out[n++] = absolute ? '/' : '.';
    out[n] = '\0';
    return out;
}

/* The descriptor of dir when an earlier file mount of the table keeps it, else -1. */
static int shared_parent(const wasi_mounts *m, const char *dir)
{
    for (size_t i = 0; i < m->count; i++) {
        if (!m->items[i].is_file)
            continue;
        char *copy = strdup(m->items[i].host);
        bool same = copy != NULL && strcmp(dirname(copy), dir) == 0;
        free(copy);
        if (same)
            return m->items[i].dir_fd;
    }
    return -1;
}

/* A file mount: its name, and its parent directory opened, or kept by an earlier file mount of
 * the table (the pod's resolv.conf and hostname): then the file is found with one short fstatat
 * where a stat and an open walked its whole path (issue 14). Without a stat of the file yet (st
 * NULL), 1 when no earlier mount keeps its directory or the name there is no regular file: the
 * caller goes the general way. */
static int open_file_host(const wasi_mounts *m, wasi_mount *mt, const struct stat *st,
                          wc_error *err)
{
    _cleanup_free_ char *name = strdup(mt->host), *dir = strdup(mt->host);
    if (name == NULL || dir == NULL || (mt->file_name = strdup(basename(name))) == NULL)
        return wc_error_set(err, -ENOMEM, "mount %s: out of memory", mt->host);
    struct stat here;
    int shared = st == NULL ? shared_parent(m, dirname(dir)) : -1;
    if (shared >= 0 && fstatat(shared, mt->file_name, &here, 0) == 0 && S_ISREG(here.st_mode)) {
        mt->dir_fd = shared;
        mt->shares_dir = true;
    } else if (st == NULL) {
        free(mt->file_name);
        mt->file_name = NULL;
        return 1;
    } else if ((mt->dir_fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        return wc_error_set_errno(err, -errno, "mount %s at %s", mt->host, mt->guest);
    }
    mt->is_file = true;
    return 0;
}

static int open_host(const wasi_mounts *m, wasi_mount *mt, wc_error *err)
{
    if (strcmp(mt->guest, "/") == 0) { /* the root: a directory, opened at once */
        mt->dir_fd = open(mt->host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (mt->dir_fd >= 0)
            return 0;
        if (errno != ENOTDIR)
            return wc_error_set_errno(err, -errno, "mount %s at %s", mt->host, mt->guest);
    }
    const char *slash = strrchr(mt->host, '/');
    int rc = slash != NULL && slash[1] == '\0' ? 1 : open_file_host(m, mt, NULL, err);
    if (rc <= 0)
        return rc;
    struct stat st;
    if (stat(mt->host, &st) < 0)
        return wc_error_set_errno(err, -errno, "mount %s at %s", mt->host, mt->guest);
    if (S_ISREG(st.st_mode))
        return open_file_host(m, mt, &st, err);
    if (!S_ISDIR(st.st_mode))
        return wc_error_set(err, -EINVAL,
                            "mount %s at %s: only directories and regular files can be mounted",
                            mt->host, mt->guest);
    mt->dir_fd = open(mt->host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (mt->dir_fd < 0)
        return wc_error_set_errno(err, -errno, "mount %s at %s", mt->host, mt->guest);
    return 0;
}

static void mount_free(wasi_mount *mt)
{
    if (mt->dir_fd >= 0 && !mt->shares_dir)
        close(mt->dir_fd);
    free(mt->guest);
    free(mt->host);
    free(mt->file_name);
}

int wasi_mounts_add(wasi_mounts *m, const char *host, const char *guest, bool readonly,
                    wc_error *err)
{
    const char *why = NULL;
    _cleanup_(mount_free) wasi_mount mt = {.guest = normalise_guest(guest, &why), .dir_fd = -1};
    if (mt.guest == NULL)
        return wc_error_set(err, -EINVAL, "mount %s: guest path \"%s\" %s", host, guest, why);
    for (size_t i = 0; i < m->count; i++)
        if (strcmp(m->items[i].guest, mt.guest) == 0)
            return wc_error_set(err, -EEXIST, "mount %s: guest path %s is already mounted from %s",
                                host, mt.guest, m->items[i].host);
    mt.host = strdup(host);
    mt.readonly = readonly;
    if (mt.host == NULL)
        return wc_error_set(err, -ENOMEM, "mount %s: out of memory", host);
    TRY(open_host(m, &mt, err));
    wasi_mount *items = realloc(m->items, (m->count + 1) * sizeof(*items));
    if (items == NULL)
        return wc_error_set(err, -ENOMEM, "mount %s: out of memory", host);
    m->items = items;
    m->items[m->count++] = mt;
    mt = (wasi_mount){.dir_fd = -1}; /* m owns it now */
    return 0;
}

int wasi_mounts_add_spec(wasi_mounts *m, const char *spec, wc_error *err)
{
    char *copy = strdup(spec);
    if (copy == NULL)
        return wc_error_set(err, -ENOMEM, "mount %s: out of memory", spec);
    bool readonly = false;
    char *last = strrchr(copy, ':');
    if (last != NULL && (strcmp(last, ":ro") == 0 || strcmp(last, ":rw") == 0)) {
        readonly = last[2] == 'o';
        *last = '\0';
    }
    char *colon = strchr(copy, ':');
    const char *guest = copy;
    if (colon != NULL) {
        *colon = '\0';
        guest = colon + 1;
    }
    int r = copy[0] == '\0' ? wc_error_set(err, -EINVAL, "mount \"%s\": empty host path", spec)
                            : wasi_mounts_add(m, copy, guest, readonly, err);
    free(copy);
    return r;
}

void wasi_mounts_clear(wasi_mounts *m)
{
    for (size_t i = 0; i < m->count; i++)
        mount_free(&m->items[i]);
    free(m->items);
    m->items = NULL;
    m->count = 0;
}
