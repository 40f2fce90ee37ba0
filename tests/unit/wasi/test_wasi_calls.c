/* Unit tests of the WASI calls on a fake linear memory (no engine): preopens, the escape attempts
 * through path_* (`..`, absolute paths and symlinks, symlinks that leave, hard links and renames
 * out of a mount or from a read-only one), read-only mounts, directories opened as files, file
 * mounts, lazy mounts, rights, bad pointers, the CRI log streams, readdir, args/env, clocks, poll,
 * sockets. */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../check.h"
#include "cri_log_parse.h"
#include "wasi_calls.h"

static char root[] = "/tmp/wasmcri-wasicalls-XXXXXX";
static uint8_t memory[1 << 16];
static wasi_mem mem = {memory, sizeof(memory)};
static wasi_ctx *ctx;
static char log_path[300];
static cri_log *log_file;
static int sock_pair[2];

enum { FD_SOCK = 3, FD_DATA = 4, FD_RO = 5, FD_HOSTS = 6 }; /* sockets before the mounts */
#define PATH_AT 1024u                                       /* guest strings are placed here */
#define PATH2_AT 2048u
#define OUT_AT 4096u /* results */
#define BUF_AT 8192u

static void hostpath(char *buf, size_t cap, const char *rel)
{
    snprintf(buf, cap, "%s/%s", root, rel);
}

static void write_host(const char *rel, const char *text)
{
    char p[400];
    hostpath(p, sizeof(p), rel);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
}

static void mkdir_host(const char *rel)
{
    char p[400];
    hostpath(p, sizeof(p), rel);
    mkdir(p, 0755);
}

static int host_exists(const char *rel)
{
    char p[400];
    struct stat st;
    hostpath(p, sizeof(p), rel);
    return lstat(p, &st) == 0;
}

static uint32_t put(uint32_t at, const char *s)
{
    memcpy(memory + at, s, strlen(s));
    return (uint32_t)strlen(s);
}

static uint32_t u32_at(uint32_t at)
{
    uint32_t v;
    memcpy(&v, memory + at, 4);
    return v;
}

/* path_open(fd, follow, path, oflags, rights) -> errno; the new fd at OUT_AT */
static wasi_errno open_at(uint32_t fd, const char *path, uint16_t oflags, uint64_t rights)
{
    uint32_t len = put(PATH_AT, path);
    uint64_t a[] = {
        fd, WASI_LOOKUP_SYMLINK_FOLLOW, PATH_AT, len, oflags, rights, WASI_RIGHTS_ALL, 0, OUT_AT};
    return wasi_path_open(ctx, &mem, a);
}

static wasi_errno path1(wasi_fn fn, uint32_t fd, const char *path)
{
    uint32_t len = put(PATH_AT, path);
    uint64_t a[] = {fd, PATH_AT, len};
    return fn(ctx, &mem, a);
}

static wasi_errno two_paths(wasi_fn fn, bool link, uint32_t fd1, const char *p1, uint32_t fd2,
                            const char *p2)
{
    uint32_t l1 = put(PATH_AT, p1), l2 = put(PATH2_AT, p2);
    uint64_t rn[] = {fd1, PATH_AT, l1, fd2, PATH2_AT, l2};
    uint64_t ln[] = {fd1, 0, PATH_AT, l1, fd2, PATH2_AT, l2};
    return fn(ctx, &mem, link ? ln : rn);
}

static void setup(void)
{
    char p[400];
    mkdir_host("data");
    mkdir_host("data/sub");
    mkdir_host("ro");
    mkdir_host("outside");
    write_host("outside/secret", "SECRET");
    write_host("data/hello.txt", "hello world");
    write_host("ro/config", "ro-config");
    write_host("hosts", "127.0.0.1 localhost\n");
    hostpath(p, sizeof(p), "outside/secret");
    char q[400];
    hostpath(q, sizeof(q), "data/abs");
    symlink(p, q);
    hostpath(q, sizeof(q), "data/rel");
    symlink("../outside/secret", q);

    wasi_mounts mounts = {0};
    wc_error err = {0};
    hostpath(p, sizeof(p), "data");
    wasi_mounts_add(&mounts, p, "/data", false, &err);
    hostpath(p, sizeof(p), "ro");
    wasi_mounts_add(&mounts, p, "/ro", true, &err);
    hostpath(p, sizeof(p), "hosts");
    wasi_mounts_add(&mounts, p, "/etc/hosts", true, &err);
    CHECK_EQ_INT(mounts.count, 3);
    hostpath(log_path, sizeof(log_path), "container.log");
    CHECK_EQ_INT(cri_log_open(log_path, &log_file, &err), 0);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sock_pair);
    const char *argv[] = {"prog", "a b", ""};
    const char *env[] = {"A=1", "PATH=/bin", NULL};
    wasi_options o = {.argv = argv,
                      .argc = 3,
                      .env = env,
                      .mounts = &mounts,
                      .stdin_fd = -1,
                      .log = log_file,
                      .socket_fds = &sock_pair[0],
                      .socket_count = 1};
    CHECK_EQ_INT(wasi_ctx_create(&o, &ctx, &err), 0);
    wasi_mounts_clear(&mounts); /* the ctx holds its own fds */
}

