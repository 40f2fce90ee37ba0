/* Image records and their refs in LevelDB:
 *   image/<id>     → the record as JSON (image_codec.c)
 *   ref/<name>     → <id>, for every repo tag and repo digest
 * Put and remove are read-modify-write under meta_lock and end in one write batch, so a
 * reader (or a restart after kill -9) sees an image with all its refs or not at all.
 */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "digest.h"
#include "store_int.h"
#include "strv.h"

#define IMAGE_PREFIX "image/"
#define REF_PREFIX "ref/"

static void image_key(char *buf, size_t size, const char *id)
{
    snprintf(buf, size, IMAGE_PREFIX "%s", id);
}

static int image_load(wc_store *s, const char *id, wc_image **ret_img, wc_error *err)
{
    char key[128];
    image_key(key, sizeof(key), id);
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int r = wc_store_kv_get(s, key, &text, &len, err);
    if (r == -ENOENT)
        return wc_error_set(err, -ENOENT, "image %s not found", id);
    if (r < 0)
        return r;
    return image_memo_decode(&s->images, text, len, ret_img, err);
}

static int batch_put_image(leveldb_writebatch_t *b, const wc_image *img, wc_error *err)
{
    _cleanup_free_ char *text = image_encode(img);
    if (text == NULL)
        return wc_error_set(err, -ENOMEM, "record image: out of memory");
    char key[128];
    image_key(key, sizeof(key), img->id);
    leveldb_writebatch_put(b, key, strlen(key), text, strlen(text));
    return 0;
}

static void batch_put_refs(leveldb_writebatch_t *b, const char *id, char *const *names)
{
    for (; *names != NULL; names++) {
        _cleanup_free_ char *key = NULL;
        if (asprintf(&key, REF_PREFIX "%s", *names) >= 0)
            leveldb_writebatch_put(b, key, strlen(key), id, strlen(id));
    }
}

/* Moves name away from the image that holds it now (if another one). *others caches the records
 * changed so far, so two names leaving one image update it once. The caller puts the changed
 * records into its batch. */
