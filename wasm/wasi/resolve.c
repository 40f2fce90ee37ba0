/* Kernel-side path resolution beneath a directory (see resolve.h).
 *
 * resolve_open is one openat2 call; EAGAIN (the kernel saw a concurrent rename and refused to
 * guess) is retried a bounded number of times. resolve_parent splits off the last component so
 * the *at() syscalls that do not follow symlinks (mkdirat, unlinkat, renameat, linkat, symlinkat,
 * readlinkat, fstatat with AT_SYMLINK_NOFOLLOW) act on one plain name inside a directory fd that
 * openat2 already proved to be beneath. Following a final symlink is done here, hop by hop, by
 * rebuilding the path from the directory part and the link text and resolving again from the
 * original dirfd, so the same beneath rule holds for every hop.
 */
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EAGAIN_RETRIES 64
#define MAX_SYMLINK_HOPS 40

static int openat2_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
    struct open_how how = {
        .flags = (unsigned long long)(flags | O_CLOEXEC),
        .mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    for (int i = 0; i < EAGAIN_RETRIES; i++) {
        long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        if (fd >= 0)
            return (int)fd;
        if (errno != EAGAIN && errno != EINTR)
            return -errno;
    }
    return -EAGAIN;
}

int resolve_open(int dirfd, const char *path, int flags, mode_t mode, int *ret_fd)
{
    if (path[0] == '\0')
        return -ENOENT;
    int fd = openat2_beneath(dirfd, path, flags, mode);
    if (fd < 0)
        return fd;
    *ret_fd = fd;
    return 0;
}

/* Splits path into its directory part (written to dir) and last component (to name). */
static int split(const char *path, char *dir, size_t dircap, char name[NAME_MAX + 1])
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    if (len == 0)
        return -ENOENT;
    if (path[0] == '/')
        return -EXDEV;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/')
        start--;
    size_t nlen = len - start;
    if (nlen > NAME_MAX)
        return -ENAMETOOLONG;
    bool dots = (nlen == 1 && path[start] == '.') ||
                (nlen == 2 && path[start] == '.' && path[start + 1] == '.');
    size_t dlen = dots ? len : start;
    if (dlen + 1 > dircap)
        return -ENAMETOOLONG;
    if (dlen == 0) {
        strcpy(dir, ".");
    } else {
        memcpy(dir, path, dlen);
        dir[dlen] = '\0';
    }
    if (dots) {
        strcpy(name, ".");
    } else {
        memcpy(name, path + start, nlen);
        name[nlen] = '\0';
    }
    return 0;
}

int resolve_parent(int dirfd, const char *path, bool follow, int *ret_parent,
                   char name[NAME_MAX + 1])
{
    char cur[PATH_MAX], dir[PATH_MAX], target[PATH_MAX];
    if (strlen(path) >= sizeof(cur))
        return -ENAMETOOLONG;
    strcpy(cur, path);
    for (int hop = 0;; hop++) {
        int r = split(cur, dir, sizeof(dir), name);
        if (r < 0)
            return r;
        int parent = openat2_beneath(dirfd, dir, O_PATH | O_DIRECTORY, 0);
        if (parent < 0)
            return parent;
        if (!follow || strcmp(name, ".") == 0) {
            *ret_parent = parent;
            return 0;
        }
        ssize_t n = readlinkat(parent, name, target, sizeof(target) - 1);
        if (n < 0) { /* not a symlink (EINVAL) or missing (ENOENT): this is the object */
            *ret_parent = parent;
            return 0;
        }
        close(parent);
        if (hop == MAX_SYMLINK_HOPS)
            return -ELOOP;
        target[n] = '\0';
        if (target[0] == '/')
            return -EXDEV;
        int len = strcmp(dir, ".") == 0 ? snprintf(cur, sizeof(cur), "%s", target)
                                        : snprintf(cur, sizeof(cur), "%s/%s", dir, target);
        if (len < 0 || (size_t)len >= sizeof(cur))
            return -ENAMETOOLONG;
    }
}
