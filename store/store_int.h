/* Internals shared by the store's files; not for use outside store/. */
#ifndef WASMCRI_STORE_INT_H
#define WASMCRI_STORE_INT_H

#include <leveldb/c.h>
#include <pthread.h>
#include <stdbool.h>

#include "fsutil.h"
#include "image_memo.h"
#include "kv_cache.h"
#include "store.h"

typedef struct store_key {
    struct store_key *next;
    char *key;
    int leases;
    bool busy; /* held by wc_store_flight_begin */
} store_key;

struct wc_store {
    char *root;
    /* A failed write may leave a torn record at the end of LevelDB's log; a record
     * appended after it would be dropped with it at the next open ("checksum mismatch").
     * So writes are serialised (write_lock), and the first write after a failed one
     * reopens the db first (recovery drops the torn record and starts a new log);
     * db_lock keeps reads off the handle while it is replaced. db is NULL while a
     * reopen fails (the disk still full): every call then fails until one succeeds. */
    leveldb_t *db;
    pthread_rwlock_t db_lock;   /* shared: each use of db; exclusive: its reopen */
    pthread_mutex_t write_lock; /* one LevelDB write at a time */
    bool write_failed;          /* under write_lock: reopen before the next write */
    leveldb_options_t *opts;
    leveldb_readoptions_t *ropts;
    leveldb_writeoptions_t *wopts;    /* sync: a batch is on disk before the RPC answers */
    leveldb_writeoptions_t *kv_wopts; /* generic kv (pods, containers): not synced, see store.h */
    pthread_mutex_t lock;             /* keys and tmp_seq */
    pthread_mutex_t meta_lock;        /* image put/remove: read-modify-write of records */
    pthread_cond_t cond;
    store_key *keys;
    unsigned long tmp_seq;
    kv_cache cache;    /* image records and references (kv_cache.h) */
    image_memo images; /* their last decodes (image_memo.h) */
};

/* Writes the batch; on failure fills err. Frees nothing. */
int store_write(wc_store *s, leveldb_writebatch_t *b, wc_error *err);
/* The same for a batch of the generic kv calls' keys: not synced (store.h). */
int store_kv_write(wc_store *s, leveldb_writebatch_t *b, wc_error *err);
static inline void store_batch_destroyp(leveldb_writebatch_t **b) /* for _cleanup_ */
{
    if (*b != NULL)
        leveldb_writebatch_destroy(*b);
}
/* <root>/<dir>/<hex of digest> into buf; -EINVAL for an invalid digest. */
int store_digest_path(const wc_store *s, const char *dir, const char *digest, char *buf,
                      size_t size);
/* A fresh unique path under <root>/tmp/ with the given prefix; malloc'd. */
char *store_tmp_path(wc_store *s, const char *prefix);
/* true when key is leased or in flight. Call with s->lock held. */
bool store_key_held(wc_store *s, const char *key);

/* The image record as JSON text (store/image_codec.c). */
char *image_encode(const wc_image *img);
int image_decode(const char *json, size_t len, wc_image **ret_img, wc_error *err);
/* A deep copy of img, NULL on ENOMEM. */
wc_image *image_dup(const wc_image *img);

#endif
