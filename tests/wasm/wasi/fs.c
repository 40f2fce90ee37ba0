/* Lists, reads, writes, renames, links and removes files under the directory given as argv[1]
 * (a --dir mount), through wasi-libc. Output is deterministic so it can be compared between
 * runtimes; the last thing it does is leave "kept/result.txt" behind for the driver to check. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static char base[256];

static const char *at(const char *rel)
{
    static char buf[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof(buf[i]), "%s/%s", base, rel);
    return buf[i];
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *rel)
{
    DIR *d = opendir(at(rel));
    if (d == NULL) {
        printf("opendir %s: %s\n", rel, errname(errno));
        return;
    }
    char *names[512];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 512)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof(names[0]), cmp);
    printf("list %s (%d):", rel, n);
    for (int i = 0; i < n && i < 8; i++)
        printf(" %s", names[i]);
    printf("%s\n", n > 8 ? " ..." : "");
    for (int i = 0; i < n; i++)
        free(names[i]);
}

static const char *kind(mode_t m)
{
    return S_ISREG(m) ? "file" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "symlink" : "other";
}

static void show_stat(const char *rel, int follow)
{
    struct stat st;
    int r = follow ? stat(at(rel), &st) : lstat(at(rel), &st);
    if (r < 0)
        printf("stat %s: %s\n", rel, errname(errno));
    else
        printf("stat %s: %s size=%lld nlink=%llu\n", rel, kind(st.st_mode), (long long)st.st_size,
               (unsigned long long)st.st_nlink);
}

int main(int argc, char **argv)
{
    snprintf(base, sizeof(base), "%s", argc > 1 ? argv[1] : ".");
    REPORT("mkdir work", mkdir(at("work"), 0755));
    REPORT("mkdir work again", mkdir(at("work"), 0755));

    FILE *f = fopen(at("work/a.txt"), "w");
    fputs("hello, wasi\n", f);
    fclose(f);
    show_stat("work/a.txt", 1);
    char buf[128] = {0};
    int fd = open(at("work/a.txt"), O_RDWR | O_APPEND);
    printf("append: %zd\n", write(fd, "more\n", 5));
    printf("pread: %zd \"%.5s\"\n", pread(fd, buf, 5, 7), buf);
    printf("seek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
    printf("seek set: %lld\n", (long long)lseek(fd, 2, SEEK_SET));
    memset(buf, 0, sizeof(buf));
    printf("read: %zd \"%s\"\n", read(fd, buf, sizeof(buf) - 1), buf);
    REPORT("fsync", fsync(fd));
    REPORT("fdatasync", fdatasync(fd));
    printf("fadvise: %s\n", errname(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)));
    close(fd);
    fd = open(at("work/p.bin"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    printf("pwrite: %zd\n", pwrite(fd, "XYZ", 3, 10));
    printf("fallocate: %s\n", errname(posix_fallocate(fd, 0, 100)));
    struct stat st;
    fstat(fd, &st);
    printf("fstat p.bin: size=%lld\n", (long long)st.st_size);
    REPORT("ftruncate", ftruncate(fd, 4));
    fstat(fd, &st);
    printf("after ftruncate: size=%lld\n", (long long)st.st_size);
    close(fd);
    REPORT("truncate", truncate(at("work/a.txt"), 5));
    show_stat("work/a.txt", 1);

    REPORT("rename a->b", rename(at("work/a.txt"), at("work/b.txt")));
    REPORT("open a", open(at("work/a.txt"), O_RDONLY));
    REPORT("link b c", link(at("work/b.txt"), at("work/c.txt")));
    show_stat("work/b.txt", 1);
    REPORT("symlink s->b", symlink("b.txt", at("work/s")));
    memset(buf, 0, sizeof(buf));
    printf("readlink s: %zd \"%s\"\n", readlink(at("work/s"), buf, sizeof(buf) - 1), buf);
    show_stat("work/s", 0);
    show_stat("work/s", 1);
    struct timespec times[2] = {{.tv_sec = 1000000000, .tv_nsec = 0},
                                {.tv_sec = 1234567890, .tv_nsec = 0}};
    REPORT("utimensat", utimensat(AT_FDCWD, at("work/b.txt"), times, 0));
    stat(at("work/b.txt"), &st);
    printf("times: atime=%lld mtime=%lld\n", (long long)st.st_atim.tv_sec,
           (long long)st.st_mtim.tv_sec);
    fd = open(at("work/b.txt"), O_RDONLY);
    struct timespec t2[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_sec = 1500000000}};
    REPORT("futimens", futimens(fd, t2));
    fstat(fd, &st);
    printf("mtime now %lld\n", (long long)st.st_mtim.tv_sec);
    close(fd);

    REPORT("mkdir work/many", mkdir(at("work/many"), 0755));
    for (int i = 0; i < 300; i++) {
        char name[64];
        snprintf(name, sizeof(name), "work/many/file-with-a-long-name-%03d", i);
        close(open(at(name), O_WRONLY | O_CREAT, 0644));
    }
    list("work");
    list("work/many");

    REPORT("open missing", open(at("work/missing"), O_RDONLY));
    REPORT("open dir for writing", open(at("work"), O_WRONLY));
    REPORT("open file as dir", open(at("work/b.txt"), O_RDONLY | O_DIRECTORY));
    REPORT("rmdir non-empty", rmdir(at("work")));
    REPORT("unlink dir", unlink(at("work/many")));
    REPORT("rmdir file", rmdir(at("work/b.txt")));
    for (int i = 0; i < 300; i++) {
        char name[64];
        snprintf(name, sizeof(name), "work/many/file-with-a-long-name-%03d", i);
        unlink(at(name));
    }
    REPORT("rmdir many", rmdir(at("work/many")));
    REPORT("unlink s", unlink(at("work/s")));
    REPORT("unlink c", unlink(at("work/c.txt")));
    REPORT("unlink b", unlink(at("work/b.txt")));
    REPORT("unlink p", unlink(at("work/p.bin")));
    REPORT("rmdir work", rmdir(at("work")));
    list(".");

    mkdir(at("kept"), 0755);
    f = fopen(at("kept/result.txt"), "w");
    fputs("written by fs.wasm\n", f);
    fclose(f);
    return 0;
}