static void test_prestat(void)
{
    /* the preopened socket at fd 3: tag 1 (not a directory), no name, so preopen scans go on */
    uint64_t ps[] = {FD_SOCK, OUT_AT};
    CHECK_EQ_INT(wasi_fd_prestat_get(ctx, &mem, ps), WASI_ESUCCESS);
    CHECK_EQ_INT(u32_at(OUT_AT), WASI_PREOPENTYPE_SOCKET);
    CHECK_EQ_INT(u32_at(OUT_AT + 4), 0);
    const char *names[] = {"/data", "/ro", "/etc/hosts"};
    for (uint32_t fd = FD_DATA; fd <= FD_HOSTS; fd++) {
        uint64_t a[] = {fd, OUT_AT};
        CHECK_EQ_INT(wasi_fd_prestat_get(ctx, &mem, a), WASI_ESUCCESS);
        CHECK_EQ_INT(memory[OUT_AT], WASI_PREOPENTYPE_DIR);
        CHECK_EQ_INT(u32_at(OUT_AT + 4), strlen(names[fd - FD_DATA]));
        uint64_t b[] = {fd, BUF_AT, u32_at(OUT_AT + 4)};
        CHECK_EQ_INT(wasi_fd_prestat_dir_name(ctx, &mem, b), WASI_ESUCCESS);
        CHECK(memcmp(memory + BUF_AT, names[fd - FD_DATA], strlen(names[fd - FD_DATA])) == 0);
    }
    uint64_t a[] = {0, OUT_AT};
    CHECK_EQ_INT(wasi_fd_prestat_get(ctx, &mem, a), WASI_EBADF);
    uint64_t b[] = {99, OUT_AT};
    CHECK_EQ_INT(wasi_fd_prestat_get(ctx, &mem, b), WASI_EBADF);
    uint64_t c[] = {FD_DATA, BUF_AT, 2};
    CHECK_EQ_INT(wasi_fd_prestat_dir_name(ctx, &mem, c), WASI_ENAMETOOLONG);
}

static uint32_t read_fd(uint32_t fd, char *out, size_t cap)
{
    memcpy(memory + OUT_AT + 16, &(uint32_t){BUF_AT}, 4);
    memcpy(memory + OUT_AT + 20, &(uint32_t){(uint32_t)cap - 1}, 4);
    uint64_t a[] = {fd, OUT_AT + 16, 1, OUT_AT + 24};
    if (wasi_fd_read(ctx, &mem, a) != WASI_ESUCCESS)
        return 0;
    uint32_t n = u32_at(OUT_AT + 24);
    memcpy(out, memory + BUF_AT, n);
    out[n] = '\0';
    return n;
}

static void close_fd(uint32_t fd)
{
    uint64_t a[] = {fd};
    CHECK_EQ_INT(wasi_fd_close(ctx, &mem, a), WASI_ESUCCESS);
}

static void test_escapes(void)
{
    const uint64_t rd = WASI_RIGHT_FD_READ;
    CHECK_EQ_INT(open_at(FD_DATA, "hello.txt", 0, rd), WASI_ESUCCESS);
    char buf[64];
    uint32_t fd = u32_at(OUT_AT);
    CHECK_EQ_INT(read_fd(fd, buf, sizeof(buf)), 11);
    close_fd(fd);
    CHECK_EQ_INT(open_at(FD_DATA, "../outside/secret", 0, rd), WASI_ENOTCAPABLE);
    CHECK_EQ_INT(open_at(FD_DATA, "sub/../../outside/secret", 0, rd), WASI_ENOTCAPABLE);
    CHECK_EQ_INT(open_at(FD_DATA, "sub/../../../../../../../etc/passwd", 0, rd), WASI_ENOTCAPABLE);
    CHECK_EQ_INT(open_at(FD_DATA, "/etc/passwd", 0, rd), WASI_ENOTCAPABLE);
    CHECK_EQ_INT(open_at(FD_DATA, "abs", 0, rd), WASI_ENOTCAPABLE);
    CHECK_EQ_INT(open_at(FD_DATA, "rel", 0, rd), WASI_ENOTCAPABLE);
    CHECK_EQ_INT(open_at(FD_DATA, "rel", WASI_OFLAG_CREAT | WASI_OFLAG_TRUNC, WASI_RIGHT_FD_WRITE),
                 WASI_ENOTCAPABLE);
    /* stat through a leaving symlink, and of the symlink itself */
    uint32_t len = put(PATH_AT, "rel");
    uint64_t st_follow[] = {FD_DATA, WASI_LOOKUP_SYMLINK_FOLLOW, PATH_AT, len, OUT_AT};
    CHECK_EQ_INT(wasi_path_filestat_get(ctx, &mem, st_follow), WASI_ENOTCAPABLE);
    uint64_t st_nofollow[] = {FD_DATA, 0, PATH_AT, len, OUT_AT};
    CHECK_EQ_INT(wasi_path_filestat_get(ctx, &mem, st_nofollow), WASI_ESUCCESS);
    CHECK_EQ_INT(memory[OUT_AT + 16], WASI_FILETYPE_SYMBOLIC_LINK);
    /* hard link to an outside file, and through a symlink that leaves */
    CHECK_EQ_INT(two_paths(wasi_path_link, true, FD_DATA, "../outside/secret", FD_DATA, "stolen"),
                 WASI_ENOTCAPABLE);
    len = put(PATH_AT, "rel");
    uint32_t l2 = put(PATH2_AT, "stolen");
    uint64_t follow_link[] = {FD_DATA, WASI_LOOKUP_SYMLINK_FOLLOW, PATH_AT, len, FD_DATA, PATH2_AT,
                              l2};
    CHECK_EQ_INT(wasi_path_link(ctx, &mem, follow_link), WASI_ENOTCAPABLE);
    CHECK(!host_exists("data/stolen"));
    /* rename out of a mount, and in from outside */
    CHECK_EQ_INT(two_paths(wasi_path_rename, false, FD_DATA, "hello.txt", FD_DATA, "../outside/x"),
                 WASI_ENOTCAPABLE);
    CHECK_EQ_INT(two_paths(wasi_path_rename, false, FD_DATA, "../outside/secret", FD_DATA, "x"),
                 WASI_ENOTCAPABLE);
    CHECK(host_exists("data/hello.txt") && !host_exists("outside/x") &&
          host_exists("outside/secret"));
    /* other path calls with `..` */
    CHECK_EQ_INT(path1(wasi_path_create_directory, FD_DATA, "../outside/newdir"), WASI_ENOTCAPABLE);
    CHECK_EQ_INT(path1(wasi_path_unlink_file, FD_DATA, "../outside/secret"), WASI_ENOTCAPABLE);
    CHECK_EQ_INT(path1(wasi_path_remove_directory, FD_DATA, ".."), WASI_ENOTCAPABLE);
    CHECK_EQ_INT(path1(wasi_path_unlink_file, FD_DATA, "rel"),
                 WASI_ESUCCESS); /* removes the link only */
    CHECK(host_exists("outside/secret"));
    uint32_t tl = put(PATH2_AT, "/etc/passwd");
    len = put(PATH_AT, "abs2");
    uint64_t sym_abs[] = {PATH2_AT, tl, FD_DATA, PATH_AT, len};
    CHECK_EQ_INT(wasi_path_symlink(ctx, &mem, sym_abs), WASI_ENOTCAPABLE);
    CHECK(!host_exists("outside/newdir") && !host_exists("data/abs2"));
}

