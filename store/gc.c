/* Garbage collection, holds and disk usage. GC keeps every blob and snapshot that a recorded
 * image lists, a running pull leases or a container holds (hold/<key>/<holder> in LevelDB),
 * and deletes the rest; it runs after each image removal
 * and when the store opens (cleaning up after a pull killed half-way). Usage counts the
 * content and snapshot trees for ImageFsInfo.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "digest.h"
#include "store_int.h"
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

int wc_store_release(wc_store *s, const char *key, const char *holder, wc_error *err)
{
    _cleanup_free_ char *k = NULL;
    if (hold_key(&k, key, holder) < 0)
        return wc_error_set(err, -EINVAL, "cannot release \"%s\"", key);
    return wc_store_kv_delete(s, k, err);
}

/* Adds the key of hold/<key>/<holder> to the used list. */
static int add_held(void *ctx, const char *k, const char *val, size_t len)
{
    char ***used = ctx;
    (void)val, (void)len;
    const char *key = k + strlen(HOLD_PREFIX);
    const char *slash = strchr(key, '/');
    _cleanup_free_ char *copy = strndup(key, slash ? (size_t)(slash - key) : strlen(key));
    return copy == NULL ? -ENOMEM : wc_strv_push_unique(used, copy);
}

static int collect_used(wc_store *s, char ***ret_used, wc_error *err)
{
    wc_image **imgs = NULL;
    int r = wc_store_image_list(s, &imgs, err);
    if (r < 0)
        return r;
    char **used = calloc(1, sizeof(char *));
    if (used != NULL && wc_store_kv_scan(s, HOLD_PREFIX, add_held, &used) < 0)
        wc_strv_free(take_ptr(used));
    for (wc_image **p = imgs; used != NULL && *p; p++) {
        for (char **b = (*p)->blobs; used != NULL && *b; b++)
            if (wc_strv_push_unique(&used, *b) < 0)
                wc_strv_free(take_ptr(used));
        for (char **c = (*p)->snapshots; used != NULL && *c; c++)
            if (wc_strv_push_unique(&used, *c) < 0)
                wc_strv_free(take_ptr(used));
    }
    wc_image_list_free(imgs);
    if (used == NULL)
        return wc_error_set(err, -ENOMEM, "garbage collection: out of memory");
    *ret_used = used;
    return 0;
}

/* Deletes entries of dir (named by hex digest) that are neither used nor held. */
static void sweep(wc_store *s, const char *dir, char **used)
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
        if (wc_strv_contains(used, key))
            continue;
        pthread_mutex_lock(&s->lock);
        bool held = store_key_held(s, key);
        pthread_mutex_unlock(&s->lock);
        if (held)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        store_remove_tree(path);
    }
    closedir(d);
}

int wc_store_gc(wc_store *s, wc_error *err)
{
    /* meta_lock: no image can be recorded between listing what is used and deleting. */
    pthread_mutex_lock(&s->meta_lock);
    _cleanup_strv_ char **used = NULL;
    int r = collect_used(s, &used, err);
    if (r == 0) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s/content/sha256", s->root);
        sweep(s, dir, used);
        snprintf(dir, sizeof(dir), "%s/snapshots", s->root);
        sweep(s, dir, used);
    }
    pthread_mutex_unlock(&s->meta_lock);
    return r;
}

int wc_store_usage(wc_store *s, uint64_t *ret_bytes, uint64_t *ret_inodes, wc_error *err)
{
    char content[PATH_MAX], snaps[PATH_MAX];
    snprintf(content, sizeof(content), "%s/content", s->root);
    snprintf(snaps, sizeof(snaps), "%s/snapshots", s->root);
    const char *const paths[] = {content, snaps, NULL};
    (void)err;
    store_tree_usage(paths, ret_bytes, ret_inodes);
    return 0;
}
