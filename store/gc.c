/* Garbage collection, holds and disk usage. GC keeps every blob and snapshot that a recorded
 * image lists, a running pull leases or a container holds (hold/<key>/<holder> in LevelDB),
 * and deletes the rest; it runs after each image removal, when a container releases its
 * hold, and when the store opens (cleaning up after a pull killed half-way). What goes is
 * renamed into tmp/ under the lock and deleted after it. Usage counts the content and
 * snapshot trees for ImageFsInfo.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "digest.h"
#include "fs.h"
#include "store_int.h"
#include "strset.h"
#include "strv.h"

#define HOLD_PREFIX "hold/"

static int hold_key(char **ret, const char *key, const char *holder)
{
    if (strchr(key, '/') != NULL || asprintf(ret, HOLD_PREFIX "%s/%s", key, holder) < 0)
        return -EINVAL;
    return 0;
}

int wc_store_hold(wc_store *s, const char *key, const char *holder, wc_error *err)
{
    _cleanup_free_ char *k = NULL;
    if (hold_key(&k, key, holder) < 0)
        return wc_error_set(err, -EINVAL, "cannot hold \"%s\"", key);
    return wc_store_kv_put(s, k, "", 0, err);
}

int wc_store_kv_put_holding(wc_store *s, const char *rec_key, const void *val, size_t len,
                            const char *key, const char *holder, wc_error *err)
{
    _cleanup_free_ char *k = NULL;
    if (hold_key(&k, key, holder) < 0)
        return wc_error_set(err, -EINVAL, "cannot hold \"%s\"", key);
    _cleanup_(store_batch_destroyp) leveldb_writebatch_t *b = leveldb_writebatch_create();
    leveldb_writebatch_put(b, k, strlen(k), "", 0);
    leveldb_writebatch_put(b, rec_key, strlen(rec_key), val, len);
    return store_kv_write(s, b, err);
}

static int any_key(void *ctx, const char *k, const char *val, size_t len)
{
    (void)ctx, (void)k, (void)val, (void)len;
    return 1;
}

int wc_store_release(wc_store *s, const char *key, const char *holder, wc_error *err)
{
    _cleanup_free_ char *k = NULL, *prefix = NULL;
    if (hold_key(&k, key, holder) < 0 || hold_key(&prefix, key, "") < 0)
        return wc_error_set(err, -EINVAL, "cannot release \"%s\"", key);
    int r = wc_store_kv_delete(s, k, err);
    /* The last holder gone: what no image lists any more goes now, not at the next GC. */
    if (r == 0 && wc_store_kv_scan(s, prefix, any_key, NULL) == 0)
        r = wc_store_gc(s, err);
    return r;
}

/* Adds the key of hold/<key>/<holder> to the used set. */
static int add_held(void *ctx, const char *k, const char *val, size_t len)
{
    wc_strset *used = ctx;
    (void)val, (void)len;
    const char *key = k + strlen(HOLD_PREFIX);
    const char *slash = strchr(key, '/');
    _cleanup_free_ char *copy = strndup(key, slash ? (size_t)(slash - key) : strlen(key));
    return copy == NULL ? -ENOMEM : wc_strset_add(used, copy);
}

/* The holders' keys and every blob and snapshot imgs list, into used. */
static int add_used(wc_store *s, wc_image **imgs, wc_strset *used)
{
    TRY(wc_store_kv_scan(s, HOLD_PREFIX, add_held, used));
    for (wc_image **p = imgs; *p; p++) {
        for (char **b = (*p)->blobs; *b; b++)
            TRY(wc_strset_add(used, *b));
        for (char **c = (*p)->snapshots; *c; c++)
            TRY(wc_strset_add(used, *c));
    }
    return 0;
}

/* Every blob and snapshot a recorded image lists or a holder holds, in a set: linear in
 * their number. */
static int collect_used(wc_store *s, wc_strset *used, wc_error *err)
{
    _cleanup_(wc_image_list_freep) wc_image **imgs = NULL;
    TRY(wc_store_image_list(s, &imgs, err));
    int r = add_used(s, imgs, used);
    return r < 0 ? wc_error_set_errno(err, r, "garbage collection") : 0;
}

/* Moves the entries of dir (named by hex digest) that are neither used nor held into tmp/,
 * appending their new paths to trash: a rename each, so that the lock is held briefly. */
static void sweep(wc_store *s, const char *dir, const wc_strset *used, wc_strv_builder *trash)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char key[sizeof(e->d_name) + 8], path[PATH_MAX];
        snprintf(key, sizeof(key), "sha256:%s", e->d_name);
        if (wc_strset_has(used, key))
            continue;
        pthread_mutex_lock(&s->lock);
        bool held = store_key_held(s, key);
        pthread_mutex_unlock(&s->lock);
        if (held)
            continue;
        if (wc_path(path, sizeof(path), NULL, "%s/%s", dir, e->d_name) < 0)
            continue; /* no file has that path */
        _cleanup_free_ char *to = store_tmp_path(s, "trash");
        if (to == NULL || rename(path, to) < 0)
            store_remove_tree(path); /* in place, then */
        else if (wc_strv_builder_add(trash, to) < 0)
            store_remove_tree(to);
    }
    closedir(d);
}

/* Called with meta_lock held: what is used, and the rest of the content and snapshot trees
 * moved into tmp/ (their new paths appended to trash). */
static int move_unused(wc_store *s, wc_strset *used, wc_strv_builder *trash, wc_error *err)
{
    char dir[PATH_MAX];
    TRY(collect_used(s, used, err));
    TRY(wc_path(dir, sizeof(dir), err, "%s/content/sha256", s->root));
    sweep(s, dir, used, trash);
    TRY(wc_path(dir, sizeof(dir), err, "%s/snapshots", s->root));
    sweep(s, dir, used, trash);
    return 0;
}

int wc_store_gc(wc_store *s, wc_error *err)
{
    /* meta_lock: no image can be recorded between listing what is used and moving the rest
     * aside. The trees are deleted after it is released (a snapshot can have 100,000 files,
     * and pulls wait for the lock); what a killed daemon left in tmp/ goes at the next start. */
    wc_strset used = {0};
    wc_strv_builder trash = {0};
    pthread_mutex_lock(&s->meta_lock);
    int r = move_unused(s, &used, &trash, err);
    pthread_mutex_unlock(&s->meta_lock);
    for (size_t i = 0; i < trash.len; i++)
        store_remove_tree(trash.v[i]);
    wc_strv_builder_clear(&trash);
    wc_strset_clear(&used);
    return r;
}

int wc_store_usage(wc_store *s, uint64_t *ret_bytes, uint64_t *ret_inodes, wc_error *err)
{
    char content[PATH_MAX], snaps[PATH_MAX];
    TRY(wc_path(content, sizeof(content), err, "%s/content", s->root));
    TRY(wc_path(snaps, sizeof(snaps), err, "%s/snapshots", s->root));
    const char *const paths[] = {content, snaps, NULL};
    store_tree_usage(paths, ret_bytes, ret_inodes);
    return 0;
}
