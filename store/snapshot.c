/* Snapshots: snapshots/<hex of chain ID>/ holds the full tree of a layer chain (the layer
 * applied on a hard-link copy of its parent), so the top snapshot of an image is its rootfs,
 * read-only and shared by every image with the same chain. A snapshot is built in tmp/ and
 * renamed into place in one step, so a half-unpacked layer is never visible.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "digest.h"
#include "store_int.h"

int wc_store_snapshot_path(const wc_store *s, const char *chain_id, char *buf, size_t size)
{
    return store_digest_path(s, "snapshots", chain_id, buf, size);
}

bool wc_store_snapshot_exists(const wc_store *s, const char *chain_id)
{
    char path[PATH_MAX];
    struct stat st;
    return wc_store_snapshot_path(s, chain_id, path, sizeof(path)) == 0 && stat(path, &st) == 0 &&
           S_ISDIR(st.st_mode);
}

/* A copy of the snapshot parent (hard links) in dir. */
static int clone_parent(wc_store *s, const char *parent, const char *dir)
{
    char ppath[PATH_MAX];
    TRY(wc_store_snapshot_path(s, parent, ppath, sizeof(ppath)));
    return store_clone_tree(ppath, dir);
}

int wc_store_snapshot_prepare(wc_store *s, const char *parent, char **ret_dir, wc_error *err)
{
    _cleanup_free_ char *dir = store_tmp_path(s, "snap");
    if (dir == NULL)
        return wc_error_set(err, -ENOMEM, "prepare snapshot: out of memory");
    if (mkdir(dir, 0755) < 0)
        return wc_error_set_errno(err, -errno, "prepare snapshot %s", dir);
    if (parent != NULL && parent[0] != '\0') {
        int r = clone_parent(s, parent, dir);
        if (r < 0) {
            store_remove_tree(dir);
            return wc_error_set_errno(err, r, "copy snapshot %s", parent);
        }
    }
    *ret_dir = take_ptr(dir);
    return 0;
}

int wc_store_snapshot_commit(wc_store *s, const char *dir, const char *chain_id, wc_error *err)
{
    char path[PATH_MAX];
    int r = wc_store_snapshot_path(s, chain_id, path, sizeof(path));
    if (r < 0)
        return wc_error_set(err, r, "invalid chain id %s", chain_id);
    if (rename(dir, path) < 0) {
        r = -errno;
        /* Someone else committed the same chain first: theirs is as good as ours. */
        if (r == -ENOTEMPTY || r == -EEXIST) {
            store_remove_tree(dir);
            return 0;
        }
        return wc_error_set_errno(err, r, "commit snapshot %s", chain_id);
    }
    return 0;
}

void wc_store_snapshot_abort(wc_store *s, const char *dir)
{
    (void)s;
    if (dir != NULL)
        store_remove_tree(dir);
}
