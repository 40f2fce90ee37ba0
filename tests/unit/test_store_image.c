/* store/: image records read back through the memo of decoded records (image_memo.h) against a
 * real LevelDB: each look-up is the caller's own copy (changing it changes no later answer), a
 * record put again is read as put, and more images than the memo keeps all read right. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "image_memo.h"
#include "store.h"
#include "strv.h"

static void put(wc_store *s, int n, const char *tag, const char *entry)
{
    char id[80], *tags[] = {(char *)tag, NULL}, *none[] = {NULL};
    snprintf(id, sizeof(id), "sha256:%064d", n);
    wc_image img = {.id = id,
                    .repo_tags = tags,
                    .repo_digests = none,
                    .username = "",
                    .user = "",
                    .annotations = none,
                    .variant = "",
                    .os = "wasip1",
                    .arch = "wasm",
                    .wasm_entry = (char *)entry,
                    .entrypoint = none,
                    .cmd = none,
                    .env = none,
                    .working_dir = "",
                    .stop_signal = "",
                    .chain_id = "",
                    .blobs = none,
                    .snapshots = none};
    CHECK(wc_store_image_put(s, &img, NULL) == 0);
}

static void check_entry(wc_store *s, const char *name, const char *want)
{
    wc_image *img = NULL;
    CHECK(wc_store_image_get(s, name, &img, NULL) == 0);
    if (img == NULL)
        return;
    CHECK_STR(img->wasm_entry, want);
    wc_image_free(img);
}

/* The copy a look-up gives is the caller's: freed or changed, the next look-up is whole. */
static void check_copies(wc_store *s)
{
    put(s, 1, "docker.io/library/a:1", "/a.wasm");
    for (int i = 0; i < 3; i++) {
        wc_image *img = NULL;
        CHECK(wc_store_image_get(s, "docker.io/library/a:1", &img, NULL) == 0);
        if (img == NULL)
            return;
        CHECK_STR(img->wasm_entry, "/a.wasm");
        CHECK(wc_strv_len(img->repo_tags) == 1);
        free(img->wasm_entry);
        img->wasm_entry = strdup("/changed.wasm");
        wc_strv_remove(img->repo_tags, "docker.io/library/a:1");
        wc_image_free(img);
    }
}

static void check_rewrites_and_many(wc_store *s)
{
    put(s, 1, "docker.io/library/a:1", "/b.wasm"); /* the same image, another record */
    check_entry(s, "docker.io/library/a:1", "/b.wasm");
    for (int n = 2; n < 2 + 3 * IMAGE_MEMO_SLOTS; n++) {
        char tag[64], entry[64];
        snprintf(tag, sizeof(tag), "docker.io/library/i%d:1", n);
        snprintf(entry, sizeof(entry), "/%d.wasm", n);
        put(s, n, tag, entry);
    }
    for (int round = 0; round < 2; round++)
        for (int n = 2; n < 2 + 3 * IMAGE_MEMO_SLOTS; n++) {
            char tag[64], entry[64];
            snprintf(tag, sizeof(tag), "docker.io/library/i%d:1", n);
            snprintf(entry, sizeof(entry), "/%d.wasm", n);
            check_entry(s, tag, entry);
        }
    check_entry(s, "docker.io/library/a:1", "/b.wasm");
}

int main(void)
{
    char root[] = "/tmp/wasmcri-test-store-XXXXXX", cmd[64];
    wc_store *s = NULL;
    CHECK(mkdtemp(root) != NULL && wc_store_open(root, &s, NULL) == 0);
    check_copies(s);
    check_rewrites_and_many(s);
    wc_store_close(s);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    CHECK(system(cmd) == 0);
    return CHECK_DONE();
}