static atomic_int stop_swap;

static void *swapper(void *arg)
{
    (void)arg;
    char good[400], bad[400], live[400];
    hostpath(good, sizeof(good), "data/swap.good");
    hostpath(bad, sizeof(bad), "data/swap.bad");
    hostpath(live, sizeof(live), "data/swap");
    while (!atomic_load(&stop_swap)) {
        symlink("hello.txt", good);
        rename(good, live);
        symlink("../outside/secret", bad);
        rename(bad, live);
    }
    return NULL;
}

/* A symlink flipped between an inside and an outside target while the guest opens it. */
static void test_swap_during_open(void)
{
    pthread_t t;
    pthread_create(&t, NULL, swapper, NULL);
    while (!host_exists("data/swap"))
        usleep(100);
    int leaked = 0, inside = 0, refused = 0;
    for (int i = 0; i < 20000 || inside == 0 || refused == 0; i++) {
        wasi_errno e = open_at(FD_DATA, "swap", 0, WASI_RIGHT_FD_READ);
        if (e == WASI_ENOTCAPABLE) {
            refused++;
        } else if (e == WASI_ESUCCESS) {
            uint32_t fd = u32_at(OUT_AT);
            char buf[64];
            read_fd(fd, buf, sizeof(buf));
            leaked += strstr(buf, "SECRET") != NULL;
            inside += strstr(buf, "hello") != NULL;
            close_fd(fd);
        }
    }
    atomic_store(&stop_swap, 1);
    pthread_join(t, NULL);
    CHECK_EQ_INT(leaked, 0);
    fprintf(stderr, "swap during path_open: %d inside, %d refused, %d leaked\n", inside, refused,
            leaked);
}

static void test_readonly(void)
{
    /* the rights wasi-libc asks for with O_RDONLY: all but the write-ish ones */
    CHECK_EQ_INT(open_at(FD_RO, "config", 0,
                         WASI_RIGHTS_ALL & ~WASI_RIGHTS_HOST_WRITE & ~WASI_RIGHT_FD_DATASYNC),
                 WASI_ESUCCESS);
    uint32_t fd = u32_at(OUT_AT);
    uint32_t iov[2] = {BUF_AT, 3};
    memcpy(memory + OUT_AT + 16, iov, 8);
    uint64_t w[] = {fd, OUT_AT + 16, 1, OUT_AT + 24};
    CHECK_EQ_INT(wasi_fd_write(ctx, &mem, w), WASI_ENOTCAPABLE);
    uint64_t sz[] = {fd, 0};
    CHECK_EQ_INT(wasi_fd_filestat_set_size(ctx, &mem, sz), WASI_ENOTCAPABLE);
    uint64_t al[] = {fd, 0, 10};
    CHECK_EQ_INT(wasi_fd_allocate(ctx, &mem, al), WASI_ENOTCAPABLE);
    uint64_t tm[] = {fd, 0, 0, WASI_FST_MTIM_NOW};
    CHECK_EQ_INT(wasi_fd_filestat_set_times(ctx, &mem, tm), WASI_EROFS);
    close_fd(fd);
    CHECK_EQ_INT(open_at(FD_RO, "config", 0, WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE), WASI_EROFS);
    CHECK_EQ_INT(open_at(FD_RO, "config", WASI_OFLAG_TRUNC, WASI_RIGHT_FD_READ), WASI_EROFS);
    CHECK_EQ_INT(open_at(FD_RO, "new", WASI_OFLAG_CREAT, WASI_RIGHT_FD_READ), WASI_EROFS);
    CHECK_EQ_INT(path1(wasi_path_create_directory, FD_RO, "d"), WASI_EROFS);
    CHECK_EQ_INT(path1(wasi_path_unlink_file, FD_RO, "config"), WASI_EROFS);
    CHECK_EQ_INT(path1(wasi_path_remove_directory, FD_RO, "d"), WASI_EROFS);
    CHECK_EQ_INT(two_paths(wasi_path_rename, false, FD_RO, "config", FD_DATA, "moved"), WASI_EROFS);
    CHECK_EQ_INT(two_paths(wasi_path_rename, false, FD_DATA, "hello.txt", FD_RO, "moved"),
                 WASI_EROFS);
    /* a hard link from a read-only mount into a writable one would make the file writable */
    CHECK_EQ_INT(two_paths(wasi_path_link, true, FD_RO, "config", FD_DATA, "rw-alias"), WASI_EROFS);
    CHECK(!host_exists("data/rw-alias") && !host_exists("data/moved") && host_exists("ro/config"));
    /* opening a directory read-only under a ro mount is fine */
    CHECK_EQ_INT(open_at(FD_RO, ".", WASI_OFLAG_DIRECTORY, WASI_RIGHT_FD_READDIR), WASI_ESUCCESS);
    fd = u32_at(OUT_AT);
    CHECK_EQ_INT(path1(wasi_path_create_directory, fd, "d"), WASI_EROFS);
    close_fd(fd);
}

