/* The store (store/): image records and refs, lookups, tag moves, removal with GC of blobs
 * and snapshots, leases and holds (a record written with its hold), the verifying blob writer,
 * persistence across reopen, usage. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../unit/check.h"
#include "digest.h"
#include "fsutil.h"
#include "store.h"
#include "strv.h"

static char root[1024]; /* $TMPDIR (else /tmp)/wasmcri-store-XXXXXX */

static char *digest_of(const char *text)
{
    static char out[4][WC_DIGEST_STR_LEN + 1];
    static int next;
    char *d = out[next++ % 4];
    wc_sha256_buf(text, strlen(text), d);
    return d;
}

static void put_blob(wc_store *s, const char *text)
{
    CHECK(wc_store_blob_put(s, digest_of(text), text, strlen(text), NULL) == 0);
}

static wc_image *make_image(const char *config, const char *tag, const char *layer,
                            const char *chain)
{
    wc_image *img = calloc(1, sizeof(*img));
    img->id = strdup(digest_of(config));
    img->repo_tags = wc_strv_copy(NULL);
    wc_strv_push(&img->repo_tags, tag);
    img->repo_digests = wc_strv_copy(NULL);
    char rd[256];
    snprintf(rd, sizeof(rd), "x.io/app@%s", digest_of(tag));
    wc_strv_push(&img->repo_digests, rd);
    img->blobs = wc_strv_copy(NULL);
    wc_strv_push(&img->blobs, digest_of(config));
    wc_strv_push(&img->blobs, digest_of(layer));
    img->snapshots = wc_strv_copy(NULL);
    wc_strv_push(&img->snapshots, chain);
    img->chain_id = strdup(chain);
    img->uid = 1000;
    return img;
}

static void make_snapshot(wc_store *s, const char *chain)
{
    char *dir = NULL;
    CHECK(wc_store_snapshot_prepare(s, NULL, &dir, NULL) == 0);
    char f[1024];
    snprintf(f, sizeof(f), "%s/file", dir);
    FILE *fp = fopen(f, "w");
    fputs("data", fp);
    fclose(fp);
    CHECK(wc_store_snapshot_commit(s, dir, chain, NULL) == 0);
    free(dir);
}

static void test_images(wc_store *s)
{
    const char *chain = digest_of("chain-1");
    char chain_copy[WC_DIGEST_STR_LEN + 1];
    strcpy(chain_copy, chain);
    put_blob(s, "config-1");
    put_blob(s, "layer-shared");
    put_blob(s, "config-2");
    make_snapshot(s, chain_copy);
    wc_image *a = make_image("config-1", "x.io/app:1", "layer-shared", chain_copy);
    wc_image *b = make_image("config-2", "x.io/app:2", "layer-shared", chain_copy);
    CHECK(wc_store_image_put(s, a, NULL) == 0);
    CHECK(wc_store_image_put(s, b, NULL) == 0);
    wc_image *got = NULL;
    CHECK(wc_store_image_get(s, a->id, &got, NULL) == 0 && got->uid == 1000);
    wc_image_free(got);
    char shortid[13];
    snprintf(shortid, sizeof(shortid), "%s", wc_digest_hex(a->id));
    CHECK(wc_store_image_get(s, shortid, &got, NULL) == 0 && strcmp(got->id, a->id) == 0);
    wc_image_free(got);
    CHECK(wc_store_image_get(s, "x.io/app:2", &got, NULL) == 0 && strcmp(got->id, b->id) == 0);
    wc_image_free(got);
    CHECK(wc_store_image_get(s, a->repo_digests[0], &got, NULL) == 0);
    wc_image_free(got);
    wc_error err = {0};
    CHECK(wc_store_image_get(s, "x.io/none:1", &got, &err) == -ENOENT);
    CHECK(strstr(err.msg, "x.io/none:1") != NULL);
    /* Tag 1 moves to b: a keeps its record without it. */
    wc_strv_push(&b->repo_tags, "x.io/app:1");
    CHECK(wc_store_image_put(s, b, NULL) == 0);
    CHECK(wc_store_image_get(s, "x.io/app:1", &got, NULL) == 0 && strcmp(got->id, b->id) == 0);
    wc_image_free(got);
    CHECK(wc_store_image_get(s, a->id, &got, NULL) == 0 && got->repo_tags[0] == NULL);
    wc_image_free(got);
    /* Removing a keeps what b shares, drops config-1. */
    CHECK(wc_store_image_remove(s, a->id, NULL) == 0);
    CHECK(!wc_store_blob_exists(s, digest_of("config-1")));
    CHECK(wc_store_blob_exists(s, digest_of("layer-shared")));
    CHECK(wc_store_snapshot_exists(s, chain_copy));
    CHECK(wc_store_image_remove(s, a->id, NULL) == -ENOENT);
    wc_image **all = NULL;
    CHECK(wc_store_image_list(s, &all, NULL) == 0 && all[0] && !all[1]);
    wc_image_list_free(all);
    wc_image_free(a);
    wc_image_free(b);
}

