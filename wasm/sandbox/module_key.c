/* The cache key of a module from the store: its content, "sha256:<hex>" of its bytes (issue 14).
 * An artifact's module is its blob, whose key is that digest already; a module in a rootfs image
 * is hashed here at CreateContainer, so two images holding the same module share one compiled
 * copy in the zygote, and a module that changed never finds the compiled code of the old one.
 * Snapshots never change, so each image's module is hashed once: the last MEMO_MAX keys are
 * remembered by image id and path. Files in CRI mounts, which may change, keep a key of the file's
 * identity (container_view.c). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "sandbox_int.h"

#define MEMO_MAX 1024
#define READ_CHUNK ((size_t)1 << 20)

static int hash_fd(int fd, char out[WC_DIGEST_STR_LEN + 1], wc_error *err)
{
    wc_sha256 *h = wc_sha256_new();
    uint8_t *buf = malloc(READ_CHUNK);
    int rc = h && buf ? 0 : wc_error_set(err, -ENOMEM, "out of memory");
    for (off_t at = 0; rc == 0;) {
        ssize_t n = pread(fd, buf, READ_CHUNK, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = wc_error_set_errno(err, -errno, "reading the module to hash it");
        if (n <= 0)
            break;
        wc_sha256_update(h, buf, (size_t)n);
        at += n;
    }
    if (rc == 0)
        wc_sha256_final(h, out);
    wc_sha256_free(h);
    free(buf);
    return rc;
}

static void memo_clear(wc_ptrmap *memo)
{
    for (size_t i = 0; i < memo->cap; i++)
        free(memo->slots[i].value);
    wc_ptrmap_clear(memo);
}

/* mu held: remembers image_key's digest (a full memo starts over). */
static void memo_put(wc_sandbox *sb, const char *image_key, const char *digest)
{
    char *copy = strdup(digest);
    if (sb->module_keys.len >= MEMO_MAX)
        memo_clear(&sb->module_keys);
    free(wc_ptrmap_get(&sb->module_keys, image_key));
    if (copy == NULL || wc_ptrmap_put(&sb->module_keys, image_key, copy) < 0) {
        wc_ptrmap_del(&sb->module_keys, image_key);
        free(copy); /* not remembered: hashed again next time */
    }
}

int sb_module_content_key(wc_sandbox *sb, int fd, const char *image_key,
                          char out[WC_DIGEST_STR_LEN + 1], wc_error *err)
{
    pthread_mutex_lock(&sb->mu);
    const char *known = wc_ptrmap_get(&sb->module_keys, image_key);
    if (known)
        memcpy(out, known, WC_DIGEST_STR_LEN + 1);
    pthread_mutex_unlock(&sb->mu);
    if (known)
        return 0;
    TRY(hash_fd(fd, out, err)); /* mu not held: 20 MB take 15 ms here */
    pthread_mutex_lock(&sb->mu);
    memo_put(sb, image_key, out);
    pthread_mutex_unlock(&sb->mu);
    return 0;
}

int sb_module_key_known(wc_sandbox *sb, wc_container *c)
{
    const char *known = strncmp(c->module_key, "image:", 6) == 0
                            ? wc_ptrmap_get(&sb->module_keys, c->module_key)
                            : NULL;
    return known ? wc_container_set_shared(c, &c->module_key, known) : 0;
}

void sb_module_keys_clear(wc_sandbox *sb)
{
    memo_clear(&sb->module_keys);
}