static int steal_name(wc_store *s, const char *id, const char *name, wc_image ***others,
                      wc_error *err)
{
    _cleanup_free_ char *key = NULL, *owner = NULL;
    if (asprintf(&key, REF_PREFIX "%s", name) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    int r = wc_store_kv_get(s, key, &owner, NULL, err);
    if (r == -ENOENT || (r == 0 && strcmp(owner, id) == 0))
        return 0;
    if (r < 0)
        return r;
    wc_image *other = NULL;
    for (wc_image **p = *others; p && *p; p++)
        if (strcmp((*p)->id, owner) == 0)
            other = *p;
    if (other == NULL) {
        if (image_load(s, owner, &other, err) < 0)
            return 0; /* a dangling ref: just overwrite it */
        size_t n = 0;
        while (*others && (*others)[n])
            n++;
        wc_image **nv = realloc(*others, (n + 2) * sizeof(*nv));
        if (nv == NULL) {
            wc_image_free(other);
            return wc_error_set(err, -ENOMEM, "out of memory");
        }
        nv[n] = other;
        nv[n + 1] = NULL;
        *others = nv;
    }
    wc_strv_remove(other->repo_tags, name);
    wc_strv_remove(other->repo_digests, name);
    return 0;
}

/* Into b: the records of the images that lose one of names to img, then img's record with
 * all names (its tags and digests) and their refs. *others holds the changed records. */
static int batch_image(wc_store *s, const wc_image *img, char **tags, char **digests,
                       wc_image ***others, leveldb_writebatch_t *b, wc_error *err)
{
    for (char **p = tags; *p; p++)
        TRY(steal_name(s, img->id, *p, others, err));
    for (char **p = digests; *p; p++)
        TRY(steal_name(s, img->id, *p, others, err));
    for (wc_image **p = *others; p && *p; p++)
        TRY(batch_put_image(b, *p, err));
    wc_image merged = *img;
    merged.repo_tags = tags;
    merged.repo_digests = digests;
    TRY(batch_put_image(b, &merged, err));
    batch_put_refs(b, img->id, tags);
    batch_put_refs(b, img->id, digests);
    return 0;
}

static int put_locked(wc_store *s, const wc_image *img, wc_error *err)
{
    _cleanup_strv_ char **tags = wc_strv_copy(img->repo_tags);
    _cleanup_strv_ char **digests = wc_strv_copy(img->repo_digests);
    if (tags == NULL || digests == NULL)
        return wc_error_set(err, -ENOMEM, "record image: out of memory");
    _cleanup_(wc_image_freep) wc_image *old = NULL;
    if (image_load(s, img->id, &old, NULL) == 0) {
        for (char **p = old->repo_tags; *p; p++)
            wc_strv_push_unique(&tags, *p);
        for (char **p = old->repo_digests; *p; p++)
            wc_strv_push_unique(&digests, *p);
    }
    _cleanup_(store_batch_destroyp) leveldb_writebatch_t *b = leveldb_writebatch_create();
    _cleanup_(wc_image_list_freep) wc_image **others = NULL;
    TRY(batch_image(s, img, tags, digests, &others, b, err));
    return store_write(s, b, err);
}

int wc_store_image_put(wc_store *s, const wc_image *img, wc_error *err)
{
    int r = wc_digest_validate(img->id, err);
    if (r < 0)
        return r;
    pthread_mutex_lock(&s->meta_lock);
    r = put_locked(s, img, err);
    pthread_mutex_unlock(&s->meta_lock);
    if (r < 0) {
        wc_error_wrap(err, "record image %s", img->id);
        return r;
    }
    return 0;
}

typedef struct prefix_match {
    char *id;
    int count;
} prefix_match;

static int match_prefix(void *ctx, const char *key, const char *val, size_t len)
{
    prefix_match *m = ctx;
    (void)val;
    (void)len;
    if (m->count++ == 0)
        m->id = strdup(key + strlen(IMAGE_PREFIX));
    return 0;
}

static bool is_hex(const char *s)
{
    return s[strspn(s, "0123456789abcdef")] == '\0';
}

/* A bare hex id or a unique prefix of one (at least 12 digits, as docker's short ids). */
static int get_by_hex(wc_store *s, const char *hex, wc_image **ret_img, wc_error *err)
{
    if (strlen(hex) == WC_DIGEST_HEX_LEN) {
        char id[WC_DIGEST_STR_LEN + 1];
        snprintf(id, sizeof(id), "sha256:%s", hex);
        return image_load(s, id, ret_img, err);
    }
    char prefix[128];
    snprintf(prefix, sizeof(prefix), IMAGE_PREFIX "sha256:%s", hex);
    prefix_match m = {0};
    wc_store_kv_scan(s, prefix, match_prefix, &m);
    _cleanup_free_ char *id = m.id;
    if (m.count == 0)
        return wc_error_set(err, -ENOENT, "image %s not found", hex);
    if (m.count > 1)
        return wc_error_set(err, -EINVAL, "image id prefix %s is ambiguous (%d images)", hex,
                            m.count);
    return image_load(s, id, ret_img, err);
}

int wc_store_image_get(wc_store *s, const char *name, wc_image **ret_img, wc_error *err)
{
    if (wc_digest_validate(name, NULL) == 0)
        return image_load(s, name, ret_img, err);
    size_t len = strlen(name);
    if (len >= 12 && len <= WC_DIGEST_HEX_LEN && is_hex(name) &&
        get_by_hex(s, name, ret_img, NULL) == 0)
        return 0;
    _cleanup_free_ char *key = NULL, *id = NULL;
    if (asprintf(&key, REF_PREFIX "%s", name) < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    int r = wc_store_kv_get(s, key, &id, NULL, err);
    if (r == -ENOENT)
        return wc_error_set(err, -ENOENT, "image %s not found", name);
    if (r < 0)
        return r;
    return image_load(s, id, ret_img, err);
}

typedef struct list_ctx {
    wc_image **imgs;
    size_t n;
    wc_error *err;
} list_ctx;

static int list_one(void *ctx, const char *key, const char *val, size_t len)
{
    list_ctx *l = ctx;
    (void)key;
    wc_image *img = NULL;
    int r = image_decode(val, len, &img, l->err);
    if (r < 0)
        return r;
    wc_image **nv = realloc(l->imgs, (l->n + 2) * sizeof(*nv));
    if (nv == NULL) {
        wc_image_free(img);
        return wc_error_set(l->err, -ENOMEM, "list images: out of memory");
    }
    nv[l->n++] = img;
    nv[l->n] = NULL;
    l->imgs = nv;
    return 0;
}

int wc_store_image_list(wc_store *s, wc_image ***ret_imgs, wc_error *err)
{
    list_ctx l = {.imgs = calloc(1, sizeof(wc_image *)), .err = err};
    if (l.imgs == NULL)
        return wc_error_set(err, -ENOMEM, "list images: out of memory");
    int r = wc_store_kv_scan(s, IMAGE_PREFIX, list_one, &l);
    if (r < 0) {
        wc_image_list_free(l.imgs);
        return r;
    }
    *ret_imgs = l.imgs;
    return 0;
}

static void batch_drop_ref(wc_store *s, leveldb_writebatch_t *b, const char *id, const char *name)
{
    _cleanup_free_ char *key = NULL, *owner = NULL;
    if (asprintf(&key, REF_PREFIX "%s", name) < 0)
        return;
    if (wc_store_kv_get(s, key, &owner, NULL, NULL) == 0 && strcmp(owner, id) == 0)
        leveldb_writebatch_delete(b, key, strlen(key));
}

static int remove_locked(wc_store *s, const char *id, wc_error *err)
{
    _cleanup_(wc_image_freep) wc_image *img = NULL;
    TRY(image_load(s, id, &img, err));
    _cleanup_(store_batch_destroyp) leveldb_writebatch_t *b = leveldb_writebatch_create();
    for (char **p = img->repo_tags; *p; p++)
        batch_drop_ref(s, b, id, *p);
    for (char **p = img->repo_digests; *p; p++)
        batch_drop_ref(s, b, id, *p);
    char key[128];
    image_key(key, sizeof(key), id);
    leveldb_writebatch_delete(b, key, strlen(key));
    return store_write(s, b, err);
}

int wc_store_image_remove(wc_store *s, const char *id, wc_error *err)
{
    pthread_mutex_lock(&s->meta_lock);
    int r = remove_locked(s, id, err);
    pthread_mutex_unlock(&s->meta_lock);
    TRY(r);
    return wc_store_gc(s, err);
}