static void test_leases_and_writer(wc_store *s)
{
    /* A leased blob that no image lists survives GC; unleased, it goes. */
    put_blob(s, "leased");
    wc_store_lease(s, digest_of("leased"));
    CHECK(wc_store_gc(s, NULL) == 0);
    CHECK(wc_store_blob_exists(s, digest_of("leased")));
    wc_store_unlease(s, digest_of("leased"));
    CHECK(wc_store_gc(s, NULL) == 0);
    CHECK(!wc_store_blob_exists(s, digest_of("leased")));
    /* A hold is persistent and outlives the images, until released. */
    put_blob(s, "held");
    CHECK(wc_store_hold(s, digest_of("held"), "ctr-1", NULL) == 0);
    CHECK(wc_store_hold(s, digest_of("held"), "ctr-2", NULL) == 0);
    CHECK(wc_store_gc(s, NULL) == 0 && wc_store_blob_exists(s, digest_of("held")));
    CHECK(wc_store_release(s, digest_of("held"), "ctr-1", NULL) == 0);
    CHECK(wc_store_gc(s, NULL) == 0 && wc_store_blob_exists(s, digest_of("held")));
    CHECK(wc_store_release(s, digest_of("held"), "ctr-2", NULL) == 0);
    CHECK(wc_store_release(s, digest_of("held"), "ctr-2", NULL) == 0);
    CHECK(wc_store_gc(s, NULL) == 0 && !wc_store_blob_exists(s, digest_of("held")));
    CHECK(wc_store_hold(s, "a/b", "x", NULL) == -EINVAL);
    /* A record written with its hold (one write): the blob stays until the hold is released;
     * a key that cannot be held writes neither. */
    put_blob(s, "held-with-record");
    CHECK(wc_store_kv_put_holding(s, "ctr/3", "rec", 3, digest_of("held-with-record"), "3", NULL) ==
          0);
    char *rec = NULL;
    CHECK(wc_store_kv_get(s, "ctr/3", &rec, NULL, NULL) == 0 && strcmp(rec, "rec") == 0);
    free(rec);
    CHECK(wc_store_gc(s, NULL) == 0 && wc_store_blob_exists(s, digest_of("held-with-record")));
    CHECK(wc_store_release(s, digest_of("held-with-record"), "3", NULL) == 0);
    CHECK(!wc_store_blob_exists(s, digest_of("held-with-record")));
    CHECK(wc_store_kv_put_holding(s, "ctr/4", "rec", 3, "a/b", "4", NULL) == -EINVAL);
    CHECK(wc_store_kv_get(s, "ctr/4", &rec, NULL, NULL) == -ENOENT);
    CHECK(wc_store_kv_delete(s, "ctr/3", NULL) == 0);
    /* A corrupt blob is refused and leaves nothing. */
    wc_blob_writer *w = NULL;
    wc_error err = {0};
    char want[WC_DIGEST_STR_LEN + 1];
    strcpy(want, digest_of("good"));
    CHECK(wc_blob_writer_open(s, want, 4, &w, NULL) == 0);
    CHECK(wc_blob_writer_write(w, "evil", 4, NULL) == 0);
    CHECK(wc_blob_writer_write(w, "x", 1, NULL) == -EFBIG);
    CHECK(wc_blob_writer_commit(w, &err) == -EILSEQ);
    CHECK(strstr(err.msg, "corrupt") != NULL);
    CHECK(!wc_store_blob_exists(s, want));
    CHECK(wc_blob_writer_open(s, want, 4, &w, NULL) == 0);
    CHECK(wc_blob_writer_write(w, "go", 2, NULL) == 0);
    CHECK(wc_blob_writer_restart(w, NULL) == 0);
    CHECK(wc_blob_writer_write(w, "good", 4, NULL) == 0);
    CHECK(wc_blob_writer_commit(w, NULL) == 0);
    CHECK(wc_store_blob_exists(s, want));
    CHECK(wc_blob_writer_open(s, "sha256:short", 1, &w, NULL) == -EINVAL);
}

static int count_key(void *ctx, const char *key, const char *val, size_t len)
{
    (void)key, (void)val, (void)len;
    (*(int *)ctx)++;
    return 0;
}

static void test_kv(wc_store *s)
{
    char *v = NULL;
    size_t len = 0;
    CHECK(wc_store_kv_put(s, "pod/1", "abc", 3, NULL) == 0);
    CHECK(wc_store_kv_put(s, "pod/2", "de", 2, NULL) == 0);
    CHECK(wc_store_kv_get(s, "pod/1", &v, &len, NULL) == 0 && len == 3 && strcmp(v, "abc") == 0);
    free(v);
    int n = 0;
    wc_store_kv_scan(s, "pod/", count_key, &n);
    CHECK(n == 2);
    CHECK(wc_store_kv_delete(s, "pod/1", NULL) == 0);
    CHECK(wc_store_kv_get(s, "pod/1", &v, &len, NULL) == -ENOENT);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof(root), "%s/wasmcri-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(root) == NULL)
        return 1;
    wc_store *s = NULL, *second = NULL;
    CHECK(wc_store_open(root, &s, NULL) == 0);
    CHECK(wc_store_open(root, &second, NULL) == -EBUSY);
    test_images(s);
    test_leases_and_writer(s);
    test_kv(s);
    uint64_t bytes = 0, inodes = 0;
    CHECK(wc_store_usage(s, &bytes, &inodes, NULL) == 0 && bytes > 0 && inodes > 0);
    /* Leftovers of a killed pull: a temp file, an unlisted blob. Reopen cleans both. */
    char junk[sizeof(root) + 16];
    snprintf(junk, sizeof(junk), "%s/tmp/blob-junk", root);
    fclose(fopen(junk, "w"));
    wc_store_close(s);
    CHECK(wc_store_open(root, &s, NULL) == 0);
    CHECK(access(junk, F_OK) != 0);
    CHECK(!wc_store_blob_exists(s, digest_of("good")));
    wc_image **all = NULL;
    CHECK(wc_store_image_list(s, &all, NULL) == 0 && all[0] && !all[1]);
    CHECK(all[0] && strcmp(all[0]->repo_tags[0], "x.io/app:2") == 0);
    wc_image_list_free(all);
    wc_store_close(s);
    store_remove_tree(root);
    return CHECK_DONE();
}
