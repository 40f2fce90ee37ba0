/* Unit tests for the mount table and kernel-side resolution: guest path normalisation, specs,
 * and the escape attempts (`..` chains, absolute paths, absolute symlinks, symlinks that leave,
 * symlink chains, /proc magic links, a symlink swapped while opening). */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "mount.h"
#include "resolve.h"

static char root[] = "/tmp/wasmcri-resolve-XXXXXX";
static char mnt[300], outside[300];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void setup(void)
{
    char p[400], q[400];
    snprintf(mnt, sizeof(mnt), "%s/mnt", root);
    snprintf(outside, sizeof(outside), "%s/outside", root);
    mkdir(mnt, 0755);
    mkdir(outside, 0755);
    snprintf(p, sizeof(p), "%s/secret", outside);
    write_file(p, "SECRET");
    snprintf(p, sizeof(p), "%s/inside.txt", mnt);
    write_file(p, "INSIDE");
    snprintf(p, sizeof(p), "%s/sub", mnt);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/abs", mnt);
    snprintf(q, sizeof(q), "%s/secret", outside);
    symlink(q, p);
    snprintf(p, sizeof(p), "%s/rel", mnt);
    symlink("../outside/secret", p);
    snprintf(p, sizeof(p), "%s/sub/up", mnt);
    symlink("../inside.txt", p); /* leaves sub but stays in the mount */
    snprintf(p, sizeof(p), "%s/chain", mnt);
    symlink("sub/../rel", p);
    snprintf(p, sizeof(p), "%s/ok", mnt);
    symlink("inside.txt", p);
    snprintf(p, sizeof(p), "%s/loop", mnt);
    symlink("loop", p);
}

static int read_at(int dirfd, const char *path, char *buf, size_t cap)
{
    int fd;
    int r = resolve_open(dirfd, path, O_RDONLY, 0, &fd);
    if (r < 0)
        return r;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = '\0';
    return 0;
}

static void test_mount_table(void)
{
    wasi_mounts m = {0};
    wc_error err = {0};
    CHECK_EQ_INT(wasi_mounts_add(&m, mnt, "//data/./x/", false, &err), 0);
    CHECK(m.count == 1 && strcmp(m.items[0].guest, "/data/x") == 0);
    CHECK_EQ_INT(wasi_mounts_add(&m, mnt, "/data/x", true, &err), -EEXIST);
    CHECK_EQ_INT(wasi_mounts_add(&m, mnt, "/a/../b", true, &err), -EINVAL);
    CHECK(strstr(err.msg, "..") != NULL);
    CHECK_EQ_INT(wasi_mounts_add(&m, "/nonexistent-wasmcri", "/n", true, &err), -ENOENT);
    CHECK(strstr(err.msg, "/nonexistent-wasmcri") != NULL);
    CHECK_EQ_INT(wasi_mounts_add(&m, "/dev/null", "/n", true, &err), -EINVAL);
    char spec[400];
    snprintf(spec, sizeof(spec), "%s:/ro:ro", mnt);
    CHECK_EQ_INT(wasi_mounts_add_spec(&m, spec, &err), 0);
    CHECK(m.count == 2 && m.items[1].readonly && strcmp(m.items[1].guest, "/ro") == 0);
    snprintf(spec, sizeof(spec), "%s/inside.txt:/etc/hosts", mnt);
    CHECK_EQ_INT(wasi_mounts_add_spec(&m, spec, &err), 0);
    CHECK(m.count == 3 && m.items[2].is_file && !m.items[2].readonly);
    CHECK(m.count == 3 && strcmp(m.items[2].file_name, "inside.txt") == 0);
    CHECK_EQ_INT(wasi_mounts_add_spec(&m, ".", &err), 0);
    CHECK(m.count == 4 && strcmp(m.items[3].guest, ".") == 0);
    CHECK_EQ_INT(wasi_mounts_add_spec(&m, ":/x", &err), -EINVAL);
    wasi_mounts_clear(&m);
    CHECK(m.count == 0 && m.items == NULL);
}

/* File mounts of one directory share its descriptor (one short fstatat each after the first,
 * issue 14) and still check that each is a regular file; a mount at "/" is opened as a
 * directory at once, and anything else there goes the general way. */