/* make_writable for test_lazy_mount: nothing until a write asks, then dir "lazy-rw". */
typedef struct lazy_state {
    int calls, made;
    bool fail;
} lazy_state;

static int lazy_hook(void *arg, bool create, int *ret_fd)
{
    lazy_state *st = arg;
    st->calls++;
    if (st->fail)
        return -EIO;
    if (!st->made && !create)
        return -EAGAIN;
    st->made = 1;
    char p[400];
    hostpath(p, sizeof(p), "lazy-rw");
    *ret_fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return *ret_fd < 0 ? -errno : 0;
}

static wasi_ctx *lazy_ctx(lazy_state *st)
{
    char p[400];
    wasi_mounts mounts = {0};
    wc_error err = {0};
    hostpath(p, sizeof(p), "lazy-image");
    CHECK_EQ_INT(wasi_mounts_add(&mounts, p, "/", true, &err), 0);
    mounts.items[0].lazy = true;
    const char *argv[] = {"prog"};
    wasi_options o = {.argv = argv,
                      .argc = 1,
                      .mounts = &mounts,
                      .stdin_fd = -1,
                      .stdout_fd = -1,
                      .stderr_fd = -1,
                      .make_writable = lazy_hook,
                      .make_writable_arg = st};
    wasi_ctx *c = NULL;
    CHECK_EQ_INT(wasi_ctx_create(&o, &c, &err), 0);
    wasi_mounts_clear(&mounts);
    return c;
}

/* A lazy "/" (a container's rootfs before its first write): reads come from the
 * read-only image until a write asks for the writable directory; from then on every
 * path goes there; a directory opened before the switch stays read-only. */
static void test_lazy_mount(void)
{
    mkdir_host("lazy-image");
    mkdir_host("lazy-rw");
    write_host("lazy-image/config", "image");
    write_host("lazy-rw/config", "image"); /* what an overlay of the image shows */
    wasi_ctx *saved = ctx;
    lazy_state st = {0};
    ctx = lazy_ctx(&st);
    CHECK_EQ_INT(open_at(3, "config", 0, WASI_RIGHT_FD_READ), WASI_ESUCCESS);
    close_fd(u32_at(OUT_AT));
    CHECK(st.calls == 1 && !st.made);
    CHECK_EQ_INT(open_at(3, ".", WASI_OFLAG_DIRECTORY, WASI_RIGHT_PATH_CREATE_DIRECTORY),
                 WASI_ESUCCESS);
    uint32_t stale = u32_at(OUT_AT);
    CHECK_EQ_INT(open_at(3, "new", WASI_OFLAG_CREAT, WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE),
                 WASI_ESUCCESS);
    close_fd(u32_at(OUT_AT));
    CHECK(st.made && host_exists("lazy-rw/new") && !host_exists("lazy-image/new"));
    int calls = st.calls;
    CHECK_EQ_INT(path1(wasi_path_create_directory, 3, "d"), WASI_ESUCCESS);
    CHECK(host_exists("lazy-rw/d") && st.calls == calls); /* switched: no more asking */
    CHECK_EQ_INT(path1(wasi_path_create_directory, stale, "x"), WASI_EROFS);
    CHECK(!host_exists("lazy-image/x") && !host_exists("lazy-rw/x"));
    close_fd(stale);
    wasi_ctx_destroy(ctx);
    /* no writable directory to be had: the write is refused, the image untouched */
    lazy_state failing = {.fail = true};
    ctx = lazy_ctx(&failing);
    CHECK_EQ_INT(open_at(3, "config", 0, WASI_RIGHT_FD_READ), WASI_ESUCCESS);
    close_fd(u32_at(OUT_AT));
    CHECK_EQ_INT(open_at(3, "other", WASI_OFLAG_CREAT, WASI_RIGHT_FD_WRITE), WASI_EROFS);
    CHECK(!host_exists("lazy-image/other"));
    wasi_ctx_destroy(ctx);
    ctx = saved;
}

