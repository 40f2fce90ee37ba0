/* The mount table (see mount.h).
 *
 * Adding a mount opens its host side now, with the ordinary (trusted) path walk: a directory is
 * opened O_RDONLY|O_DIRECTORY (readable, so the guest can list the preopen itself), a file mount
 * keeps its parent directory plus the file's name so it can be reopened with any flags later
 * without /proc magic links. Guest paths are normalised once here so preopen names are canonical.
 * A new mount option (say, noexec) is a field in wasi_mount plus a word in add_spec's suffix list.
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

static int open_host(wasi_mount *mt, wc_error *err)
{
    struct stat st;
    if (stat(mt->host, &st) < 0)
        return wc_error_set_errno(err, -errno, "mount %s at %s", mt->host, mt->guest);
    if (S_ISDIR(st.st_mode)) {
        mt->dir_fd = open(mt->host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } else if (S_ISREG(st.st_mode)) {
        char *copy1 = strdup(mt->host), *copy2 = strdup(mt->host);
        if (copy1 != NULL && copy2 != NULL) {
            mt->is_file = true;
            mt->file_name = strdup(basename(copy1));
            mt->dir_fd = open(dirname(copy2), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }
        free(copy1);
        free(copy2);
        if (mt->file_name == NULL) {
            if (mt->dir_fd >= 0)
                close(mt->dir_fd);
            mt->dir_fd = -1;
            return wc_error_set(err, -ENOMEM, "mount %s: out of memory", mt->host);
        }
    } else {
        return wc_error_set(err, -EINVAL,
                            "mount %s at %s: only directories and regular files can be mounted",
                            mt->host, mt->guest);
    }
    if (mt->dir_fd < 0)
        return wc_error_set_errno(err, -errno, "mount %s at %s", mt->host, mt->guest);
    return 0;
}

static void mount_free(wasi_mount *mt)
{
    if (mt->dir_fd >= 0)
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
    TRY(open_host(&mt, err));
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
