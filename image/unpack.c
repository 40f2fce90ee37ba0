/* Layer unpacking with libarchive, with the safety rules of unpack.h checked here, per entry,
 * before libarchive writes anything (libarchive's own SECURE_* flags stay on as a second
 * line). Each entry goes through: clean its path → count it against the limits → whiteout?
 * → type rules (skip devices, check link targets, strip setuid) → clear the path → extract.
 * The layer is applied on a hard-link copy of its parent, so no entry may write into an
 * existing inode: whatever is at an entry's path is removed first (directories onto
 * directories excepted; those are the snapshot's own), and hard links are made here, never
 * by libarchive, which would write a link's data and mode into the shared target. A new rule
 * is one more check in check_entry, and a hostile tarball for it in tests/image/test_unpack.c.
 */
#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "config.h"
#include "digest.h"
#include "fsutil.h"
#include "strset.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

#define TEE_BLOCK (128 * 1024)

typedef struct unpack {
    const char *dest;
    const wc_unpack_limits *lim;
    wc_unpack_report *rep;
    wc_strset made; /* paths this layer created, kept by an opaque marker */
    struct archive *disk;
    uint64_t compressed; /* the layer file's size */
    uint64_t max_data;   /* what rep->bytes may reach: max_bytes or the ratio's limit */
    bool by_ratio;       /* max_data comes from max_ratio */
    wc_error *err;
} unpack;

/* out = a "/" b (just b when a is empty); -ENAMETOOLONG when it does not fit. */
static int join(char *out, size_t size, const char *a, const char *b)
{
    int n = snprintf(out, size, "%s%s%s", a, a[0] ? "/" : "", b);
    return (n < 0 || (size_t)n >= size) ? -ENAMETOOLONG : 0;
}

/* Cleans an archive path into out: no leading "./", no "." or empty components.
 * -EPERM for absolute paths and ".." components. "" means the root itself. */
static int clean_path(const char *name, char *out, size_t size)
{
    if (name[0] == '/')
        return -EPERM;
    size_t n = 0;
    out[0] = '\0';
    for (const char *p = name; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return -EPERM;
        if (len > 0 && !(len == 1 && p[0] == '.')) {
            if (n + len + 2 > size)
                return -ENAMETOOLONG;
            if (n > 0)
                out[n++] = '/';
            memcpy(out + n, p, len);
            n += len;
            out[n] = '\0';
        }
        p += len;
        while (*p == '/')
            p++;
    }
    return 0;
}

/* Does the relative symlink target, seen from the directory holding rel, stay inside? */
static bool link_target_inside(const char *rel, const char *target)
{
    if (target[0] == '/')
        return true; /* rooted: resolved inside the container's root, never the host's */
    long depth = 0;
    for (const char *p = rel; (p = strchr(p, '/')) != NULL; p++)
        depth++;
    for (const char *p = target; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.')
            depth--;
        else if (len > 0 && !(len == 1 && p[0] == '.'))
            depth++;
        if (depth < 0)
            return false;
        p += len;
        while (*p == '/')
            p++;
    }
    return true;
}

/* 0 when no existing component of dest/rel (the last one too if check_last) is a symlink. */
static int no_symlink_on_path(const char *dest, const char *rel, bool check_last)
{
    char path[PATH_MAX];
    size_t dlen = strlen(dest);
    if (join(path, sizeof(path), dest, rel) < 0)
        return -ENAMETOOLONG;
    for (char *p = path + dlen + 1;; p++) {
        char *slash = strchr(p, '/');
        if (slash == NULL && !check_last)
            return 0;
        if (slash)
            *slash = '\0';
        struct stat st;
        int r = lstat(path, &st);
        if (r == 0 && S_ISLNK(st.st_mode))
            return -EPERM;
        if (r < 0 || slash == NULL)
            return 0;
        *slash = '/';
        p = slash;
    }
}

static int apply_opaque(unpack *u, const char *dir)
{
    char path[PATH_MAX];
    if (join(path, sizeof(path), u->dest, dir) < 0)
        return -ENAMETOOLONG;
    DIR *d = opendir(path);
    if (d == NULL)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char rel[PATH_MAX], full[PATH_MAX];
        if (join(rel, sizeof(rel), dir, e->d_name) < 0 || wc_strset_has(&u->made, rel) ||
            join(full, sizeof(full), u->dest, rel) < 0)
            continue;
        store_remove_tree(full);
    }
    closedir(d);
    return 0;
}

