/* store/: the image records' cache (kv_cache.h) against a real LevelDB: a look-up answers what
 * the last write put. 5,000 random pod and container records written (memtable flushes and
 * compactions under way), each followed by the look-ups a CreateContainer makes (an image record
 * and a reference, one of them absent), with the image record replaced every 100 writes; then
 * a reference replaced, put where it was absent, deleted, and read again from a reopened store;
 * and more references than the cache keeps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kv_cache.h"
#include "store.h"

#define RECORDS 5000

static char *get(wc_store *s, const char *key)
{
    char *v = NULL;
    return wc_store_kv_get(s, key, &v, NULL, NULL) == 0 ? v : NULL;
}

static void check_value(wc_store *s, const char *key, const char *want)
{
    char *v = get(s, key);
    if (want == NULL)
        CHECK(v == NULL);
    else
        CHECK_STR(v, want);
    free(v);
}

static void check_lookups_between_writes(wc_store *s)
{
    char val[1024], image[32] = "{\"v\":0}";
    memset(val, 'v', sizeof(val));
    CHECK(wc_store_kv_put(s, "image/sha256:aa", image, strlen(image), NULL) == 0);
    CHECK(wc_store_kv_put(s, "ref/docker.io/x:1", "sha256:aa", 9, NULL) == 0);
    srand(1);
    for (int i = 0; i < RECORDS; i++) {
        char key[96]; /* a pod's and its container's: the keys on both sides of "image/" */
        snprintf(key, sizeof(key), "%s/%08x%08x%08x", i % 2 ? "ctr" : "pod", (unsigned)rand(),
                 (unsigned)rand(), i);
        CHECK(wc_store_kv_put(s, key, val, sizeof(val), NULL) == 0);
        if (i % 100 == 99) {
            snprintf(image, sizeof(image), "{\"v\":%d}", i);
            CHECK(wc_store_kv_put(s, "image/sha256:aa", image, strlen(image), NULL) == 0);
        }
        check_value(s, "image/sha256:aa", image);
        check_value(s, "ref/x:1", NULL);
    }
}

static void check_writes_seen(wc_store **s, const char *root)
{
    check_value(*s, "ref/docker.io/x:1", "sha256:aa");
    CHECK(wc_store_kv_put(*s, "ref/docker.io/x:1", "sha256:bb", 9, NULL) == 0);
    check_value(*s, "ref/docker.io/x:1", "sha256:bb");
    check_value(*s, "ref/docker.io/y:1", NULL); /* absent, and known absent now */
    CHECK(wc_store_kv_put(*s, "ref/docker.io/y:1", "sha256:cc", 9, NULL) == 0);
    check_value(*s, "ref/docker.io/y:1", "sha256:cc");
    CHECK(wc_store_kv_delete(*s, "ref/docker.io/x:1", NULL) == 0);
    check_value(*s, "ref/docker.io/x:1", NULL);
    wc_store_close(*s);
    CHECK(wc_store_open(root, s, NULL) == 0);
    check_value(*s, "ref/docker.io/x:1", NULL);
    check_value(*s, "ref/docker.io/y:1", "sha256:cc");
}

/* Past KV_CACHE_MAX entries the cache starts again: every answer still right. */
static void check_many_keys(wc_store *s)
{
    for (int i = 0; i < KV_CACHE_MAX + 100; i++) {
        char key[64], val[32];
        snprintf(key, sizeof(key), "ref/r%d", i);
        snprintf(val, sizeof(val), "sha256:%d", i);
        CHECK(wc_store_kv_put(s, key, val, strlen(val), NULL) == 0);
        check_value(s, key, val);
    }
    check_value(s, "ref/r0", "sha256:0");
    check_value(s, "ref/docker.io/y:1", "sha256:cc");
}

int main(void)
{
    char root[] = "/tmp/wasmcri-test-store-XXXXXX", cmd[64];
    wc_store *s = NULL;
    CHECK(mkdtemp(root) != NULL && wc_store_open(root, &s, NULL) == 0);
    check_lookups_between_writes(s);
    check_writes_seen(&s, root);
    check_many_keys(s);
    wc_store_close(s);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    CHECK(system(cmd) == 0);
    return CHECK_DONE();
}