static void test_dirs_and_files(void)
{
    CHECK_EQ_INT(open_at(FD_DATA, "sub", 0, WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE), WASI_EISDIR);
    CHECK_EQ_INT(open_at(FD_DATA, "hello.txt", WASI_OFLAG_DIRECTORY, WASI_RIGHT_FD_READ),
                 WASI_ENOTDIR);
    CHECK_EQ_INT(open_at(FD_DATA, "missing", 0, WASI_RIGHT_FD_READ), WASI_ENOENT);
    CHECK_EQ_INT(
        open_at(FD_DATA, "hello.txt", WASI_OFLAG_CREAT | WASI_OFLAG_EXCL, WASI_RIGHT_FD_READ),
        WASI_EEXIST);
    CHECK_EQ_INT(path1(wasi_path_create_directory, FD_DATA, "sub"), WASI_EEXIST);
    CHECK_EQ_INT(path1(wasi_path_remove_directory, FD_DATA, "hello.txt"), WASI_ENOTDIR);
    CHECK_EQ_INT(path1(wasi_path_unlink_file, FD_DATA, "sub"), WASI_EISDIR);
    /* a file descriptor is not a directory */
    CHECK_EQ_INT(open_at(FD_DATA, "hello.txt", 0, WASI_RIGHT_FD_READ), WASI_ESUCCESS);
    uint32_t fd = u32_at(OUT_AT);
    CHECK_EQ_INT(open_at(fd, "x", 0, WASI_RIGHT_FD_READ),
                 WASI_ENOTCAPABLE); /* no path rights on files */
    close_fd(fd);
    /* create, write, read back, rename, list */
    CHECK_EQ_INT(
        open_at(FD_DATA, "sub/new.txt", WASI_OFLAG_CREAT | WASI_OFLAG_TRUNC, WASI_RIGHTS_FILE),
        WASI_ESUCCESS);
    fd = u32_at(OUT_AT);
    put(BUF_AT, "abcdef");
    uint32_t iov[2] = {BUF_AT, 6};
    memcpy(memory + OUT_AT + 16, iov, 8);
    uint64_t w[] = {fd, OUT_AT + 16, 1, OUT_AT + 24};
    CHECK_EQ_INT(wasi_fd_write(ctx, &mem, w), WASI_ESUCCESS);
    CHECK_EQ_INT(u32_at(OUT_AT + 24), 6);
    uint64_t sk[] = {fd, 2, WASI_WHENCE_SET, OUT_AT + 32};
    CHECK_EQ_INT(wasi_fd_seek(ctx, &mem, sk), WASI_ESUCCESS);
    char buf[64];
    CHECK_EQ_INT(read_fd(fd, buf, sizeof(buf)), 4);
    CHECK(strcmp(buf, "cdef") == 0);
    uint64_t sku[] = {fd, 1, 2 /* unstable SET */, OUT_AT + 32};
    CHECK_EQ_INT(wasi_unstable_fd_seek(ctx, &mem, sku), WASI_ESUCCESS);
    CHECK_EQ_INT(read_fd(fd, buf, sizeof(buf)), 5);
    uint64_t fs[] = {fd, OUT_AT + 64};
    CHECK_EQ_INT(wasi_fd_filestat_get(ctx, &mem, fs), WASI_ESUCCESS);
    CHECK_EQ_INT(memory[OUT_AT + 64 + 16], WASI_FILETYPE_REGULAR_FILE);
    uint64_t size;
    memcpy(&size, memory + OUT_AT + 64 + 32, 8);
    CHECK_EQ_INT(size, 6);
    close_fd(fd);
    CHECK_EQ_INT(two_paths(wasi_path_rename, false, FD_DATA, "sub/new.txt", FD_DATA, "renamed.txt"),
                 WASI_ESUCCESS);
    CHECK(host_exists("data/renamed.txt") && !host_exists("data/sub/new.txt"));
    uint64_t rd[] = {FD_DATA, BUF_AT, 4096, 0, OUT_AT};
    CHECK_EQ_INT(wasi_fd_readdir(ctx, &mem, rd), WASI_ESUCCESS);
    uint32_t used = u32_at(OUT_AT), names = 0;
    for (uint32_t off = 0; off + WASI_DIRENT_SIZE <= used;) {
        uint32_t nl = u32_at(BUF_AT + off + 16);
        if (nl == 11 && memcmp(memory + BUF_AT + off + 24, "renamed.txt", 11) == 0)
            names++;
        off += WASI_DIRENT_SIZE + nl;
    }
    CHECK_EQ_INT(names, 1);
    /* a tiny buffer is filled exactly */
    uint64_t rd2[] = {FD_DATA, BUF_AT, 10, 0, OUT_AT};
    CHECK_EQ_INT(wasi_fd_readdir(ctx, &mem, rd2), WASI_ESUCCESS);
    CHECK_EQ_INT(u32_at(OUT_AT), 10);
}

static void test_file_mount(void)
{
    CHECK_EQ_INT(open_at(FD_HOSTS, ".", 0, WASI_RIGHT_FD_READ), WASI_ESUCCESS);
    uint32_t fd = u32_at(OUT_AT);
    char buf[64];
    read_fd(fd, buf, sizeof(buf));
    CHECK(strcmp(buf, "127.0.0.1 localhost\n") == 0);
    close_fd(fd);
    CHECK_EQ_INT(open_at(FD_HOSTS, "other", 0, WASI_RIGHT_FD_READ), WASI_ENOTDIR);
    CHECK_EQ_INT(open_at(FD_HOSTS, "..", 0, WASI_RIGHT_FD_READ), WASI_ENOTDIR);
    CHECK_EQ_INT(open_at(FD_HOSTS, ".", 0, WASI_RIGHT_FD_WRITE), WASI_EROFS);
    CHECK_EQ_INT(path1(wasi_path_unlink_file, FD_HOSTS, "."), WASI_EROFS);
}

static void test_bad_pointers_and_rights(void)
{
    uint64_t a[] = {FD_DATA, sizeof(memory) - 10, 100};
    CHECK_EQ_INT(wasi_path_create_directory(ctx, &mem, a), WASI_EFAULT);
    uint64_t b[] = {1, sizeof(memory) - 4, 1, OUT_AT};
    CHECK_EQ_INT(wasi_fd_write(ctx, &mem, b), WASI_EFAULT);
    uint64_t c[] = {FD_DATA, sizeof(memory) - 8};
    CHECK_EQ_INT(wasi_fd_fdstat_get(ctx, &mem, c), WASI_EFAULT);
    uint64_t d[] = {77, OUT_AT};
    CHECK_EQ_INT(wasi_fd_fdstat_get(ctx, &mem, d), WASI_EBADF);
    /* rights only shrink */
    CHECK_EQ_INT(open_at(FD_DATA, "hello.txt", 0, WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK),
                 WASI_ESUCCESS);
    uint32_t fd = u32_at(OUT_AT);
    uint64_t sr[] = {fd, WASI_RIGHT_FD_READ, 0};
    CHECK_EQ_INT(wasi_fd_fdstat_set_rights(ctx, &mem, sr), WASI_ESUCCESS);
    uint64_t grow[] = {fd, WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK, 0};
    CHECK_EQ_INT(wasi_fd_fdstat_set_rights(ctx, &mem, grow), WASI_ENOTCAPABLE);
    uint64_t sk[] = {fd, 1, WASI_WHENCE_SET, OUT_AT + 32};
    CHECK_EQ_INT(wasi_fd_seek(ctx, &mem, sk), WASI_ENOTCAPABLE);
    uint64_t st[] = {fd, OUT_AT};
    CHECK_EQ_INT(wasi_fd_fdstat_get(ctx, &mem, st), WASI_ESUCCESS);
    uint64_t base;
    memcpy(&base, memory + OUT_AT + 8, 8);
    CHECK_EQ_INT(base, WASI_RIGHT_FD_READ);
    /* renumber onto stdin, then close it */
    uint64_t rn[] = {fd, 0};
    CHECK_EQ_INT(wasi_fd_renumber(ctx, &mem, rn), WASI_ESUCCESS);
    uint64_t gone[] = {fd, OUT_AT};
    CHECK_EQ_INT(wasi_fd_fdstat_get(ctx, &mem, gone), WASI_EBADF);
    char buf[64];
    CHECK_EQ_INT(read_fd(0, buf, sizeof(buf)), 11);
}

