/* The store's lifetime and its generic parts: opening the LevelDB and the directory tree,
 * cleaning what an interrupted process left in tmp/, the generic key/value calls, and the
 * in-memory leases and single-flight keys that let pulls run side by side (see store.h).
 * Images live in image_record.c, blobs in content.c, snapshots in snapshot.c, GC in gc.c.
 */
#include "store_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "fs.h"
#include "log.h"

static int store_make_dirs(const char *root, wc_error *err)
{
    static const char *const subdirs[] = {"", "/content/sha256", "/snapshots", "/tmp"};
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
        if (wc_path(path, sizeof(path), err, "%s%s", root, subdirs[i]) < 0 ||
            wc_mkdirs(path, 0700, err) < 0)
            return wc_error_wrap(err, "create the store under %s", root);
    }
    return 0;
}

/* Opens <root>/meta into s->db (NULL on failure). */
static int db_open(wc_store *s, wc_error *err)
{
    char path[PATH_MAX];
    TRY(wc_path(path, sizeof(path), err, "%s/meta", s->root));
    char *lerr = NULL;
    s->db = leveldb_open(s->opts, path, &lerr);
    if (s->db == NULL) {
        int code = (lerr && strstr(lerr, "lock")) ? -EBUSY : -EIO;
        wc_error_set(err, code, "open metadata database %s: %s%s", path, lerr ? lerr : "unknown",
                     code == -EBUSY ? " (is another wasmcri running on this root?)" : "");
        leveldb_free(lerr);
        return code;
    }
    return 0;
}

/* The memtable's size before LevelDB writes it out as a table: its default (4 MiB) was most
 * of the daemon's heap at 1,000 containers (records of a few hundred bytes each; issue 18),
 * and the records' tables are small enough for 1 MiB ones. */
#define STORE_WRITE_BUFFER_BYTES (1 << 20)

static int store_open_db(wc_store *s, wc_error *err)
{
    s->opts = leveldb_options_create();
    leveldb_options_set_create_if_missing(s->opts, 1);
    leveldb_options_set_write_buffer_size(s->opts, STORE_WRITE_BUFFER_BYTES);
    s->ropts = leveldb_readoptions_create();
    s->wopts = leveldb_writeoptions_create();
    leveldb_writeoptions_set_sync(s->wopts, 1);
    s->kv_wopts = leveldb_writeoptions_create();
    return db_open(s, err);
}

/* With write_lock held: a new handle, whose recovery drops what a failed write tore
 * and starts a new log (see store_int.h). */
static int db_reopen(wc_store *s, wc_error *err)
{
    pthread_rwlock_wrlock(&s->db_lock);
    if (s->db != NULL)
        leveldb_close(s->db);
    s->db = NULL;
    int r = db_open(s, err);
    pthread_rwlock_unlock(&s->db_lock);
    if (r < 0)
        return wc_error_wrap(err, "reopen the metadata database after a failed write");
    s->write_failed = false;
    wc_info("store", "metadata database reopened after a failed write");
    return 0;
}

/* Takes db_lock shared, with a usable db: one that a failed reopen closed is opened
 * again first. */
static int db_read_begin(wc_store *s, wc_error *err)
{
    pthread_rwlock_rdlock(&s->db_lock);
    if (s->db != NULL)
        return 0;
    pthread_rwlock_unlock(&s->db_lock);
    pthread_mutex_lock(&s->write_lock);
    int r = s->db != NULL ? 0 : db_reopen(s, err);
    pthread_mutex_unlock(&s->write_lock);
    if (r < 0)
        return r;
    pthread_rwlock_rdlock(&s->db_lock);
    if (s->db != NULL)
        return 0;
    pthread_rwlock_unlock(&s->db_lock);
    return wc_error_set(err, -EIO, "the metadata database is closed after a failed write");
}

int wc_store_open(const char *root, wc_store **ret_store, wc_error *err)
{
    int r = store_make_dirs(root, err);
    if (r < 0)
        return r;
    wc_store *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return wc_error_set(err, -ENOMEM, "open store: out of memory");
    /* The real path: unpack refuses to extract through symlinks, the root's own included. */
    s->root = realpath(root, NULL);
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->meta_lock, NULL);
    pthread_mutex_init(&s->write_lock, NULL);
    pthread_rwlock_init(&s->db_lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    kv_cache_init(&s->cache);
    image_memo_init(&s->images);
    if (s->root == NULL) {
        r = wc_error_set_errno(err, -errno, "open store %s", root);
        goto fail;
    }
    r = store_open_db(s, err);
    if (r < 0)
        goto fail;
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s/tmp", s->root);
    store_remove_tree(tmp);
    mkdir(tmp, 0700);
    r = wc_store_gc(s, err);
    if (r < 0)
        goto fail;
    *ret_store = s;
    return 0;
fail:
    wc_store_close(s);
    return r;
}