/* Handles .wh.* entries; returns 1 when the entry was a whiteout (nothing to extract). */
static int whiteout(unpack *u, const char *rel)
{
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) != 0)
        return 0;
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%.*s", base > rel ? (int)(base - rel - 1) : 0, rel);
    if (no_symlink_on_path(u->dest, dir, true) < 0)
        return wc_error_set(u->err, -EPERM, "layer entry \"%s\": whiteout through a symlink", rel);
    if (strcmp(base, WH_OPAQUE) == 0)
        return apply_opaque(u, dir) < 0 ? -EIO : 1;
    const char *victim = base + strlen(WH_PREFIX);
    if (victim[0] == '\0' || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0)
        return wc_error_set(u->err, -EPERM, "layer entry \"%s\": invalid whiteout", rel);
    char full[PATH_MAX * 2];
    snprintf(full, sizeof(full), "%s%s%s/%s", u->dest, dir[0] ? "/" : "", dir, victim);
    store_remove_tree(full);
    return 1;
}

/* Whatever is at dest/rel goes, unless both it and the entry are directories (Docker's rule):
 * an entry never writes into an existing inode, which the parent snapshot and every image
 * built on it may share. */
static int clear_path(unpack *u, const char *rel, bool entry_is_dir)
{
    char path[PATH_MAX * 2];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", u->dest, rel);
    if (lstat(path, &st) < 0 || (entry_is_dir && S_ISDIR(st.st_mode)))
        return 0;
    int r = store_remove_tree(path);
    return r < 0 ? wc_error_set_errno(u->err, r, "layer entry \"%s\": cannot replace it", rel) : 0;
}

/* dest/rel becomes a new name of the inode at target (checked: a regular file of dest).
 * Made here, never by libarchive, and the entry's data and metadata are ignored (Go's
 * archive/tar gives a link no data, so Docker and containerd ignore them too): libarchive
 * would write them into the target's inode, which other snapshots share. */
static int make_hard_link(unpack *u, const char *rel, const char *target)
{
    char path[PATH_MAX * 2];
    struct stat at, tt;
    snprintf(path, sizeof(path), "%s/%s", u->dest, rel);
    bool same = lstat(path, &at) == 0 && lstat(target, &tt) == 0 && at.st_ino == tt.st_ino &&
                at.st_dev == tt.st_dev;
    if (!same) {
        int r = clear_path(u, rel, false);
        if (r < 0)
            return r;
        if (link(target, path) < 0)
            return wc_error_set_errno(u->err, -errno, "layer entry \"%s\": hard link", rel);
    }
    if (wc_strset_add(&u->made, rel) < 0)
        return wc_error_set(u->err, -ENOMEM, "unpack: out of memory");
    return 0;
}

/* The type rules; returns 1 to skip the entry, 0 to extract it, <0 to refuse the layer. */
static int check_entry(unpack *u, struct archive_entry *e, const char *rel)
{
    mode_t type = archive_entry_filetype(e);
    if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO || type == AE_IFSOCK) {
        if (u->rep->skipped++ == 0)
            snprintf(u->rep->first_skipped, sizeof(u->rep->first_skipped), "%.255s", rel);
        return 1;
    }
    if (no_symlink_on_path(u->dest, rel, false) < 0)
        return wc_error_set(u->err, -EPERM, "layer entry \"%s\" leads through a symlink", rel);
    const char *target = archive_entry_symlink(e);
    if (type == AE_IFLNK && target != NULL && !link_target_inside(rel, target))
        return wc_error_set(u->err, -EPERM,
                            "layer entry \"%s\" is a symlink to \"%s\", outside the image", rel,
                            target);
    const char *hard = archive_entry_hardlink(e);
    if (hard != NULL) {
        char clean[PATH_MAX], full[PATH_MAX * 2];
        struct stat st;
        if (clean_path(hard, clean, sizeof(clean)) < 0 || clean[0] == '\0')
            return wc_error_set(u->err, -EPERM,
                                "layer entry \"%s\" is a hard link to \"%s\", outside the image",
                                rel, hard);
        snprintf(full, sizeof(full), "%s/%s", u->dest, clean);
        if (no_symlink_on_path(u->dest, clean, true) < 0 || lstat(full, &st) < 0 ||
            !S_ISREG(st.st_mode))
            return wc_error_set(u->err, -EPERM,
                                "layer entry \"%s\" is a hard link to \"%s\", which is not a "
                                "regular file of the image",
                                rel, hard);
        int r = make_hard_link(u, rel, full);
        return r < 0 ? r : 1;
    }
    mode_t perm = archive_entry_perm(e);
    if (perm & (S_ISUID | S_ISGID)) {
        archive_entry_set_perm(e, perm & ~(mode_t)(S_ISUID | S_ISGID));
        u->rep->stripped++;
    }
    return 0;
}