static void test_log_streams(void)
{
    put(BUF_AT, "out line\npartial");
    put(BUF_AT + 100, "err line\n");
    uint32_t iov[4] = {BUF_AT, 9, BUF_AT + 9, 7};
    memcpy(memory + OUT_AT, iov, 16);
    uint64_t w1[] = {1, OUT_AT, 2, OUT_AT + 32};
    CHECK_EQ_INT(wasi_fd_write(ctx, &mem, w1), WASI_ESUCCESS);
    CHECK_EQ_INT(u32_at(OUT_AT + 32), 16);
    uint32_t iov2[2] = {BUF_AT + 100, 9};
    memcpy(memory + OUT_AT, iov2, 8);
    uint64_t w2[] = {2, OUT_AT, 1, OUT_AT + 32};
    CHECK_EQ_INT(wasi_fd_write(ctx, &mem, w2), WASI_ESUCCESS);
    uint64_t st[] = {1, OUT_AT};
    CHECK_EQ_INT(wasi_fd_fdstat_get(ctx, &mem, st), WASI_ESUCCESS);
    uint64_t rd[] = {1, OUT_AT, 1, OUT_AT + 32};
    CHECK_EQ_INT(wasi_fd_read(ctx, &mem, rd), WASI_ENOTCAPABLE);
}

static void test_args_env_clock_random(void)
{
    uint64_t s[] = {OUT_AT, OUT_AT + 4};
    CHECK_EQ_INT(wasi_args_sizes_get(ctx, &mem, s), WASI_ESUCCESS);
    CHECK_EQ_INT(u32_at(OUT_AT), 3);
    CHECK_EQ_INT(u32_at(OUT_AT + 4), 5 + 4 + 1);
    uint64_t g[] = {OUT_AT + 16, BUF_AT};
    CHECK_EQ_INT(wasi_args_get(ctx, &mem, g), WASI_ESUCCESS);
    CHECK(strcmp((char *)memory + u32_at(OUT_AT + 20), "a b") == 0);
    CHECK(memory[u32_at(OUT_AT + 24)] == '\0');
    CHECK_EQ_INT(wasi_environ_sizes_get(ctx, &mem, s), WASI_ESUCCESS);
    CHECK_EQ_INT(u32_at(OUT_AT), 2);
    CHECK_EQ_INT(wasi_environ_get(ctx, &mem, g), WASI_ESUCCESS);
    CHECK(strcmp((char *)memory + u32_at(OUT_AT + 20), "PATH=/bin") == 0);
    uint64_t ct[] = {WASI_CLOCK_MONOTONIC, 1, OUT_AT};
    CHECK_EQ_INT(wasi_clock_time_get(ctx, &mem, ct), WASI_ESUCCESS);
    uint64_t bad[] = {9, 1, OUT_AT};
    CHECK_EQ_INT(wasi_clock_time_get(ctx, &mem, bad), WASI_EINVAL);
    uint64_t res[] = {WASI_CLOCK_REALTIME, OUT_AT};
    CHECK_EQ_INT(wasi_clock_res_get(ctx, &mem, res), WASI_ESUCCESS);
    memset(memory + BUF_AT, 0, 64);
    uint64_t rnd[] = {BUF_AT, 64};
    CHECK_EQ_INT(wasi_random_get(ctx, &mem, rnd), WASI_ESUCCESS);
    int nonzero = 0;
    for (int i = 0; i < 64; i++)
        nonzero += memory[BUF_AT + i] != 0;
    CHECK(nonzero > 32);
    uint64_t none[1] = {0};
    CHECK_EQ_INT(wasi_sched_yield(ctx, &mem, none), WASI_ESUCCESS);
}

