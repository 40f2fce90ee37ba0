/* Layer unpacking safety (image/unpack.c) with hostile tarballs written by libarchive:
 * every refusal names the entry, devices are skipped, setuid stripped, whiteouts applied,
 * limits hold, the diff ID is checked, and a lower snapshot's inodes are never written. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../unit/check.h"
#include "digest.h"
#include "fsutil.h"
#include "unpack.h"

typedef struct spec {
    const char *name;
    mode_t type;
    mode_t perm;
    const char *data;    /* regular files */
    const char *symlink; /* AE_IFLNK target */
    const char *hardlink;
} spec;

static char workdir[] = "/tmp/wasmcri-unpack-XXXXXX";

static void write_tar(const char *path, const spec *s, size_t n, int filter)
{
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (filter == 1)
        archive_write_add_filter_gzip(a);
    else if (filter == 2)
        archive_write_add_filter_zstd(a);
    archive_write_open_filename(a, path);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, s[i].name);
        archive_entry_set_filetype(e, s[i].type);
        archive_entry_set_perm(e, s[i].perm ? s[i].perm : 0644);
        if (s[i].symlink)
            archive_entry_set_symlink(e, s[i].symlink);
        if (s[i].hardlink)
            archive_entry_set_hardlink(e, s[i].hardlink);
        if (s[i].type == AE_IFCHR)
            archive_entry_set_rdev(e, makedev(1, 3));
        size_t len = s[i].data ? strlen(s[i].data) : 0;
        archive_entry_set_size(e, (la_int64_t)len);
        archive_write_header(a, e);
        if (len)
            archive_write_data(a, s[i].data, len);
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
}

/* Unpacks the tarball made of s onto a fresh directory dest (made from `base` if set). */
static int unpack(const spec *s, size_t n, const char *dest, wc_unpack_report *rep, char *msg)
{
    char tar[512];
    snprintf(tar, sizeof(tar), "%s/layer.tar.gz", workdir);
    write_tar(tar, s, n, 1);
    mkdir(dest, 0755);
    wc_error err = {0};
    wc_unpack_limits lim = {.max_bytes = 1 << 20, .max_entries = 100};
    int r = wc_unpack_layer(tar, dest, &lim, rep, &err);
    if (msg)
        strcpy(msg, err.msg);
    return r;
}

static void expect_refused(const char *what, const spec *s, size_t n, const char *entry)
{
    char dest[512], msg[1024];
    wc_unpack_report rep;
    snprintf(dest, sizeof(dest), "%s/%s", workdir, what);
    int r = unpack(s, n, dest, &rep, msg);
    CHECK(r == -EPERM);
    CHECK(strstr(msg, entry) != NULL);
    if (r != -EPERM || !strstr(msg, entry))
        fprintf(stderr, "  %s: rc %d, \"%s\"\n", what, r, msg);
}

static bool exists(const char *dir, const char *rel)
{
    char p[1024];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s", dir, rel);
    return lstat(p, &st) == 0;
}

