/* WASI path_* calls: every path is relative to a directory fd and resolved beneath it by the
 * kernel (resolve.h), so nothing here parses `..` or symlinks itself.
 *
 * Pattern of each call: fetch the directory fd with the right the call needs (ENOTCAPABLE), refuse
 * writes on a read-only mount (EROFS) before touching anything, copy the guest path, then either
 * openat2 the whole path (path_open, path_filestat_get) or resolve the parent and act on the last
 * name with a *at() syscall that does not follow symlinks. A link or rename needs both ends
 * writable: a hard link from a read-only mount into a writable one would make the read-only file
 * writable. A file mount's preopen answers only "." (the file) to open/stat/set_times. A lazy
 * preopen (a container's "/" whose writable layer is not made yet) is switched to the writable
 * directory the sandbox gives (make_writable) on the first write, or once one exists; fds opened
 * from it before then stay read-only.
 * A trailing slash asks for a directory, as in Linux: the calls whose *at() syscall never follows
 * the last name (mkdir, unlink, rmdir, rename, symlink, a link's new name) pass it on to the
 * kernel, which refuses `file/` (ENOTDIR) and a new `name/` (ENOENT); a link's source with one
 * must be a directory (the others resolve the name without it).
 * The wasi_unstable ABI differs only in path_filestat_get's layout (legacy flag).
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "resolve.h"
#include "wasi_impl.h"

typedef struct dir_path {
    wasi_fd *dir;
    int dirfd; /* where path is resolved: the dir fd, or a file mount's parent */
    char path[PATH_MAX];
} dir_path;

static wasi_errno guest_path(const wasi_mem *m, uint32_t ptr, uint32_t len, char *buf)
{
    if (len >= PATH_MAX)
        return WASI_ENAMETOOLONG;
    uint8_t *p = mem_at(m, ptr, len);
    if (p == NULL)
        return WASI_EFAULT;
    if (memchr(p, '\0', len) != NULL)
        return WASI_EINVAL;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return WASI_ESUCCESS;
}

static bool is_dot(const char *p)
{
    while (*p == '.' || *p == '/') {
        if (p[0] == '.' && p[1] == '.')
            return false;
        p++;
    }
    return *p == '\0';
}

/* A lazy preopen (mount.h): takes the writable directory in place of the read-only one
 * once there is one (made now if the operation writes), under the same host fd number. */
static wasi_errno switch_lazy(wasi_ctx *c, wasi_fd *dir, bool write)
{
    int fd = -1;
    int rc = c->make_writable ? c->make_writable(c->make_writable_arg, write, &fd) : -EROFS;
    if (rc == -EAGAIN && !write)
        return WASI_ESUCCESS;
    if (rc < 0)
        return write ? WASI_EROFS : WASI_ESUCCESS;
    rc = dup3(fd, dir->host, O_CLOEXEC);
    close(fd);
    if (rc < 0)
        return wasi_errno_from_host(errno);
    dir->readonly = false;
    dir->lazy = false;
    return WASI_ESUCCESS;
}

/* Looks up the directory fd (needing `right`), checks writability, copies the path. */
static wasi_errno get_dir_path(wasi_ctx *c, const wasi_mem *m, uint32_t fd, uint64_t right,
                               bool write, bool file_mount_ok, uint32_t ptr, uint32_t len,
                               dir_path *out)
{
    wasi_errno r = fdt_get(c, fd, 0, &out->dir);
    if (r == WASI_ESUCCESS && out->dir->lazy)
        r = switch_lazy(c, out->dir, write);
    if (r != WASI_ESUCCESS)
        return r;
    if (write && out->dir->readonly) /* before rights: a read-only mount says so */
        return WASI_EROFS;
    r = fdt_get(c, fd, right, &out->dir);
    if (r != WASI_ESUCCESS)
        return r;
    if (out->dir->kind != WASI_FD_DIR)
        return WASI_ENOTDIR;
    r = guest_path(m, ptr, len, out->path);
    if (r != WASI_ESUCCESS)
        return r;
    out->dirfd = out->dir->host;
    if (out->dir->file_name != NULL) {
        if (!file_mount_ok || !is_dot(out->path))
            return WASI_ENOTDIR;
        strcpy(out->path, out->dir->file_name);
    }
    return WASI_ESUCCESS;
}

static wasi_errno parent_of(const dir_path *dp, bool follow, int *ret_parent, char *name)
{
    int r = resolve_parent(dp->dirfd, dp->path, follow, ret_parent, name);
    return r < 0 ? wasi_errno_from_resolve(r) : WASI_ESUCCESS;
}