static int one_entry(unpack *u, struct archive *in, struct archive_entry *e)
{
    const char *name = archive_entry_pathname(e);
    char rel[PATH_MAX], full[PATH_MAX * 2];
    int r = clean_path(name ? name : "", rel, sizeof(rel));
    if (r < 0)
        return wc_error_set(u->err, -EPERM, "layer entry \"%s\": %s", name ? name : "",
                            r == -EPERM ? "absolute path or \"..\" escapes the image"
                                        : "path too long");
    if (++u->rep->entries > u->lim->max_entries)
        return wc_error_set(u->err, -EFBIG, "layer has more than %llu entries",
                            (unsigned long long)u->lim->max_entries);
    if (archive_entry_filetype(e) == AE_IFREG)
        u->rep->bytes += (uint64_t)archive_entry_size(e);
    if (u->rep->bytes > u->max_data && u->by_ratio)
        return wc_error_set(u->err, -EFBIG,
                            "layer unpacks to more than %llu bytes (at \"%s\"), over %llu times "
                            "its compressed size of %llu bytes (a decompression bomb? the limit "
                            "is the config's unpack.max_ratio)",
                            (unsigned long long)u->max_data, rel,
                            (unsigned long long)u->lim->max_ratio,
                            (unsigned long long)u->compressed);
    if (u->rep->bytes > u->max_data)
        return wc_error_set(u->err, -EFBIG,
                            "layer unpacks to more than %llu bytes (at \"%s\"; the limit is the "
                            "config's unpack.max_layer_bytes)",
                            (unsigned long long)u->max_data, rel);
    if (rel[0] == '\0')
        return 0;
    r = whiteout(u, rel);
    if (r != 0)
        return r < 0 ? r : 0;
    r = check_entry(u, e, rel);
    if (r != 0)
        return r < 0 ? r : 0;
    r = clear_path(u, rel, archive_entry_filetype(e) == AE_IFDIR);
    if (r < 0)
        return r;
    snprintf(full, sizeof(full), "%s/%s", u->dest, rel);
    archive_entry_set_pathname(e, full);
    if (wc_strset_add(&u->made, rel) < 0)
        return wc_error_set(u->err, -ENOMEM, "unpack: out of memory");
    r = archive_write_header(u->disk, e);
    if (r == ARCHIVE_OK && archive_entry_size(e) > 0) {
        const void *buf;
        size_t len;
        la_int64_t off;
        while ((r = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK)
            if (archive_write_data_block(u->disk, buf, len, off) < ARCHIVE_OK)
                break;
        r = r == ARCHIVE_EOF ? ARCHIVE_OK : r;
        if (r != ARCHIVE_OK)
            return wc_error_set(u->err, -EIO, "layer entry \"%s\": %s", rel,
                                archive_error_string(in) ? archive_error_string(in)
                                                         : archive_error_string(u->disk));
    }
    if (r < ARCHIVE_WARN || archive_write_finish_entry(u->disk) < ARCHIVE_WARN)
        return wc_error_set(u->err, -EPERM, "layer entry \"%s\": %s", rel,
                            archive_error_string(u->disk));
    return 0;
}

/* The tar reader reads from `raw`, an archive in raw format that only decompresses; what
 * passes through is hashed, so the uncompressed digest costs no second decompression. */
typedef struct raw_tee {
    struct archive *raw;
    wc_sha256 *hash;
    uint64_t bytes, max;
    bool too_big;
    char *block; /* TEE_BLOCK bytes */
} raw_tee;

static la_ssize_t tee_read(struct archive *a, void *p, const void **buf)
{
    raw_tee *t = p;
    (void)a;
    la_ssize_t n = archive_read_data(t->raw, t->block, TEE_BLOCK);
    if (n > 0) {
        *buf = t->block;
        if (t->hash)
            wc_sha256_update(t->hash, t->block, (size_t)n);
        t->bytes += (uint64_t)n;
        if (t->bytes > t->max) {
            t->too_big = true;
            return -1;
        }
    }
    return n;
}

static int open_raw(const char *path, struct archive **ret, wc_error *err)
{
    struct archive *raw = archive_read_new();
    if (raw == NULL)
        return wc_error_set(err, -ENOMEM, "unpack: out of memory");
    archive_read_support_filter_all(raw);
    archive_read_support_format_raw(raw);
    struct archive_entry *e;
    if (archive_read_open_filename(raw, path, 256 * 1024) != ARCHIVE_OK ||
        archive_read_next_header(raw, &e) != ARCHIVE_OK) {
        int r = wc_error_set(err, -EIO, "open layer %s: %s", path, archive_error_string(raw));
        archive_read_free(raw);
        return r;
    }
    *ret = raw;
    return 0;
}

static int unpack_entries(unpack *u, struct archive *in, wc_error *err)
{
    int r = 0;
    struct archive_entry *e;
    while (r == 0) {
        int ar = archive_read_next_header(in, &e);
        if (ar == ARCHIVE_EOF)
            break;
        if (ar < ARCHIVE_WARN)
            return wc_error_set(err, -EINVAL, "layer is not a valid tar archive: %s",
                                archive_error_string(in));
        r = one_entry(u, in, e);
    }
    return r;
}

static int stream_too_big(const raw_tee *t, wc_error *err)
{
    return wc_error_set(err, -EFBIG, "layer's tar stream is longer than %llu bytes",
                        (unsigned long long)t->max);
}

/* How much file data the layer may unpack to: max_bytes, and no more than max_ratio times
 * the compressed file (floored, see unpack.h). */
static int data_cap(unpack *u, const char *path, wc_error *err)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return wc_error_set_errno(err, -errno, "open layer %s", path);
    u->compressed = (uint64_t)st.st_size;
    u->max_data = u->lim->max_bytes;
    if (u->lim->max_ratio == 0)
        return 0;
    uint64_t by_ratio = u->compressed > UINT64_MAX / u->lim->max_ratio
                            ? UINT64_MAX
                            : u->compressed * u->lim->max_ratio;
    if (by_ratio < WC_UNPACK_RATIO_FLOOR)
        by_ratio = WC_UNPACK_RATIO_FLOOR;
    if (by_ratio < u->max_data) {
        u->max_data = by_ratio;
        u->by_ratio = true;
    }
    return 0;
}