static void test_hostile(void)
{
    spec traversal[] = {{"../escape", AE_IFREG, 0, "x", 0, 0}};
    expect_refused("traversal", traversal, 1, "../escape");
    spec deep[] = {{"a/../../escape", AE_IFREG, 0, "x", 0, 0}};
    expect_refused("deep", deep, 1, "a/../../escape");
    spec absolute[] = {{"/etc/evil", AE_IFREG, 0, "x", 0, 0}};
    expect_refused("absolute", absolute, 1, "/etc/evil");
    spec sym[] = {{"d", AE_IFDIR, 0755, 0, 0, 0},
                  {"d/link", AE_IFLNK, 0777, 0, "../../outside", 0}};
    expect_refused("symlink", sym, 2, "d/link");
    spec hard[] = {{"hl", AE_IFREG, 0, 0, 0, "../../etc/passwd"}};
    expect_refused("hardlink", hard, 1, "hl");
    spec hard_abs[] = {{"hl", AE_IFREG, 0, 0, 0, "/etc/passwd"}};
    expect_refused("hardlink-abs", hard_abs, 1, "hl");
    spec via[] = {{"etc", AE_IFLNK, 0777, 0, "/etc", 0}, {"hl", AE_IFREG, 0, 0, 0, "etc/passwd"}};
    expect_refused("hardlink-via-symlink", via, 2, "hl");
    spec through[] = {{"tmp", AE_IFLNK, 0777, 0, "/tmp", 0}, {"tmp/pwned", AE_IFREG, 0, "x", 0, 0}};
    expect_refused("write-through-symlink", through, 2, "tmp/pwned");
    spec wh[] = {{"up", AE_IFLNK, 0777, 0, "/", 0}, {"up/.wh.x", AE_IFREG, 0, "", 0, 0}};
    expect_refused("whiteout-through-symlink", wh, 2, "up/.wh.x");
    CHECK(access("/tmp/pwned", F_OK) != 0);
}

static void test_allowed(void)
{
    char dest[512];
    wc_unpack_report rep;
    snprintf(dest, sizeof(dest), "%s/allowed", workdir);
    spec s[] = {
        {"./bin", AE_IFDIR, 0755, 0, 0, 0},
        {"./bin/app.wasm", AE_IFREG, 06755, "\0asm", 0, 0},
        {"bin/rooted", AE_IFLNK, 0777, 0, "/bin/app.wasm", 0},
        {"bin/rel", AE_IFLNK, 0777, 0, "../bin/app.wasm", 0},
        {"bin/same", AE_IFREG, 0, 0, 0, "bin/app.wasm"},
        {"dev/null", AE_IFCHR, 0666, 0, 0, 0},
        {"fifo", AE_IFIFO, 0644, 0, 0, 0},
    };
    CHECK(unpack(s, sizeof(s) / sizeof(s[0]), dest, &rep, NULL) == 0);
    CHECK(rep.skipped == 2 && strcmp(rep.first_skipped, "dev/null") == 0);
    CHECK(rep.stripped == 1);
    char p[1024];
    struct stat st;
    snprintf(p, sizeof(p), "%s/bin/app.wasm", dest);
    CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0755);
    CHECK(exists(dest, "bin/rooted") && exists(dest, "bin/rel") && exists(dest, "bin/same"));
    CHECK(!exists(dest, "dev/null") && !exists(dest, "fifo"));
}

static void test_whiteouts(void)
{
    char lower[512], upper[512], tar[512];
    wc_unpack_report rep;
    snprintf(lower, sizeof(lower), "%s/lower", workdir);
    spec l1[] = {{"a", AE_IFDIR, 0755, 0, 0, 0},      {"a/gone", AE_IFREG, 0, "1", 0, 0},
                 {"a/kept", AE_IFREG, 0, "2", 0, 0},  {"b", AE_IFDIR, 0755, 0, 0, 0},
                 {"b/old", AE_IFREG, 0, "3", 0, 0},   {"c", AE_IFDIR, 0755, 0, 0, 0},
                 {"c/sub/f", AE_IFREG, 0, "4", 0, 0}, {"shared", AE_IFREG, 0, "lower", 0, 0}};
    CHECK(unpack(l1, 8, lower, &rep, NULL) == 0);
    /* The upper layer is applied on a hard-link copy, as snapshots are made. */
    snprintf(upper, sizeof(upper), "%s/upper", workdir);
    mkdir(upper, 0755);
    CHECK(store_clone_tree(lower, upper) == 0);
    spec l2[] = {{"a/.wh.gone", AE_IFREG, 0, "", 0, 0},
                 {"b/new", AE_IFREG, 0, "5", 0, 0},
                 {"b/.wh..wh..opq", AE_IFREG, 0, "", 0, 0},
                 {".wh.c", AE_IFREG, 0, "", 0, 0},
                 {"shared", AE_IFREG, 0, "upper", 0, 0}};
    snprintf(tar, sizeof(tar), "%s/l2.tar", workdir);
    write_tar(tar, l2, 5, 0);
    wc_unpack_limits lim = {.max_bytes = 1 << 20, .max_entries = 100};
    CHECK(wc_unpack_layer(tar, upper, &lim, &rep, NULL) == 0);
    CHECK(!exists(upper, "a/gone") && exists(upper, "a/kept"));
    CHECK(!exists(upper, "b/old") && exists(upper, "b/new"));
    CHECK(!exists(upper, "c") && !exists(upper, ".wh.c"));
    CHECK(exists(lower, "a/gone") && exists(lower, "b/old") && exists(lower, "c/sub/f"));
    /* The lower file kept its content: the upper one replaced the link, not the inode. */
    char p[1024], buf[16] = {0};
    snprintf(p, sizeof(p), "%s/shared", lower);
    int fd = open(p, O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, sizeof(buf) - 1) == 5 && strcmp(buf, "lower") == 0);
    if (fd >= 0)
        close(fd);
}