static void test_file_mounts_share_their_directory(void)
{
    wasi_mounts m = {0};
    wc_error err = {0};
    char p[400];
    snprintf(p, sizeof(p), "%s/inside.txt", mnt);
    CHECK_EQ_INT(wasi_mounts_add(&m, p, "/etc/a", true, &err), 0);
    snprintf(p, sizeof(p), "%s/ok", mnt); /* a symlink to inside.txt: followed, as stat does */
    CHECK_EQ_INT(wasi_mounts_add(&m, p, "/etc/b", true, &err), 0);
    CHECK(m.count == 2 && m.items[1].is_file && m.items[1].shares_dir);
    CHECK(m.count == 2 && m.items[1].dir_fd == m.items[0].dir_fd);
    CHECK(m.count == 2 && strcmp(m.items[1].file_name, "ok") == 0);
    snprintf(p, sizeof(p), "%s/sub", mnt); /* a directory beside them: a mount of its own */
    CHECK_EQ_INT(wasi_mounts_add(&m, p, "/etc/c", true, &err), 0);
    CHECK(m.count == 3 && !m.items[2].is_file && !m.items[2].shares_dir);
    CHECK(m.count == 3 && m.items[2].dir_fd != m.items[0].dir_fd);
    snprintf(p, sizeof(p), "%s/inside.txt/", mnt);
    CHECK_EQ_INT(wasi_mounts_add(&m, p, "/etc/d", true, &err), -ENOTDIR);
    snprintf(p, sizeof(p), "%s/missing", mnt);
    CHECK_EQ_INT(wasi_mounts_add(&m, p, "/etc/e", true, &err), -ENOENT);
    CHECK(strstr(err.msg, "missing") != NULL);
    snprintf(p, sizeof(p), "%s/loop", mnt);
    CHECK_EQ_INT(wasi_mounts_add(&m, p, "/etc/f", true, &err), -ELOOP);
    snprintf(p, sizeof(p), "%s/secret", outside); /* another directory: opened */
    CHECK_EQ_INT(wasi_mounts_add(&m, p, "/etc/g", true, &err), 0);
    CHECK(m.count == 4 && m.items[3].is_file && !m.items[3].shares_dir);
    CHECK_EQ_INT(wasi_mounts_add(&m, "/nonexistent-wasmcri", "/", true, &err), -ENOENT);
    snprintf(p, sizeof(p), "%s/inside.txt", mnt); /* a file at "/": as before, a file mount */
    CHECK_EQ_INT(wasi_mounts_add(&m, p, "/", true, &err), 0);
    CHECK(m.count == 5 && m.items[4].is_file && m.items[4].shares_dir);
    int shared = m.items[0].dir_fd;
    wasi_mounts_clear(&m);
    CHECK(fcntl(shared, F_GETFD) < 0 && errno == EBADF); /* closed once, with its owner */
}

static void test_escapes(int dirfd)
{
    char buf[64];
    CHECK_EQ_INT(read_at(dirfd, "inside.txt", buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "INSIDE") == 0);
    CHECK_EQ_INT(read_at(dirfd, "ok", buf, sizeof(buf)), 0);
    CHECK_EQ_INT(read_at(dirfd, "sub/up", buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "INSIDE") == 0);
    CHECK_EQ_INT(read_at(dirfd, "sub/../inside.txt", buf, sizeof(buf)), 0);
    /* escapes */
    CHECK_EQ_INT(read_at(dirfd, "../outside/secret", buf, sizeof(buf)), -EXDEV);
    CHECK_EQ_INT(read_at(dirfd, "sub/../../outside/secret", buf, sizeof(buf)), -EXDEV);
    CHECK_EQ_INT(read_at(dirfd, "sub/../../../../../../etc/passwd", buf, sizeof(buf)), -EXDEV);
    CHECK_EQ_INT(read_at(dirfd, "/etc/passwd", buf, sizeof(buf)), -EXDEV);
    CHECK_EQ_INT(read_at(dirfd, "abs", buf, sizeof(buf)), -EXDEV);
    CHECK_EQ_INT(read_at(dirfd, "rel", buf, sizeof(buf)), -EXDEV);
    CHECK_EQ_INT(read_at(dirfd, "chain", buf, sizeof(buf)), -EXDEV);
    CHECK_EQ_INT(read_at(dirfd, "loop", buf, sizeof(buf)), -ELOOP);
    /* a subdirectory fd is a boundary too: ".." from it leaves it */
    int sub;
    CHECK_EQ_INT(resolve_open(dirfd, "sub", O_RDONLY | O_DIRECTORY, 0, &sub), 0);
    CHECK_EQ_INT(read_at(sub, "../inside.txt", buf, sizeof(buf)), -EXDEV);
    close(sub);
    /* O_NOFOLLOW refuses a symlink in the last place */
    int fd;
    CHECK_EQ_INT(resolve_open(dirfd, "ok", O_RDONLY | O_NOFOLLOW, 0, &fd), -ELOOP);
    /* creating through a symlink that leaves creates nothing outside */
    char p[400];
    snprintf(p, sizeof(p), "%s/made", mnt);
    symlink("../outside/made", p);
    CHECK_EQ_INT(resolve_open(dirfd, "made", O_WRONLY | O_CREAT, 0644, &fd), -EXDEV);
    snprintf(p, sizeof(p), "%s/made", outside);
    CHECK(access(p, F_OK) < 0);
    CHECK_EQ_INT(resolve_open(dirfd, "", O_RDONLY, 0, &fd), -ENOENT);
}