static wasi_errno host_result(int rc)
{
    return rc < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
}

/* Whether the guest path asks for a directory with a trailing slash on a real name (a path
 * ending in "." or ".." names a directory anyway: its parent_of name is "."). */
static bool slashed(const dir_path *dp, const char *name)
{
    size_t len = strlen(dp->path);
    return len > 0 && dp->path[len - 1] == '/' && strcmp(name, ".") != 0;
}

/* The last name as a non-following *at() syscall should see it: with the guest's trailing
 * slash, so the kernel applies Linux's rules for it. */
static const char *at_name(const dir_path *dp, const char *name, char buf[NAME_MAX + 2])
{
    if (!slashed(dp, name))
        return name;
    snprintf(buf, NAME_MAX + 2, "%s/", name);
    return buf;
}

/* A link's source with a trailing slash must be a directory (which linkat then refuses). */
static wasi_errno check_link_source(const dir_path *dp, int parent, const char *name)
{
    struct stat st;
    if (!slashed(dp, name))
        return WASI_ESUCCESS;
    if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return wasi_errno_from_host(errno);
    return S_ISDIR(st.st_mode) ? WASI_ESUCCESS : WASI_ENOTDIR;
}

wasi_errno wasi_path_create_directory(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    dir_path dp;
    wasi_errno r = get_dir_path(c, m, (uint32_t)a[0], WASI_RIGHT_PATH_CREATE_DIRECTORY, true, false,
                                (uint32_t)a[1], (uint32_t)a[2], &dp);
    int parent;
    char name[NAME_MAX + 1], buf[NAME_MAX + 2];
    if (r == WASI_ESUCCESS)
        r = parent_of(&dp, false, &parent, name);
    if (r != WASI_ESUCCESS)
        return r;
    r = host_result(mkdirat(parent, at_name(&dp, name, buf), 0777));
    close(parent);
    return r;
}

static wasi_errno filestat_get(wasi_ctx *c, wasi_mem *m, const uint64_t *a, bool legacy)
{
    dir_path dp;
    wasi_errno r = get_dir_path(c, m, (uint32_t)a[0], WASI_RIGHT_PATH_FILESTAT_GET, false, true,
                                (uint32_t)a[2], (uint32_t)a[3], &dp);
    if (r != WASI_ESUCCESS)
        return r;
    bool follow = (a[1] & WASI_LOOKUP_SYMLINK_FOLLOW) != 0;
    int fd;
    int rc = resolve_open(dp.dirfd, dp.path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0, &fd);
    if (rc < 0)
        return wasi_errno_from_resolve(rc);
    struct stat st;
    r = host_result(fstat(fd, &st));
    close(fd);
    return r == WASI_ESUCCESS ? wasi_store_filestat(m, (uint32_t)a[4], &st, legacy) : r;
}

wasi_errno wasi_path_filestat_get(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return filestat_get(c, m, a, false);
}
wasi_errno wasi_unstable_path_filestat_get(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return filestat_get(c, m, a, true);
}

wasi_errno wasi_path_filestat_set_times(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    struct timespec ts[2];
    wasi_errno r = wasi_times_from_fst(a[4], a[5], (uint16_t)a[6], ts);
    dir_path dp;
    if (r == WASI_ESUCCESS)
        r = get_dir_path(c, m, (uint32_t)a[0], WASI_RIGHT_PATH_FILESTAT_SET_TIMES, true, true,
                         (uint32_t)a[2], (uint32_t)a[3], &dp);
    int parent;
    char name[NAME_MAX + 1];
    if (r == WASI_ESUCCESS)
        r = parent_of(&dp, (a[1] & WASI_LOOKUP_SYMLINK_FOLLOW) != 0, &parent, name);
    if (r != WASI_ESUCCESS)
        return r;
    r = host_result(utimensat(parent, name, ts, AT_SYMLINK_NOFOLLOW));
    close(parent);
    return r;
}

