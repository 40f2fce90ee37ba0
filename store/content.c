/* Content-addressed blobs: content/sha256/<hex>. A blob is streamed into a temp file under
 * tmp/ while its sha256 is computed, and renamed into place only when size and digest match
 * what the manifest promised; a reader therefore never sees a partial or wrong blob, and a
 * killed writer leaves only a temp file that the next open removes.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "digest.h"
#include "store_int.h"

struct wc_blob_writer {
    wc_store *store;
    char digest[WC_DIGEST_STR_LEN + 1];
    uint64_t size, offset;
    char *tmp;
    int fd;
    wc_sha256 *hash;
};

int store_digest_path(const wc_store *s, const char *dir, const char *digest, char *buf,
                      size_t size)
{
    if (wc_digest_validate(digest, NULL) < 0)
        return -EINVAL;
    if (snprintf(buf, size, "%s/%s/%s", s->root, dir, wc_digest_hex(digest)) >= (int)size)
        return -ENAMETOOLONG;
    return 0;
}

int wc_store_blob_path(const wc_store *s, const char *digest, char *buf, size_t size)
{
    return store_digest_path(s, "content/sha256", digest, buf, size);
}

bool wc_store_blob_exists(const wc_store *s, const char *digest)
{
    char path[PATH_MAX];
    return wc_store_blob_path(s, digest, path, sizeof(path)) == 0 && access(path, F_OK) == 0;
}

int wc_blob_writer_open(wc_store *s, const char *digest, uint64_t size, wc_blob_writer **ret_w,
                        wc_error *err)
{
    int r = wc_digest_validate(digest, err);
    if (r < 0)
        return r;
    wc_blob_writer *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return wc_error_set(err, -ENOMEM, "write blob %s: out of memory", digest);
    w->store = s;
    w->fd = -1;
    snprintf(w->digest, sizeof(w->digest), "%s", digest);
    w->size = size;
    w->tmp = store_tmp_path(s, "blob");
    w->hash = wc_sha256_new();
    if (w->tmp == NULL || w->hash == NULL) {
        wc_blob_writer_abort(w);
        return wc_error_set(err, -ENOMEM, "write blob %s: out of memory", digest);
    }
    w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        r = wc_error_set_errno(err, -errno, "write blob %s: create %s", digest, w->tmp);
        wc_blob_writer_abort(w);
        return r;
    }
    *ret_w = w;
    return 0;
}

int wc_blob_writer_write(wc_blob_writer *w, const void *data, size_t len, wc_error *err)
{
    if (w->offset + len > w->size)
        return wc_error_set(err, -EFBIG, "blob %s is larger than the %llu bytes announced",
                            w->digest, (unsigned long long)w->size);
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(w->fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return wc_error_set_errno(err, -errno, "write blob %s", w->digest);
        p += n;
        left -= (size_t)n;
    }
    wc_sha256_update(w->hash, data, len);
    w->offset += len;
    return 0;
}

int wc_blob_writer_restart(wc_blob_writer *w, wc_error *err)
{
    if (ftruncate(w->fd, 0) < 0 || lseek(w->fd, 0, SEEK_SET) < 0)
        return wc_error_set_errno(err, -errno, "restart blob %s", w->digest);
    wc_sha256_reset(w->hash);
    w->offset = 0;
    return 0;
}

uint64_t wc_blob_writer_offset(const wc_blob_writer *w)
{
    return w->offset;
}

/* The written blob checked (size, digest), synced and renamed to its place in the store. */
static int commit_blob(wc_blob_writer *w, wc_error *err)
{
    char got[WC_DIGEST_STR_LEN + 1], path[PATH_MAX];
    wc_sha256_final(w->hash, got);
    if (w->offset != w->size)
        return wc_error_set(err, -EILSEQ, "blob %s: got %llu bytes, the manifest says %llu",
                            w->digest, (unsigned long long)w->offset, (unsigned long long)w->size);
    if (strcmp(got, w->digest) != 0)
        return wc_error_set(err, -EILSEQ, "blob %s is corrupt: its content hashes to %s", w->digest,
                            got);
    if (fsync(w->fd) < 0)
        return wc_error_set_errno(err, -errno, "write blob %s", w->digest);
    if (wc_store_blob_path(w->store, w->digest, path, sizeof(path)) < 0)
        return wc_error_set(err, -EINVAL, "blob %s: path too long", w->digest);
    if (rename(w->tmp, path) < 0)
        return wc_error_set_errno(err, -errno, "store blob %s", w->digest);
    free(w->tmp);
    w->tmp = NULL; /* in its place: not removed by the abort */
    return 0;
}

int wc_blob_writer_commit(wc_blob_writer *w, wc_error *err)
{
    int r = commit_blob(w, err);
    wc_blob_writer_abort(w);
    return r;
}

void wc_blob_writer_abort(wc_blob_writer *w)
{
    if (w == NULL)
        return;
    if (w->fd >= 0)
        close(w->fd);
    if (w->tmp != NULL)
        unlink(w->tmp);
    free(w->tmp);
    wc_sha256_free(w->hash);
    free(w);
}

int wc_store_blob_put(wc_store *s, const char *digest, const void *data, size_t len, wc_error *err)
{
    if (wc_store_blob_exists(s, digest))
        return 0;
    wc_blob_writer *w = NULL;
    int r = wc_blob_writer_open(s, digest, len, &w, err);
    if (r < 0)
        return r;
    r = wc_blob_writer_write(w, data, len, err);
    if (r < 0) {
        wc_blob_writer_abort(w);
        return r;
    }
    return wc_blob_writer_commit(w, err);
}
