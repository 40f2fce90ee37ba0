/* stat [-L] [-c FORMAT] FILE...: what WASI's view of a file holds: name, size, type, links,
 * inode, device, times. WASI has no permission bits, owners or block counts: %a %A %u %U %g %G
 * %b print "?" (as ls shows what it cannot read), and the default layout shows them so. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

static const char *type_name(const struct stat *st)
{
    mode_t m = st->st_mode;
    return S_ISREG(m)    ? (st->st_size ? "regular file" : "regular empty file")
           : S_ISDIR(m)  ? "directory"
           : S_ISLNK(m)  ? "symbolic link"
           : S_ISCHR(m)  ? "character special file"
           : S_ISBLK(m)  ? "block special file"
           : S_ISFIFO(m) ? "fifo"
           : S_ISSOCK(m) ? "socket"
                         : "unknown";
}

static void put_time(FILE *out, struct timespec ts)
{
    char buf[32];
    struct tm tm;
    time_t t = ts.tv_sec;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(out, "%s.%09ld +0000", buf, (long)ts.tv_nsec);
}

static void put_name(FILE *out, const char *path, const struct stat *st, bool quoted)
{
    char target[4096];
    ssize_t n;
    if (!quoted || !S_ISLNK(st->st_mode)) { /* busybox quotes a link's name only */
        fputs(path, out);
        return;
    }
    fprintf(out, "'%s'", path);
    if (S_ISLNK(st->st_mode) && (n = readlink(path, target, sizeof(target) - 1)) >= 0)
        fprintf(out, " -> '%.*s'", (int)n, target);
}

static void put_format(FILE *out, const char *fmt, const char *path, const struct stat *st)
{
    for (const char *p = fmt; *p; p++) {
        if (*p != '%' || p[1] == '\0') {
            putc(*p, out);
            continue;
        }
        switch (*++p) {
        case 'n':
            put_name(out, path, st, false);
            break;
        case 'N':
            put_name(out, path, st, true);
            break;
        case 's':
            fprintf(out, "%lld", (long long)st->st_size);
            break;
        case 'F':
            fputs(type_name(st), out);
            break;
        case 'h':
            fprintf(out, "%lu", (unsigned long)st->st_nlink);
            break;
        case 'i':
            fprintf(out, "%llu", (unsigned long long)st->st_ino);
            break;
        case 'd':
            fprintf(out, "%llu", (unsigned long long)st->st_dev);
            break;
        case 'D':
            fprintf(out, "%llx", (unsigned long long)st->st_dev);
            break;
        case 'X':
            fprintf(out, "%lld", (long long)st->st_atim.tv_sec);
            break;
        case 'Y':
            fprintf(out, "%lld", (long long)st->st_mtim.tv_sec);
            break;
        case 'Z':
            fprintf(out, "%lld", (long long)st->st_ctim.tv_sec);
            break;
        case 'x':
            put_time(out, st->st_atim);
            break;
        case 'y':
            put_time(out, st->st_mtim);
            break;
        case 'z':
            put_time(out, st->st_ctim);
            break;
        case '%':
            putc('%', out);
            break;
        case 'a':
        case 'A':
        case 'u':
        case 'U':
        case 'g':
        case 'G':
        case 'b':
        case 'B':
        case 'o':
            putc('?', out); /* not in WASI's view of a file */
            break;
        default:
            putc('%', out);
            putc(*p, out);
        }
    }
    putc('\n', out);
}

int applet_stat(tb_io *io, int argc, char **argv)
{
    static const char layout[] =
        "  File: %N\n  Size: %s\tBlocks: ?\tIO Block: ?\t%F\n"
        "Device: %Dh/%dd\tInode: %i\tLinks: %h\nAccess: (?/?)  Uid: (?)   Gid: (?)\n"
        "Access: %x\nModify: %y\nChange: %z";
    const char *fmt = NULL, *usage = "[-L] [-c FMT] FILE...";
    bool follow = false;
    int opt, rc = 0;
    tb_getopt_reset();
    while ((opt = tb_getopt(io, argc, argv, "Lc:")) != -1) {
        if (opt == 'L')
            follow = true;
        else if (opt == 'c')
            fmt = optarg;
        else
            return tb_usage(io, "stat", usage);
    }
    if (optind >= argc)
        return tb_usage(io, "stat", usage);
    for (int i = optind; i < argc; i++) {
        struct stat st;
        if ((follow ? stat(argv[i], &st) : lstat(argv[i], &st)) != 0) {
            tb_err_errno(io, "stat", "can't stat '%s'", argv[i]);
            rc = 1;
            continue;
        }
        put_format(io->out, fmt ? fmt : layout, argv[i], &st);
    }
    return rc;
}