wasi_errno wasi_path_link(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    dir_path from, to;
    wasi_errno r = get_dir_path(c, m, (uint32_t)a[0], WASI_RIGHT_PATH_LINK_SOURCE, true, false,
                                (uint32_t)a[2], (uint32_t)a[3], &from);
    if (r == WASI_ESUCCESS)
        r = get_dir_path(c, m, (uint32_t)a[4], WASI_RIGHT_PATH_LINK_TARGET, true, false,
                         (uint32_t)a[5], (uint32_t)a[6], &to);
    int p1 = -1, p2 = -1;
    char n1[NAME_MAX + 1], n2[NAME_MAX + 1], buf[NAME_MAX + 2];
    if (r == WASI_ESUCCESS)
        r = parent_of(&from, (a[1] & WASI_LOOKUP_SYMLINK_FOLLOW) != 0, &p1, n1);
    if (r == WASI_ESUCCESS)
        r = parent_of(&to, false, &p2, n2);
    if (r == WASI_ESUCCESS)
        r = check_link_source(&from, p1, n1);
    if (r == WASI_ESUCCESS)
        r = host_result(linkat(p1, n1, p2, at_name(&to, n2, buf), 0));
    if (p1 >= 0)
        close(p1);
    if (p2 >= 0)
        close(p2);
    return r;
}

/* Host open(2) flags for path_open; the access mode follows the rights asked for. */
static int open_flags(uint16_t oflags, uint64_t base, uint16_t fdflags, bool follow)
{
    bool rd = (base & (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR)) != 0;
    bool wr = (base & WASI_RIGHTS_HOST_WRITE) != 0;
    int fl = wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
    fl |= (oflags & WASI_OFLAG_CREAT ? O_CREAT : 0) |
          (oflags & WASI_OFLAG_DIRECTORY ? O_DIRECTORY : 0) |
          (oflags & WASI_OFLAG_EXCL ? O_EXCL : 0) | (oflags & WASI_OFLAG_TRUNC ? O_TRUNC : 0) |
          (fdflags & WASI_FDFLAG_APPEND ? O_APPEND : 0) |
          (fdflags & WASI_FDFLAG_DSYNC ? O_DSYNC : 0) |
          (fdflags & WASI_FDFLAG_NONBLOCK ? O_NONBLOCK : 0) |
          (fdflags & WASI_FDFLAG_RSYNC ? O_RSYNC : 0) | (fdflags & WASI_FDFLAG_SYNC ? O_SYNC : 0) |
          (follow ? 0 : O_NOFOLLOW) | O_NOCTTY;
    return fl;
}

wasi_errno wasi_path_open(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    uint16_t oflags = (uint16_t)a[4], fdflags = (uint16_t)a[7];
    uint64_t base = a[5], inheriting = a[6];
    bool write = (oflags & (WASI_OFLAG_CREAT | WASI_OFLAG_TRUNC)) ||
                 (base & WASI_RIGHTS_HOST_WRITE) || (fdflags & WASI_FDFLAG_APPEND);
    uint64_t need = WASI_RIGHT_PATH_OPEN |
                    (oflags & WASI_OFLAG_CREAT ? WASI_RIGHT_PATH_CREATE_FILE : 0) |
                    (oflags & WASI_OFLAG_TRUNC ? WASI_RIGHT_PATH_FILESTAT_SET_SIZE : 0);
    dir_path dp;
    wasi_errno r =
        get_dir_path(c, m, (uint32_t)a[0], need, write, true, (uint32_t)a[2], (uint32_t)a[3], &dp);
    if (r != WASI_ESUCCESS)
        return r;
    if (mem_at(m, (uint32_t)a[8], 4) == NULL)
        return WASI_EFAULT;
    int fl = open_flags(oflags, base, fdflags, (a[1] & WASI_LOOKUP_SYMLINK_FOLLOW) != 0);
    int host;
    int rc = resolve_open(dp.dirfd, dp.path, fl, 0666, &host);
    if (rc < 0)
        return wasi_errno_from_resolve(rc);
    wasi_fd e = {.kind = WASI_FD_FILE,
                 .host = host,
                 .filetype = fdt_host_filetype(host),
                 .readonly = dp.dir->readonly};
    if (e.filetype == WASI_FILETYPE_DIRECTORY)
        e.kind = WASI_FD_DIR;
    else if (e.filetype == WASI_FILETYPE_SOCKET_STREAM)
        e.kind = WASI_FD_SOCKET;
    e.rights_base = base & dp.dir->rights_inheriting & fdt_rights_for(e.filetype);
    e.rights_inheriting = inheriting & dp.dir->rights_inheriting;
    uint32_t fd;
    r = fdt_insert(c, &e, &fd);
    if (r != WASI_ESUCCESS) {
        close(host);
        return r;
    }
    mem_store_u32(m, (uint32_t)a[8], fd);
    return WASI_ESUCCESS;
}