static void test_limits_and_digest(void)
{
    char tar[512], dest[512];
    wc_unpack_report rep;
    wc_error err = {0};
    spec many[3] = {{"a", AE_IFREG, 0, "1", 0, 0},
                    {"b", AE_IFREG, 0, "2", 0, 0},
                    {"c", AE_IFREG, 0, "3", 0, 0}};
    snprintf(tar, sizeof(tar), "%s/many.tar.zst", workdir);
    write_tar(tar, many, 3, 2);
    snprintf(dest, sizeof(dest), "%s/many", workdir);
    mkdir(dest, 0755);
    wc_unpack_limits two = {.max_bytes = 1 << 20, .max_entries = 2};
    CHECK(wc_unpack_layer(tar, dest, &two, &rep, &err) == -EFBIG);
    char *big = malloc(70000);
    memset(big, 'z', 69999);
    big[69999] = '\0';
    spec bomb[] = {{"bomb", AE_IFREG, 0, big, 0, 0}};
    snprintf(tar, sizeof(tar), "%s/bomb.tar.gz", workdir);
    write_tar(tar, bomb, 1, 1);
    wc_unpack_limits small = {.max_bytes = 65536, .max_entries = 10};
    CHECK(wc_unpack_layer(tar, dest, &small, &rep, &err) == -EFBIG);
    CHECK(strstr(err.msg, "bomb") != NULL);
    free(big);
    /* diff ID: the digest of the uncompressed tar. */
    snprintf(tar, sizeof(tar), "%s/plain.tar", workdir);
    write_tar(tar, many, 3, 0);
    char want[WC_DIGEST_STR_LEN + 1];
    FILE *f = fopen(tar, "rb");
    static char data[1 << 16];
    size_t len = fread(data, 1, sizeof(data), f);
    fclose(f);
    wc_sha256_buf(data, len, want);
    wc_unpack_limits lim = {.max_bytes = 1 << 20, .max_entries = 100};
    CHECK(wc_unpack_layer_verified(tar, dest, want, &lim, &rep, &err) == 0);
    want[10] = want[10] == 'a' ? 'b' : 'a';
    CHECK(wc_unpack_layer_verified(tar, dest, want, &lim, &rep, &err) == -EILSEQ);
    /* Not a tarball at all. */
    f = fopen(tar, "wb");
    fputs("this is not a tar archive, not even close, it is just some text", f);
    fclose(f);
    CHECK(wc_unpack_layer(tar, dest, &lim, &rep, &err) < 0);
}

/* A gzip'd layer of one file of `mib` MiB of zeros: about 1,000 times smaller than its tar. */
static void write_zeros_layer(const char *path, size_t mib)
{
    static char zeros[1 << 20];
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    archive_write_open_filename(a, path);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "zeros");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)mib << 20);
    archive_write_header(a, e);
    for (size_t i = 0; i < mib; i++)
        archive_write_data(a, zeros, sizeof(zeros));
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
}

