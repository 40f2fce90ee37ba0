/* Directory-tree work for snapshots and GC, done with *at() calls on directory fds so that a
 * symlink inside a tree is never followed: remove a tree, clone a tree with hard links, and
 * count the bytes and inodes of a tree (hard links counted once).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "error.h"
#include "fsutil.h"

#define MAX_DEPTH 512

static DIR *open_dir_at(int at, const char *name)
{
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    DIR *d = fdopendir(fd);
    if (d == NULL)
        close(fd);
    return d;
}

static bool is_dot(const char *name)
{
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

static int remove_at(int at, const char *name, int depth)
{
    if (unlinkat(at, name, 0) == 0 || errno == ENOENT)
        return 0;
    if ((errno != EISDIR && errno != EPERM) || depth > MAX_DEPTH)
        return -errno;
    DIR *d = open_dir_at(at, name);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (!is_dot(e->d_name))
                remove_at(dirfd(d), e->d_name, depth + 1);
        closedir(d);
    }
    if (unlinkat(at, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}

int store_remove_tree(const char *path)
{
    return remove_at(AT_FDCWD, path, 0);
}

static int clone_dir(int src, int dst, int depth);

static int clone_subdir(int src, int dst, const char *name, mode_t mode, int depth)
{
    if (mkdirat(dst, name, 0700) < 0)
        return -errno;
    _cleanup_close_ int s2 = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (s2 < 0)
        return -errno;
    _cleanup_close_ int d2 = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (d2 < 0)
        return -errno;
    TRY(clone_dir(s2, d2, depth + 1));
    return fchmod(d2, mode & 07777) < 0 ? -errno : 0;
}

static int clone_symlink(int src, int dst, const char *name)
{
    char target[4096];
    ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
    if (n < 0)
        return -errno;
    target[n] = '\0';
    return symlinkat(target, dst, name) < 0 ? -errno : 0;
}

/* The entry name of src made again in dst: a directory cloned, a symlink copied, a regular
 * file hard-linked; anything else (and an entry gone meanwhile) is left out. */
static int clone_entry(int src, int dst, const char *name, int depth)
{
    struct stat st;
    if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return 0;
    if (S_ISDIR(st.st_mode))
        return clone_subdir(src, dst, name, st.st_mode, depth);
    if (S_ISLNK(st.st_mode))
        return clone_symlink(src, dst, name);
    if (S_ISREG(st.st_mode) && linkat(src, name, dst, name, 0) < 0)
        return -errno;
    return 0;
}

static int clone_dir(int src, int dst, int depth)
{
    if (depth > MAX_DEPTH)
        return -ELOOP;
    _cleanup_closedir_ DIR *d = open_dir_at(src, ".");
    if (d == NULL)
        return -errno;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (!is_dot(e->d_name))
            TRY(clone_entry(src, dst, e->d_name, depth));
    return 0;
}

int store_clone_tree(const char *src, const char *dst)
{
    _cleanup_close_ int s = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    _cleanup_close_ int d = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s < 0 || d < 0)
        return -errno;
    struct stat st;
    if (fstat(s, &st) == 0)
        fchmod(d, st.st_mode & 07777);
    return clone_dir(s, d, 0);
}

/* A small open-addressing set of (dev, ino) so a hard-linked inode is counted once. */
typedef struct inode_set {
    struct {
        dev_t dev;
        ino_t ino;
    } * slots;
    size_t cap, len;
} inode_set;

static bool inode_set_add(inode_set *set, dev_t dev, ino_t ino)
{
    if (set->len * 2 >= set->cap) {
        inode_set bigger = {.cap = set->cap ? set->cap * 2 : 1024};
        bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
        if (bigger.slots == NULL)
            return true; /* count it again rather than fail */
        for (size_t i = 0; i < set->cap; i++)
            if (set->slots[i].ino != 0)
                inode_set_add(&bigger, set->slots[i].dev, set->slots[i].ino);
        free(set->slots);
        *set = bigger;
    }
    size_t i = ((size_t)ino * 0x9e3779b97f4a7c15ull + (size_t)dev) % set->cap;
    for (; set->slots[i].ino != 0; i = (i + 1) % set->cap)
        if (set->slots[i].ino == ino && set->slots[i].dev == dev)
            return false;
    set->slots[i].dev = dev;
    set->slots[i].ino = ino;
    set->len++;
    return true;
}

static void usage_dir(int fd, inode_set *seen, uint64_t *bytes, uint64_t *inodes, int depth)
{
    DIR *d = fdopendir(dup(fd));
    if (d == NULL || depth > MAX_DEPTH) {
        if (d)
            closedir(d);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (is_dot(e->d_name) || fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) && !inode_set_add(seen, st.st_dev, st.st_ino))
            continue;
        *bytes += (uint64_t)st.st_blocks * 512;
        *inodes += 1;
        if (S_ISDIR(st.st_mode)) {
            _cleanup_close_ int sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
            if (sub >= 0)
                usage_dir(sub, seen, bytes, inodes, depth + 1);
        }
    }
    closedir(d);
}

void store_tree_usage(const char *const *paths, uint64_t *ret_bytes, uint64_t *ret_inodes)
{
    inode_set seen = {0};
    *ret_bytes = 0;
    *ret_inodes = 0;
    for (; *paths != NULL; paths++) {
        _cleanup_close_ int fd = open(*paths, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0)
            usage_dir(fd, &seen, ret_bytes, ret_inodes, 0);
    }
    free(seen.slots);
}