static void test_poll_and_sockets(void)
{
    /* a 20 ms relative clock alone */
    uint8_t sub[WASI_SUBSCRIPTION_SIZE] = {0};
    uint64_t ud = 42, timeout = 20000000;
    memcpy(sub, &ud, 8);
    sub[8] = WASI_EVENT_CLOCK;
    uint32_t id = WASI_CLOCK_MONOTONIC;
    memcpy(sub + 16, &id, 4);
    memcpy(sub + 24, &timeout, 8);
    memcpy(memory + BUF_AT, sub, sizeof(sub));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t p[] = {BUF_AT, OUT_AT, 1, OUT_AT + 200};
    CHECK_EQ_INT(wasi_poll_oneoff(ctx, &mem, p), WASI_ESUCCESS);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK(ms >= 19);
    CHECK_EQ_INT(u32_at(OUT_AT + 200), 1);
    uint64_t got_ud;
    memcpy(&got_ud, memory + OUT_AT, 8);
    CHECK_EQ_INT(got_ud, 42);
    /* socket: readable after the peer writes; clock + fd together */
    CHECK(write(sock_pair[1], "ping", 4) == 4);
    uint8_t sub2[WASI_SUBSCRIPTION_SIZE] = {0};
    ud = 7;
    memcpy(sub2, &ud, 8);
    sub2[8] = WASI_EVENT_FD_READ;
    uint32_t sfd = FD_SOCK;
    memcpy(sub2 + 16, &sfd, 4);
    timeout = 5000000000ull;
    memcpy(sub + 24, &timeout, 8);
    memcpy(memory + BUF_AT, sub, sizeof(sub));
    memcpy(memory + BUF_AT + WASI_SUBSCRIPTION_SIZE, sub2, sizeof(sub2));
    uint64_t p2[] = {BUF_AT, OUT_AT, 2, OUT_AT + 200};
    CHECK_EQ_INT(wasi_poll_oneoff(ctx, &mem, p2), WASI_ESUCCESS);
    CHECK_EQ_INT(u32_at(OUT_AT + 200), 1);
    memcpy(&got_ud, memory + OUT_AT, 8);
    CHECK_EQ_INT(got_ud, 7);
    uint64_t nbytes;
    memcpy(&nbytes, memory + OUT_AT + 16, 8);
    CHECK_EQ_INT(nbytes, 4);
    uint32_t iov[2] = {BUF_AT + 512, 64};
    memcpy(memory + OUT_AT, iov, 8);
    uint64_t rv[] = {FD_SOCK, OUT_AT, 1, 0, OUT_AT + 16, OUT_AT + 20};
    CHECK_EQ_INT(wasi_sock_recv(ctx, &mem, rv), WASI_ESUCCESS);
    CHECK_EQ_INT(u32_at(OUT_AT + 16), 4);
    CHECK(memcmp(memory + BUF_AT + 512, "ping", 4) == 0);
    put(BUF_AT + 512, "pong");
    iov[1] = 4;
    memcpy(memory + OUT_AT, iov, 8);
    uint64_t sd[] = {FD_SOCK, OUT_AT, 1, 0, OUT_AT + 16};
    CHECK_EQ_INT(wasi_sock_send(ctx, &mem, sd), WASI_ESUCCESS);
    char back[8] = {0};
    CHECK(read(sock_pair[1], back, 4) == 4 && strcmp(back, "pong") == 0);
    uint64_t sh[] = {FD_SOCK, WASI_SDFLAG_WR};
    CHECK_EQ_INT(wasi_sock_shutdown(ctx, &mem, sh), WASI_ESUCCESS);
    CHECK(read(sock_pair[1], back, 4) == 0);
    /* fd_write on a socket whose peer is gone: EPIPE, and no SIGPIPE kills the process */
    int pair[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
    close(pair[1]);
    wasi_fd e = {.kind = WASI_FD_SOCKET,
                 .host = pair[0],
                 .filetype = WASI_FILETYPE_SOCKET_STREAM,
                 .rights_base = WASI_RIGHTS_SOCKET};
    uint32_t dead;
    CHECK_EQ_INT(fdt_insert(ctx, &e, &dead), WASI_ESUCCESS);
    uint64_t wr[] = {dead, OUT_AT, 1, OUT_AT + 16};
    CHECK_EQ_INT(wasi_fd_write(ctx, &mem, wr), WASI_EPIPE);
    close_fd(dead);
    uint64_t acc[] = {FD_SOCK, 0, OUT_AT};
    CHECK_EQ_INT(wasi_sock_accept(ctx, &mem, acc), WASI_EINVAL); /* not listening */
}

/* Issue 14: sock_shutdown on a file answered ENOTCAPABLE (its rights were checked before its
 * kind); Linux and wasmtime answer ENOTSOCK, and so does every sock_* call on a non-socket. */
static void test_sock_shutdown_on_a_file_is_enotsock(void)
{
    uint64_t sh[] = {FD_DATA, WASI_SDFLAG_WR};
    CHECK_EQ_INT(wasi_sock_shutdown(ctx, &mem, sh), WASI_ENOTSOCK);
    uint64_t acc[] = {FD_DATA, 0, OUT_AT};
    CHECK_EQ_INT(wasi_sock_accept(ctx, &mem, acc), WASI_ENOTSOCK);
    uint64_t closed[] = {999, WASI_SDFLAG_WR};
    CHECK_EQ_INT(wasi_sock_shutdown(ctx, &mem, closed), WASI_EBADF);
}

/* Issue 14: a trailing slash on the name a call creates or removes was dropped, so `file/` and
 * `dest/` were accepted; Linux (and WASI) refuse them: a slash asks for a directory. */
static void test_trailing_slash_is_refused_as_linux_does(void)
{
    write_host("data/tsfile", "x");
    CHECK_EQ_INT(path1(wasi_path_unlink_file, FD_DATA, "tsfile/"), WASI_ENOTDIR);
    CHECK_EQ_INT(path1(wasi_path_unlink_file, FD_DATA, "sub/"), WASI_EISDIR);
    CHECK_EQ_INT(path1(wasi_path_unlink_file, FD_DATA, "tsmissing/"), WASI_ENOENT);
    CHECK(host_exists("data/tsfile"));
    uint32_t tl = put(PATH2_AT, "tsfile");
    uint32_t len = put(PATH_AT, "tslink/");
    uint64_t sym[] = {PATH2_AT, tl, FD_DATA, PATH_AT, len};
    CHECK_EQ_INT(wasi_path_symlink(ctx, &mem, sym), WASI_ENOENT);
    len = put(PATH_AT, "tsfile/");
    uint64_t sym_file[] = {PATH2_AT, tl, FD_DATA, PATH_AT, len};
    CHECK_EQ_INT(wasi_path_symlink(ctx, &mem, sym_file), WASI_EEXIST);
    CHECK(!host_exists("data/tslink"));
    CHECK_EQ_INT(two_paths(wasi_path_link, true, FD_DATA, "tsfile", FD_DATA, "tslink/"),
                 WASI_ENOENT);
    CHECK_EQ_INT(two_paths(wasi_path_link, true, FD_DATA, "tsfile/", FD_DATA, "tslink"),
                 WASI_ENOTDIR);
    CHECK(!host_exists("data/tslink"));
    CHECK_EQ_INT(two_paths(wasi_path_rename, false, FD_DATA, "tsfile/", FD_DATA, "tsother"),
                 WASI_ENOTDIR);
    /* without the slash, and on directories, they work */
    CHECK_EQ_INT(path1(wasi_path_create_directory, FD_DATA, "tsdir/"), WASI_ESUCCESS);
    CHECK_EQ_INT(path1(wasi_path_remove_directory, FD_DATA, "tsdir/"), WASI_ESUCCESS);
    CHECK_EQ_INT(two_paths(wasi_path_link, true, FD_DATA, "tsfile", FD_DATA, "tslink"),
                 WASI_ESUCCESS);
    CHECK_EQ_INT(path1(wasi_path_unlink_file, FD_DATA, "tslink"), WASI_ESUCCESS);
    CHECK_EQ_INT(path1(wasi_path_unlink_file, FD_DATA, "tsfile"), WASI_ESUCCESS);
}

/* Issue 14: path_open with O_TRUNC truncated through a directory fd that lacks the
 * path_filestat_set_size right; WASI makes truncation need it (ENOTCAPABLE). */
static void test_trunc_needs_path_filestat_set_size(void)
{
    write_host("data/sub/keep.txt", "keep me");
    uint32_t len = put(PATH_AT, "sub");
    uint64_t no_set_size = WASI_RIGHTS_ALL & ~WASI_RIGHT_PATH_FILESTAT_SET_SIZE;
    uint64_t dir_rights = WASI_RIGHT_PATH_OPEN | WASI_RIGHT_FD_READDIR;
    uint64_t od[] = {FD_DATA,    0,           PATH_AT, len,   WASI_OFLAG_DIRECTORY,
                     dir_rights, no_set_size, 0,       OUT_AT};
    CHECK_EQ_INT(wasi_path_open(ctx, &mem, od), WASI_ESUCCESS);
    uint32_t dir = u32_at(OUT_AT);
    CHECK_EQ_INT(open_at(dir, "keep.txt", WASI_OFLAG_TRUNC, WASI_RIGHT_FD_WRITE), WASI_ENOTCAPABLE);
    char p[400];
    struct stat st;
    hostpath(p, sizeof(p), "data/sub/keep.txt");
    CHECK(stat(p, &st) == 0 && st.st_size == 7);
    CHECK_EQ_INT(open_at(dir, "keep.txt", 0, WASI_RIGHT_FD_WRITE), WASI_ESUCCESS);
    close_fd(u32_at(OUT_AT));
    CHECK_EQ_INT(open_at(FD_DATA, "sub/keep.txt", WASI_OFLAG_TRUNC, WASI_RIGHT_FD_WRITE),
                 WASI_ESUCCESS);
    close_fd(u32_at(OUT_AT));
    CHECK(stat(p, &st) == 0 && st.st_size == 0);
    close_fd(dir);
}

static void test_proc_exit(void)
{
    uint64_t r0[] = {17};
    CHECK_EQ_INT(wasi_proc_raise(ctx, &mem, r0), WASI_ESUCCESS); /* SIGCONT: ignored */
    CHECK_EQ_INT(wasi_ctx_exit_code(ctx), -1);
    uint64_t bad[] = {99};
    CHECK_EQ_INT(wasi_proc_raise(ctx, &mem, bad), WASI_EINVAL);
    uint64_t e[] = {3};
    wasi_proc_exit(ctx, &mem, e);
    CHECK_EQ_INT(wasi_ctx_exit_code(ctx), 3);
}

static void test_log_file(void)
{
    cri_parsed p = {0};
    char why[200];
    CHECK_EQ_INT(cri_parse_file(log_path, &p, why, sizeof(why)), 0);
    CHECK_EQ_INT(p.n, 3);
    if (p.n == 3) {
        CHECK(p.msgs[0].stream == 0 && strcmp(p.msgs[0].text, "out line") == 0);
        CHECK(p.msgs[1].stream == 1 && strcmp(p.msgs[1].text, "err line") == 0);
        CHECK(p.msgs[2].stream == 0 && strcmp(p.msgs[2].text, "partial") == 0);
    }
    cri_parsed_free(&p);
}

int main(void)
{
    if (mkdtemp(root) == NULL)
        return 1;
    setup();
    test_prestat();
    test_escapes();
    test_swap_during_open();
    test_readonly();
    test_lazy_mount();
    test_dirs_and_files();
    test_file_mount();
    test_bad_pointers_and_rights();
    test_log_streams();
    test_args_env_clock_random();
    test_poll_and_sockets();
    test_sock_shutdown_on_a_file_is_enotsock();
    test_trailing_slash_is_refused_as_linux_does();
    test_trunc_needs_path_filestat_set_size();
    test_proc_exit();
    wasi_ctx_destroy(ctx); /* flushes the partial stdout line */
    cri_log_close(log_file);
    test_log_file();
    close(sock_pair[0]);
    close(sock_pair[1]);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    if (check_failures == 0 && system(cmd) != 0)
        return 1;
    return CHECK_DONE();
}
