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

int main(void)
{
    if (mkdtemp(workdir) == NULL)
        return 1;
    test_hostile();
    test_allowed();
    test_whiteouts();
    test_limits_and_digest();
    store_remove_tree(workdir);
    return CHECK_DONE();
}