static void test_gzip_bomb_stops_at_the_ratio_limit(void)
{
    char tar[512], dest[512];
    wc_unpack_report rep;
    wc_error err = {0};
    snprintf(tar, sizeof(tar), "%s/bomb1000.tar.gz", workdir);
    write_zeros_layer(tar, 64);
    snprintf(dest, sizeof(dest), "%s/bomb1000", workdir);
    mkdir(dest, 0755);
    wc_unpack_limits lim = {.max_bytes = 1ull << 34, .max_entries = 100, .max_ratio = 100};
    CHECK(wc_unpack_layer(tar, dest, &lim, &rep, &err) == -EFBIG);
    CHECK(strstr(err.msg, "max_ratio") != NULL);
    /* Refused at the entry's header: nothing of its 64 MiB was written. */
    struct stat st;
    snprintf(dest, sizeof(dest), "%s/bomb1000/zeros", workdir);
    CHECK(stat(dest, &st) < 0);
    /* A ratio high enough lets the same layer through. */
    snprintf(dest, sizeof(dest), "%s/bomb-allowed", workdir);
    mkdir(dest, 0755);
    lim.max_ratio = 5000;
    CHECK(wc_unpack_layer(tar, dest, &lim, &rep, &err) == 0);
}

/* Raw tar blocks, for what libarchive's writer will not produce: hard links that carry
 * data, and pax headers that turn entries into links or links into data entries. */