void wc_store_close(wc_store *s)
{
    if (s == NULL)
        return;
    if (s->db)
        leveldb_close(s->db);
    if (s->opts)
        leveldb_options_destroy(s->opts);
    if (s->ropts)
        leveldb_readoptions_destroy(s->ropts);
    if (s->wopts)
        leveldb_writeoptions_destroy(s->wopts);
    if (s->kv_wopts)
        leveldb_writeoptions_destroy(s->kv_wopts);
    for (store_key *k = s->keys, *next; k != NULL; k = next) {
        next = k->next;
        free(k->key);
        free(k);
    }
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->meta_lock);
    pthread_mutex_destroy(&s->write_lock);
    pthread_rwlock_destroy(&s->db_lock);
    pthread_cond_destroy(&s->cond);
    kv_cache_destroy(&s->cache);
    image_memo_destroy(&s->images);
    free(s->root);
    free(s);
}

const char *wc_store_root(const wc_store *s)
{
    return s->root;
}

/* Called with write_lock held: reopens the db after a failed write, then writes. */
static int write_locked(wc_store *s, leveldb_writeoptions_t *wopts, leveldb_writebatch_t *b,
                        wc_error *err)
{
    if (s->write_failed || s->db == NULL)
        TRY(db_reopen(s, err));
    char *lerr = NULL;
    pthread_rwlock_rdlock(&s->db_lock);
    leveldb_write(s->db, wopts, b, &lerr);
    pthread_rwlock_unlock(&s->db_lock);
    if (lerr == NULL)
        return 0;
    s->write_failed = true;
    int r = strstr(lerr, "No space left") ? -ENOSPC : -EIO;
    wc_error_set(err, r, "write metadata: %s%s", lerr,
                 r == -ENOSPC ? " (the store's filesystem is full)" : "");
    wc_warn("store", "write metadata: %s", lerr);
    leveldb_free(lerr);
    return r;
}

/* One write at a time; after a failed one, none reaches the log it tore (store_int.h). */
static int write_with(wc_store *s, leveldb_writeoptions_t *wopts, leveldb_writebatch_t *b,
                      wc_error *err)
{
    pthread_mutex_lock(&s->write_lock);
    int r = write_locked(s, wopts, b, err);
    if (r == 0)
        kv_cache_apply(&s->cache, b);
    pthread_mutex_unlock(&s->write_lock);
    return r;
}

int store_write(wc_store *s, leveldb_writebatch_t *b, wc_error *err)
{
    return write_with(s, s->wopts, b, err);
}

int store_kv_write(wc_store *s, leveldb_writebatch_t *b, wc_error *err)
{
    return write_with(s, s->kv_wopts, b, err);
}

char *store_tmp_path(wc_store *s, const char *prefix)
{
    pthread_mutex_lock(&s->lock);
    unsigned long seq = ++s->tmp_seq;
    pthread_mutex_unlock(&s->lock);
    char *p = NULL;
    if (asprintf(&p, "%s/tmp/%s-%d-%lu", s->root, prefix, (int)getpid(), seq) < 0)
        return NULL;
    return p;
}

int wc_store_kv_put(wc_store *s, const char *key, const void *val, size_t len, wc_error *err)
{
    leveldb_writebatch_t *b = leveldb_writebatch_create();
    leveldb_writebatch_put(b, key, strlen(key), val, len);
    int r = store_kv_write(s, b, err);
    leveldb_writebatch_destroy(b);
    return r;
}