static void test_parent(int dirfd)
{
    char name[NAME_MAX + 1];
    int parent;
    CHECK_EQ_INT(resolve_parent(dirfd, "sub/new", false, &parent, name), 0);
    CHECK(strcmp(name, "new") == 0);
    close(parent);
    CHECK_EQ_INT(resolve_parent(dirfd, "sub//", false, &parent, name), 0);
    CHECK(strcmp(name, "sub") == 0);
    close(parent);
    CHECK_EQ_INT(resolve_parent(dirfd, "sub/..", false, &parent, name), 0);
    CHECK(strcmp(name, ".") == 0);
    close(parent);
    CHECK_EQ_INT(resolve_parent(dirfd, "..", false, &parent, name), -EXDEV);
    CHECK_EQ_INT(resolve_parent(dirfd, "../outside/secret", false, &parent, name), -EXDEV);
    CHECK_EQ_INT(resolve_parent(dirfd, "/etc/passwd", false, &parent, name), -EXDEV);
    CHECK_EQ_INT(resolve_parent(dirfd, "abs/x", false, &parent, name), -EXDEV);
    /* without follow the symlink itself is named; with follow, a hop that leaves fails */
    CHECK_EQ_INT(resolve_parent(dirfd, "rel", false, &parent, name), 0);
    CHECK(strcmp(name, "rel") == 0);
    close(parent);
    CHECK_EQ_INT(resolve_parent(dirfd, "rel", true, &parent, name), -EXDEV);
    CHECK_EQ_INT(resolve_parent(dirfd, "abs", true, &parent, name), -EXDEV);
    CHECK_EQ_INT(resolve_parent(dirfd, "chain", true, &parent, name), -EXDEV);
    CHECK_EQ_INT(resolve_parent(dirfd, "loop", true, &parent, name), -ELOOP);
    CHECK_EQ_INT(resolve_parent(dirfd, "sub/up", true, &parent, name), 0);
    CHECK(strcmp(name, "inside.txt") == 0);
    close(parent);
    CHECK_EQ_INT(resolve_parent(dirfd, "", false, &parent, name), -ENOENT);
}

static void test_magic_links(void)
{
    int proc = open("/proc/self", O_RDONLY | O_DIRECTORY);
    char buf[64];
    int r = read_at(proc, "root/etc/passwd", buf, sizeof(buf));
    CHECK(r == -ELOOP || r == -EXDEV);
    r = read_at(proc, "cwd", buf, sizeof(buf));
    CHECK(r == -ELOOP || r == -EXDEV);
    r = read_at(proc, "fd/0", buf, sizeof(buf));
    CHECK(r == -ELOOP || r == -EXDEV);
    close(proc);
}

static atomic_int stop_swapping;

static void *swapper(void *arg)
{
    (void)arg;
    char good[400], bad[400], live[400];
    snprintf(good, sizeof(good), "%s/swap.good", mnt);
    snprintf(bad, sizeof(bad), "%s/swap.bad", mnt);
    snprintf(live, sizeof(live), "%s/swap", mnt);
    while (!atomic_load(&stop_swapping)) {
        symlink("inside.txt", good);
        rename(good, live);
        symlink("../outside/secret", bad);
        rename(bad, live);
    }
    return NULL;
}

static void test_swap_race(int dirfd)
{
    pthread_t t;
    pthread_create(&t, NULL, swapper, NULL);
    int leaked = 0, opened = 0, refused = 0;
    struct stat st;
    while (fstatat(dirfd, "swap", &st, AT_SYMLINK_NOFOLLOW) < 0)
        usleep(100);
    for (int i = 0; i < 20000 || opened == 0 || refused == 0; i++) {
        char buf[64];
        int r = read_at(dirfd, "swap", buf, sizeof(buf));
        if (r == 0) {
            opened++;
            if (strcmp(buf, "SECRET") == 0)
                leaked++;
        } else if (r == -EXDEV) {
            refused++;
        }
    }
    atomic_store(&stop_swapping, 1);
    pthread_join(t, NULL);
    CHECK_EQ_INT(leaked, 0);
    CHECK(opened > 0 && refused > 0);
    fprintf(stderr, "swap race: %d opened inside, %d refused, %d leaked\n", opened, refused,
            leaked);
}

int main(void)
{
    if (mkdtemp(root) == NULL)
        return 1;
    setup();
    test_mount_table();
    test_file_mounts_share_their_directory();
    int dirfd = open(mnt, O_RDONLY | O_DIRECTORY);
    test_escapes(dirfd);
    test_parent(dirfd);
    test_magic_links();
    test_swap_race(dirfd);
    close(dirfd);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    if (check_failures == 0 && system(cmd) != 0)
        return 1;
    return CHECK_DONE();
}