static void raw_header(FILE *f, const char *name, char type, size_t size, const char *link,
                       unsigned mode)
{
    unsigned char h[512] = {0};
    snprintf((char *)h, 100, "%s", name);
    snprintf((char *)h + 100, 8, "%07o", mode);
    snprintf((char *)h + 108, 8, "%07o", 0);
    snprintf((char *)h + 116, 8, "%07o", 0);
    snprintf((char *)h + 124, 12, "%011zo", size);
    snprintf((char *)h + 136, 12, "%011o", 1000000000u);
    h[156] = (unsigned char)type;
    if (link)
        snprintf((char *)h + 157, 100, "%s", link);
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (size_t i = 0; i < sizeof(h); i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    fwrite(h, 1, sizeof(h), f);
}

static void raw_data(FILE *f, const char *data, size_t len)
{
    static const char zero[512];
    fwrite(data, 1, len, f);
    fwrite(zero, 1, (512 - len % 512) % 512, f);
}

/* A pax 'x' header with one "key=value" record before the next entry. */
static void raw_pax(FILE *f, const char *key, const char *value)
{
    char rec[256];
    int body = (int)(strlen(key) + strlen(value) + 3), n = body + 1;
    while (snprintf(NULL, 0, "%d", n) + body != n)
        n++;
    snprintf(rec, sizeof(rec), "%d %s=%s\n", n, key, value);
    raw_header(f, "PaxHeaders/x", 'x', strlen(rec), NULL, 0644);
    raw_data(f, rec, strlen(rec));
}

static void raw_end(FILE *f)
{
    static const char zero[1024];
    fwrite(zero, 1, sizeof(zero), f);
    fclose(f);
}

/* Applies the raw tarball at tar onto a hard-link copy (as a snapshot is made) of a fresh
 * lower snapshot holding "shared", and checks that this file kept its content, mode and time. */
static int unpack_on_copy(const char *what, const char *tar)
{
    char lower[512], upper[512], p[1024], buf[16] = {0};
    wc_unpack_report rep;
    snprintf(lower, sizeof(lower), "%s/%s-lower", workdir, what);
    spec base[] = {{"shared", AE_IFREG, 0644, "lower", 0, 0}};
    CHECK(unpack(base, 1, lower, &rep, NULL) == 0);
    snprintf(upper, sizeof(upper), "%s/%s", workdir, what);
    mkdir(upper, 0755);
    CHECK(store_clone_tree(lower, upper) == 0);
    wc_error err = {0};
    wc_unpack_limits lim = {.max_bytes = 1 << 20, .max_entries = 100};
    int r = wc_unpack_layer(tar, upper, &lim, &rep, &err);
    struct stat st = {0};
    snprintf(p, sizeof(p), "%s/shared", lower);
    int fd = open(p, O_RDONLY);
    bool kept = fd >= 0 && read(fd, buf, sizeof(buf) - 1) == 5 && strcmp(buf, "lower") == 0 &&
                fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0644 && st.st_mtime != 1000000000;
    if (fd >= 0)
        close(fd);
    CHECK(kept);
    if (!kept)
        fprintf(stderr, "  %s: the lower snapshot's file changed (\"%s\", mode %o)\n", what, buf,
                (unsigned)(st.st_mode & 07777));
    return r;
}

static FILE *raw_tar(const char *what, char *path, size_t size)
{
    snprintf(path, size, "%s/%s.tar", workdir, what);
    return fopen(path, "wb");
}

static void test_hostile_link_never_writes_a_shared_inode(void)
{
    char tar[512], p[1024];
    FILE *f = raw_tar("link-with-data", tar, sizeof(tar));
    raw_header(f, "evil", '1', 5, "shared", 0777);
    raw_data(f, "EVIL!", 5);
    raw_end(f);
    CHECK(unpack_on_copy("link-with-data", tar) == 0);
    struct stat st, lst;
    snprintf(p, sizeof(p), "%s/link-with-data/evil", workdir);
    CHECK(stat(p, &st) == 0 && st.st_size == 5);
    snprintf(p, sizeof(p), "%s/link-with-data/shared", workdir);
    CHECK(stat(p, &lst) == 0 && lst.st_ino == st.st_ino); /* a link, as Docker makes it */

    f = raw_tar("pax-linkpath-on-file", tar, sizeof(tar));
    raw_pax(f, "linkpath", "shared");
    raw_header(f, "evil", '0', 5, NULL, 0777);
    raw_data(f, "EVIL!", 5);
    raw_end(f);
    CHECK(unpack_on_copy("pax-linkpath-on-file", tar) == 0);

    f = raw_tar("pax-size-on-link", tar, sizeof(tar));
    raw_pax(f, "size", "5");
    raw_header(f, "evil", '1', 0, "shared", 0777);
    raw_data(f, "EVIL!", 5);
    raw_end(f);
    CHECK(unpack_on_copy("pax-size-on-link", tar) == 0);

    f = raw_tar("link-onto-itself", tar, sizeof(tar));
    raw_header(f, "shared", '1', 5, "shared", 0777);
    raw_data(f, "EVIL!", 5);
    raw_end(f);
    unpack_on_copy("link-onto-itself", tar);

    f = raw_tar("dir-then-link", tar, sizeof(tar));
    raw_header(f, "d", '5', 0, NULL, 0777);
    raw_header(f, "d", '1', 0, "shared", 0777);
    raw_end(f);
    unpack_on_copy("dir-then-link", tar);

    f = raw_tar("link-then-refused", tar, sizeof(tar));
    raw_header(f, "evil", '1', 5, "shared", 0777);
    raw_data(f, "EVIL!", 5);
    raw_header(f, "../escape", '0', 1, NULL, 0644);
    raw_data(f, "x", 1);
    raw_end(f);
    CHECK(unpack_on_copy("link-then-refused", tar) == -EPERM);
}

int main(void)
{
    if (mkdtemp(workdir) == NULL)
        return 1;
    test_hostile();
    test_allowed();
    test_whiteouts();
    test_limits_and_digest();
    test_hostile_link_never_writes_a_shared_inode();
    test_gzip_bomb_stops_at_the_ratio_limit();
    store_remove_tree(workdir);
    return CHECK_DONE();
}