int wc_store_kv_get(wc_store *s, const char *key, char **ret_val, size_t *ret_len, wc_error *err)
{
    uint64_t gen = 0;
    bool cached = kv_cache_covers(key);
    size_t len = 0;
    int r = cached ? kv_cache_get(&s->cache, key, ret_val, &len, &gen) : -EAGAIN;
    if (r == 1 && ret_len)
        *ret_len = len;
    if (r != -EAGAIN)
        return r == 1   ? 0
               : r == 0 ? wc_error_set(err, -ENOENT, "%s not found", key)
                        : wc_error_set(err, r, "read metadata %s: out of memory", key);
    char *lerr = NULL;
    r = db_read_begin(s, err);
    if (r < 0)
        return r;
    char *v = leveldb_get(s->db, s->ropts, key, strlen(key), &len, &lerr);
    pthread_rwlock_unlock(&s->db_lock);
    if (lerr != NULL) {
        wc_error_set(err, -EIO, "read metadata %s: %s", key, lerr);
        leveldb_free(lerr);
        return -EIO;
    }
    if (cached)
        kv_cache_fill(&s->cache, key, v, len, gen);
    if (v == NULL)
        return wc_error_set(err, -ENOENT, "%s not found", key);
    char *copy = malloc(len + 1);
    if (copy != NULL) {
        memcpy(copy, v, len);
        copy[len] = '\0';
    }
    leveldb_free(v);
    if (copy == NULL)
        return wc_error_set(err, -ENOMEM, "read metadata %s: out of memory", key);
    *ret_val = copy;
    if (ret_len)
        *ret_len = len;
    return 0;
}

int wc_store_kv_delete(wc_store *s, const char *key, wc_error *err)
{
    leveldb_writebatch_t *b = leveldb_writebatch_create();
    leveldb_writebatch_delete(b, key, strlen(key));
    int r = store_kv_write(s, b, err);
    leveldb_writebatch_destroy(b);
    return r;
}

int wc_store_kv_scan(wc_store *s, const char *prefix, wc_store_kv_fn fn, void *ctx)
{
    size_t plen = strlen(prefix);
    int r = db_read_begin(s, NULL);
    if (r < 0)
        return r;
    leveldb_iterator_t *it = leveldb_create_iterator(s->db, s->ropts);
    for (leveldb_iter_seek(it, prefix, plen); r == 0 && leveldb_iter_valid(it);
         leveldb_iter_next(it)) {
        size_t klen = 0, vlen = 0;
        const char *k = leveldb_iter_key(it, &klen);
        if (klen < plen || memcmp(k, prefix, plen) != 0)
            break;
        const char *v = leveldb_iter_value(it, &vlen);
        _cleanup_free_ char *key = strndup(k, klen);
        _cleanup_free_ char *val = malloc(vlen + 1);
        if (key == NULL || val == NULL) {
            r = -ENOMEM;
            break;
        }
        memcpy(val, v, vlen);
        val[vlen] = '\0';
        r = fn(ctx, key, val, vlen);
    }
    leveldb_iter_destroy(it);
    pthread_rwlock_unlock(&s->db_lock);
    return r;
}

/* ---- leases and single flight ---- */

static store_key *key_find(wc_store *s, const char *key, bool create)
{
    for (store_key *k = s->keys; k != NULL; k = k->next)
        if (strcmp(k->key, key) == 0)
            return k;
    if (!create)
        return NULL;
    store_key *k = calloc(1, sizeof(*k));
    if (k == NULL)
        return NULL;
    k->key = strdup(key);
    if (k->key == NULL) {
        free(k);
        return NULL;
    }
    k->next = s->keys;
    s->keys = k;
    return k;
}

/* Drops the entry once nobody leases or holds it. Call with s->lock held. */
static void key_release(wc_store *s, store_key *k)
{
    if (k->leases > 0 || k->busy)
        return;
    for (store_key **pp = &s->keys; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == k) {
            *pp = k->next;
            free(k->key);
            free(k);
            return;
        }
    }
}

bool store_key_held(wc_store *s, const char *key)
{
    return key_find(s, key, false) != NULL;
}

void wc_store_lease(wc_store *s, const char *key)
{
    pthread_mutex_lock(&s->lock);
    store_key *k = key_find(s, key, true);
    if (k != NULL)
        k->leases++;
    pthread_mutex_unlock(&s->lock);
}

void wc_store_unlease(wc_store *s, const char *key)
{
    pthread_mutex_lock(&s->lock);
    store_key *k = key_find(s, key, false);
    if (k != NULL && k->leases > 0) {
        k->leases--;
        key_release(s, k);
    }
    pthread_mutex_unlock(&s->lock);
}

void wc_store_flight_begin(wc_store *s, const char *key)
{
    pthread_mutex_lock(&s->lock);
    store_key *k;
    while ((k = key_find(s, key, true)) != NULL && k->busy)
        pthread_cond_wait(&s->cond, &s->lock);
    if (k != NULL)
        k->busy = true;
    pthread_mutex_unlock(&s->lock);
}

void wc_store_flight_end(wc_store *s, const char *key)
{
    pthread_mutex_lock(&s->lock);
    store_key *k = key_find(s, key, false);
    if (k != NULL) {
        k->busy = false;
        key_release(s, k);
    }
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}