wasi_errno wasi_path_readlink(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    dir_path dp;
    wasi_errno r = get_dir_path(c, m, (uint32_t)a[0], WASI_RIGHT_PATH_READLINK, false, false,
                                (uint32_t)a[1], (uint32_t)a[2], &dp);
    uint32_t buf_len = (uint32_t)a[4];
    uint8_t *buf = mem_at(m, (uint32_t)a[3], buf_len);
    if (r == WASI_ESUCCESS && (buf == NULL || mem_at(m, (uint32_t)a[5], 4) == NULL))
        r = WASI_EFAULT;
    int parent;
    char name[NAME_MAX + 1];
    if (r == WASI_ESUCCESS)
        r = parent_of(&dp, false, &parent, name);
    if (r != WASI_ESUCCESS)
        return r;
    char target[PATH_MAX];
    ssize_t n = readlinkat(parent, name, target, sizeof(target));
    close(parent);
    if (n < 0)
        return wasi_errno_from_host(errno);
    size_t copy = (size_t)n < buf_len ? (size_t)n : buf_len;
    memcpy(buf, target, copy);
    mem_store_u32(m, (uint32_t)a[5], (uint32_t)copy);
    return WASI_ESUCCESS;
}

static wasi_errno unlink_common(wasi_ctx *c, wasi_mem *m, const uint64_t *a, uint64_t right,
                                int flags)
{
    dir_path dp;
    wasi_errno r =
        get_dir_path(c, m, (uint32_t)a[0], right, true, false, (uint32_t)a[1], (uint32_t)a[2], &dp);
    int parent;
    char name[NAME_MAX + 1], buf[NAME_MAX + 2];
    if (r == WASI_ESUCCESS)
        r = parent_of(&dp, false, &parent, name);
    if (r != WASI_ESUCCESS)
        return r;
    if (strcmp(name, ".") == 0)
        r = flags ? WASI_EINVAL : WASI_EISDIR;
    else
        r = host_result(unlinkat(parent, at_name(&dp, name, buf), flags));
    close(parent);
    return r;
}

wasi_errno wasi_path_remove_directory(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return unlink_common(c, m, a, WASI_RIGHT_PATH_REMOVE_DIRECTORY, AT_REMOVEDIR);
}

wasi_errno wasi_path_unlink_file(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return unlink_common(c, m, a, WASI_RIGHT_PATH_UNLINK_FILE, 0);
}

wasi_errno wasi_path_rename(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    dir_path from, to;
    wasi_errno r = get_dir_path(c, m, (uint32_t)a[0], WASI_RIGHT_PATH_RENAME_SOURCE, true, false,
                                (uint32_t)a[1], (uint32_t)a[2], &from);
    if (r == WASI_ESUCCESS)
        r = get_dir_path(c, m, (uint32_t)a[3], WASI_RIGHT_PATH_RENAME_TARGET, true, false,
                         (uint32_t)a[4], (uint32_t)a[5], &to);
    int p1 = -1, p2 = -1;
    char n1[NAME_MAX + 1], n2[NAME_MAX + 1], b1[NAME_MAX + 2], b2[NAME_MAX + 2];
    if (r == WASI_ESUCCESS)
        r = parent_of(&from, false, &p1, n1);
    if (r == WASI_ESUCCESS)
        r = parent_of(&to, false, &p2, n2);
    if (r == WASI_ESUCCESS)
        r = (strcmp(n1, ".") == 0 || strcmp(n2, ".") == 0)
                ? WASI_EBUSY
                : host_result(renameat(p1, at_name(&from, n1, b1), p2, at_name(&to, n2, b2)));
    if (p1 >= 0)
        close(p1);
    if (p2 >= 0)
        close(p2);
    return r;
}

/* The link text is stored as given, except absolute targets: they could only ever resolve
 * outside the mount (and would mislead host tools reading the volume), so they are refused. */
wasi_errno wasi_path_symlink(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    char target[PATH_MAX];
    wasi_errno r = guest_path(m, (uint32_t)a[0], (uint32_t)a[1], target);
    dir_path dp;
    if (r == WASI_ESUCCESS)
        r = get_dir_path(c, m, (uint32_t)a[2], WASI_RIGHT_PATH_SYMLINK, true, false, (uint32_t)a[3],
                         (uint32_t)a[4], &dp);
    if (r == WASI_ESUCCESS && target[0] == '/')
        r = WASI_ENOTCAPABLE;
    int parent;
    char name[NAME_MAX + 1], buf[NAME_MAX + 2];
    if (r == WASI_ESUCCESS)
        r = parent_of(&dp, false, &parent, name);
    if (r != WASI_ESUCCESS)
        return r;
    r = strcmp(name, ".") == 0 ? WASI_EEXIST
                               : host_result(symlinkat(target, parent, at_name(&dp, name, buf)));
    close(parent);
    return r;
}
