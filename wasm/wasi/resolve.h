/* Path resolution beneath a directory fd, done by the kernel.
 *
 * Every guest path is resolved with openat2(2) and RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS from
 * the directory fd the guest named: `..` past that directory, absolute paths, absolute symlinks,
 * symlinks whose target leaves, and /proc magic links all fail inside the kernel, atomically with
 * the walk, so swapping a symlink during the open cannot win a race. Functions return 0 or a
 * negative errno; -EXDEV means "the path would leave the directory" (WASI ENOTCAPABLE).
 */
#ifndef WASMCRI_WASI_RESOLVE_H
#define WASMCRI_WASI_RESOLVE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

/* Opens path beneath dirfd with open(2) flags (O_CLOEXEC is added; O_NOFOLLOW means the last
 * component must not be a symlink). *ret_fd is the caller's. */
int resolve_open(int dirfd, const char *path, int flags, mode_t mode, int *ret_fd);

/* Resolves every component of path but the last, beneath dirfd, to an O_PATH directory fd, and
 * copies the last component into name. With follow, a symlink in the last place is followed
 * (each hop re-resolved beneath dirfd) until a non-symlink or a missing name. A path ending in
 * "." or ".." yields that directory and name ".". Trailing slashes are ignored. */
int resolve_parent(int dirfd, const char *path, bool follow, int *ret_parent,
                   char name[NAME_MAX + 1]);

#endif