/* The stream of t (a tar archive) read by in and unpacked by u; what t hashed checked against
 * diff_id (NULL: not checked). */
static int unpack_stream(unpack *u, raw_tee *t, struct archive *in, const char *diff_id,
                         wc_error *err)
{
    archive_read_support_format_tar(in);
    archive_write_disk_set_options(
        u->disk, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_UNLINK |
                     ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT);
    if (archive_read_open(in, t, NULL, tee_read, NULL) != ARCHIVE_OK)
        return t->too_big ? stream_too_big(t, err)
                          : wc_error_set(err, -EINVAL, "layer is not a tar archive: %s",
                                         archive_error_string(in));
    int r = unpack_entries(u, in, err);
    /* Hash the rest of the stream (end-of-archive blocks the tar reader did not need). */
    const void *buf;
    while (r == 0 && tee_read(in, t, &buf) > 0)
        ;
    if (t->too_big) /* whatever error the cut stream caused */
        return stream_too_big(t, err);
    TRY(r);
    if (t->hash == NULL)
        return 0;
    char got[WC_DIGEST_STR_LEN + 1];
    wc_sha256_final(t->hash, got);
    if (strcmp(got, diff_id) != 0)
        return wc_error_set(err, -EILSEQ,
                            "layer unpacks to %s, but the image config says its diff ID is %s", got,
                            diff_id);
    return 0;
}

int wc_unpack_layer_verified(const char *path, const char *dest, const char *diff_id,
                             const wc_unpack_limits *lim, wc_unpack_report *rep, wc_error *err)
{
    *rep = (wc_unpack_report){0};
    unpack u = {.dest = dest, .lim = lim, .rep = rep, .err = err};
    /* The tar stream may hold a little more than its entries (headers, padding). */
    raw_tee t = {.max = lim->max_bytes + lim->max_entries * 1024 + (1u << 20)};
    TRY(data_cap(&u, path, err));
    TRY(open_raw(path, &t.raw, err));
    struct archive *in = archive_read_new();
    u.disk = archive_write_disk_new();
    t.hash = diff_id ? wc_sha256_new() : NULL;
    t.block = malloc(TEE_BLOCK);
    int r = in == NULL || u.disk == NULL || t.block == NULL || (diff_id && t.hash == NULL)
                ? wc_error_set(err, -ENOMEM, "unpack: out of memory")
                : unpack_stream(&u, &t, in, diff_id, err);
    archive_read_free(in);
    archive_read_free(t.raw);
    archive_write_free(u.disk);
    wc_sha256_free(t.hash);
    free(t.block);
    wc_strset_clear(&u.made);
    return r;
}

int wc_unpack_layer(const char *path, const char *dest, const wc_unpack_limits *lim,
                    wc_unpack_report *rep, wc_error *err)
{
    return wc_unpack_layer_verified(path, dest, NULL, lim, rep, err);
}
