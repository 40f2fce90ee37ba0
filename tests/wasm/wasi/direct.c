/* Calls WASI functions directly (no libc in between) where libc hides them or changes their
 * arguments: rights, renumber, advise/allocate/sync, raw filestat layouts, set_times flags,
 * readdir cookies, poll_oneoff subscriptions, proc_raise, sockets on non-sockets, bad pointers,
 * and the older wasi_unstable module (whence numbering, filestat and subscription layouts).
 * Expects a writable preopen at fd 3. Prints "call: <wasi errno>" lines, then proc_exit(3). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define P1(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
#define UNSTABLE(name) __attribute__((import_module("wasi_unstable"), import_name(#name)))

P1(args_sizes_get) int32_t w_args_sizes_get(uint32_t *argc, uint32_t *size);
P1(environ_sizes_get) int32_t w_environ_sizes_get(uint32_t *count, uint32_t *size);
P1(clock_res_get) int32_t w_clock_res_get(uint32_t id, uint64_t *res);
P1(clock_time_get) int32_t w_clock_time_get(uint32_t id, uint64_t precision, uint64_t *t);
P1(random_get) int32_t w_random_get(uint8_t *buf, uint32_t len);
P1(sched_yield) int32_t w_sched_yield(void);
P1(proc_raise) int32_t w_proc_raise(uint32_t sig);
P1(proc_exit) _Noreturn void w_proc_exit(uint32_t code);
P1(fd_prestat_get) int32_t w_fd_prestat_get(uint32_t fd, uint8_t *buf);
P1(path_open)
int32_t w_path_open(uint32_t fd, uint32_t dirflags, const char *path, uint32_t len, uint32_t oflags,
                    uint64_t base, uint64_t inh, uint32_t fdflags, uint32_t *ret);
P1(fd_write) int32_t w_fd_write(uint32_t fd, const void *iovs, uint32_t n, uint32_t *ret);
P1(fd_read) int32_t w_fd_read(uint32_t fd, const void *iovs, uint32_t n, uint32_t *ret);
P1(fd_seek) int32_t w_fd_seek(uint32_t fd, int64_t off, uint32_t whence, uint64_t *ret);
P1(fd_tell) int32_t w_fd_tell(uint32_t fd, uint64_t *ret);
P1(fd_fdstat_get) int32_t w_fd_fdstat_get(uint32_t fd, uint8_t *buf);
P1(fd_fdstat_set_flags) int32_t w_fd_fdstat_set_flags(uint32_t fd, uint32_t flags);
P1(fd_fdstat_set_rights) int32_t w_fd_fdstat_set_rights(uint32_t fd, uint64_t base, uint64_t inh);
P1(fd_renumber) int32_t w_fd_renumber(uint32_t from, uint32_t to);
P1(fd_close) int32_t w_fd_close(uint32_t fd);
P1(fd_advise) int32_t w_fd_advise(uint32_t fd, uint64_t off, uint64_t len, uint32_t advice);
P1(fd_allocate) int32_t w_fd_allocate(uint32_t fd, uint64_t off, uint64_t len);
P1(fd_datasync) int32_t w_fd_datasync(uint32_t fd);
P1(fd_sync) int32_t w_fd_sync(uint32_t fd);
P1(fd_filestat_get) int32_t w_fd_filestat_get(uint32_t fd, uint8_t *buf);
P1(fd_filestat_set_size) int32_t w_fd_filestat_set_size(uint32_t fd, uint64_t size);
P1(fd_filestat_set_times)
int32_t w_fd_filestat_set_times(uint32_t fd, uint64_t atim, uint64_t mtim, uint32_t fst);
P1(path_filestat_get)
int32_t w_path_filestat_get(uint32_t fd, uint32_t flags, const char *p, uint32_t len, uint8_t *buf);
P1(path_filestat_set_times)
int32_t w_path_filestat_set_times(uint32_t fd, uint32_t flags, const char *p, uint32_t len,
                                  uint64_t atim, uint64_t mtim, uint32_t fst);
P1(path_create_directory) int32_t w_path_create_directory(uint32_t fd, const char *p, uint32_t len);
P1(path_remove_directory) int32_t w_path_remove_directory(uint32_t fd, const char *p, uint32_t len);
P1(path_unlink_file) int32_t w_path_unlink_file(uint32_t fd, const char *p, uint32_t len);
P1(path_symlink)
int32_t w_path_symlink(const char *t, uint32_t tlen, uint32_t fd, const char *p, uint32_t len);
P1(path_readlink)
int32_t w_path_readlink(uint32_t fd, const char *p, uint32_t len, char *buf, uint32_t blen,
                        uint32_t *used);
P1(path_link)
int32_t w_path_link(uint32_t fd, uint32_t flags, const char *p, uint32_t len, uint32_t fd2,
                    const char *p2, uint32_t len2);
P1(path_rename)
int32_t w_path_rename(uint32_t fd, const char *p, uint32_t len, uint32_t fd2, const char *p2,
                      uint32_t len2);
P1(fd_readdir)
int32_t w_fd_readdir(uint32_t fd, uint8_t *buf, uint32_t len, uint64_t cookie, uint32_t *used);
P1(poll_oneoff) int32_t w_poll_oneoff(const void *in, void *out, uint32_t n, uint32_t *nevents);
P1(sock_shutdown) int32_t w_sock_shutdown(uint32_t fd, uint32_t how);
P1(sock_recv)
int32_t w_sock_recv(uint32_t fd, const void *iovs, uint32_t n, uint32_t flags, uint32_t *len,
                    uint16_t *oflags);
P1(sock_send)
int32_t w_sock_send(uint32_t fd, const void *iovs, uint32_t n, uint32_t flags, uint32_t *len);
P1(sock_accept) int32_t w_sock_accept(uint32_t fd, uint32_t flags, uint32_t *ret);
UNSTABLE(fd_seek) int32_t u_fd_seek(uint32_t fd, int64_t off, uint32_t whence, uint64_t *ret);
UNSTABLE(fd_filestat_get) int32_t u_fd_filestat_get(uint32_t fd, uint8_t *buf);
UNSTABLE(path_filestat_get)
int32_t u_path_filestat_get(uint32_t fd, uint32_t flags, const char *p, uint32_t len, uint8_t *buf);
UNSTABLE(poll_oneoff)
int32_t u_poll_oneoff(const void *in, void *out, uint32_t n, uint32_t *nevents);
UNSTABLE(fd_write) int32_t u_fd_write(uint32_t fd, const void *iovs, uint32_t n, uint32_t *ret);

#define R(n) ((uint64_t)1 << (n))
#define RIGHTS_FILE                                                                                \
    (R(0) | R(1) | R(2) | R(3) | R(4) | R(5) | R(6) | R(7) | R(8) | R(21) | R(22) | R(23))
#define S(x) x, (uint32_t)strlen(x)
#define SHOW(name, call) printf("%s: %d\n", name, (int)(call))

static uint64_t u64_at(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static uint32_t u32_at(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void clocks_and_random(void)
{
    uint64_t t = 0;
    uint32_t a, b;
    SHOW("args_sizes_get", w_args_sizes_get(&a, &b));
    SHOW("environ_sizes_get", w_environ_sizes_get(&a, &b));
    SHOW("clock_time_get bad id", w_clock_time_get(99, 1, &t));
    SHOW("clock_res_get bad id", w_clock_res_get(99, &t));
    SHOW("clock_res_get realtime", w_clock_res_get(0, &t));
    SHOW("clock_time_get monotonic", w_clock_time_get(1, 1, &t));
    uint8_t buf[64] = {0};
    SHOW("random_get", w_random_get(buf, sizeof(buf)));
    int nonzero = 0;
    for (int i = 0; i < 64; i++)
        nonzero += buf[i] != 0;
    printf("random nonzero bytes > 32: %s\n", nonzero > 32 ? "yes" : "no");
    SHOW("sched_yield", w_sched_yield());
    SHOW("proc_raise CONT (ignored)", w_proc_raise(17));
    SHOW("fd_prestat_get stdin", w_fd_prestat_get(0, buf));
    SHOW("fd_prestat_get 3", w_fd_prestat_get(3, buf));
    printf("prestat tag=%u\n", buf[0]);
}

static void file_calls(void)
{
    uint32_t fd = 0, n = 0;
    uint64_t pos = 0;
    uint8_t st[64];
    SHOW("path_open create",
         w_path_open(3, 1, S("direct.txt"), 1 | 8, RIGHTS_FILE, RIGHTS_FILE, 0, &fd));
    uint32_t iov[2] = {(uint32_t)(uintptr_t) "0123456789", 10};
    SHOW("fd_write", w_fd_write(fd, iov, 1, &n));
    printf("written %u\n", n);
    SHOW("fd_tell", w_fd_tell(fd, &pos));
    printf("tell %llu\n", (unsigned long long)pos);
    SHOW("fd_seek set 3", w_fd_seek(fd, 3, 0, &pos));
    SHOW("fd_seek bad whence", w_fd_seek(fd, 0, 7, &pos));
    SHOW("unstable fd_seek SET(2) 5", u_fd_seek(fd, 5, 2, &pos));
    printf("unstable pos %llu\n", (unsigned long long)pos);
    char rb[8] = {0};
    uint32_t riov[2] = {(uint32_t)(uintptr_t)rb, 3};
    SHOW("fd_read", w_fd_read(fd, riov, 1, &n));
    printf("read \"%s\"\n", rb);
    SHOW("fd_fdstat_get", w_fd_fdstat_get(fd, st));
    printf("filetype=%u flags=%u\n", st[0], (unsigned)st[2]);
    SHOW("fd_fdstat_set_flags append", w_fd_fdstat_set_flags(fd, 1));
    w_fd_fdstat_get(fd, st);
    printf("flags now=%u\n", (unsigned)st[2]);
    SHOW("fd_fdstat_set_flags append off", w_fd_fdstat_set_flags(fd, 0));
    SHOW("fd_advise", w_fd_advise(fd, 0, 10, 2));
    SHOW("fd_advise bad", w_fd_advise(fd, 0, 10, 9));
    SHOW("fd_allocate", w_fd_allocate(fd, 0, 4096));
    SHOW("fd_datasync", w_fd_datasync(fd));
    SHOW("fd_sync", w_fd_sync(fd));
    SHOW("fd_filestat_get", w_fd_filestat_get(fd, st));
    printf("size=%llu type=%u\n", (unsigned long long)u64_at(st + 32), st[16]);
    SHOW("fd_filestat_set_size", w_fd_filestat_set_size(fd, 7));
    SHOW("unstable fd_filestat_get", u_fd_filestat_get(fd, st));
    printf("unstable size=%llu type=%u nlink=%u\n", (unsigned long long)u64_at(st + 24), st[16],
           u32_at(st + 20));
    SHOW("fd_filestat_set_times", w_fd_filestat_set_times(fd, 0, 2000000000ull * 1000000000ull, 4));
    SHOW("fd_filestat_set_times bad flags", w_fd_filestat_set_times(fd, 0, 0, 1 | 2));
    w_fd_filestat_get(fd, st);
    printf("mtim=%llu\n", (unsigned long long)u64_at(st + 48));
    SHOW("path_filestat_set_times",
         w_path_filestat_set_times(3, 1, S("direct.txt"), 1000000000ull * 1000000000ull,
                                   1100000000ull * 1000000000ull, 1 | 4));
    SHOW("path_filestat_get", w_path_filestat_get(3, 1, S("direct.txt"), st));
    printf("atim=%llu mtim=%llu size=%llu\n", (unsigned long long)u64_at(st + 40),
           (unsigned long long)u64_at(st + 48), (unsigned long long)u64_at(st + 32));
    SHOW("unstable path_filestat_get", u_path_filestat_get(3, 1, S("direct.txt"), st));
    printf("unstable mtim=%llu\n", (unsigned long long)u64_at(st + 40));
    /* rights only shrink; a dropped right is refused */
    SHOW("fd_fdstat_set_rights drop seek", w_fd_fdstat_set_rights(fd, RIGHTS_FILE & ~(R(2)), 0));
    SHOW("fd_seek without right", w_fd_seek(fd, 1, 0, &pos));
    SHOW("fd_fdstat_set_rights grow", w_fd_fdstat_set_rights(fd, RIGHTS_FILE, 0));
    uint32_t fd2 = 0;
    SHOW("path_open second", w_path_open(3, 1, S("direct.txt"), 0, R(1), 0, 0, &fd2));
    SHOW("fd_renumber", w_fd_renumber(fd, fd2));
    SHOW("fd_close old number", w_fd_close(fd));
    SHOW("fd_close renumbered", w_fd_close(fd2));
    SHOW("fd_close again", w_fd_close(fd2));
    uint32_t bad_iov[2] = {0xFFFFFFF0u, 64};
    SHOW("fd_write bad pointer", w_fd_write(1, bad_iov, 1, &n));
    SHOW("unstable fd_write",
         u_fd_write(1, (uint32_t[]){(uint32_t)(uintptr_t) "via wasi_unstable\n", 18}, 1, &n));
}

static void path_calls(void)
{
    uint32_t fd = 0, used = 0;
    SHOW("path_create_directory", w_path_create_directory(3, S("ddir")));
    SHOW("path_create_directory exists", w_path_create_directory(3, S("ddir")));
    SHOW("path_open dir flag on file", w_path_open(3, 1, S("direct.txt"), 2, R(1), 0, 0, &fd));
    SHOW("path_symlink", w_path_symlink(S("direct.txt"), 3, S("ddir/../dlink")));
    char buf[64] = {0};
    SHOW("path_readlink short buffer", w_path_readlink(3, S("dlink"), buf, 4, &used));
    printf("readlink used=%u \"%.4s\"\n", used, buf);
    SHOW("path_readlink not a link", w_path_readlink(3, S("direct.txt"), buf, sizeof(buf), &used));
    SHOW("path_link", w_path_link(3, 0, S("direct.txt"), 3, S("ddir/hard")));
    SHOW("path_rename", w_path_rename(3, S("ddir/hard"), 3, S("hard2")));
    SHOW("path_remove_directory", w_path_remove_directory(3, S("ddir")));
    SHOW("path_unlink_file link", w_path_unlink_file(3, S("dlink")));
    SHOW("path_unlink_file hard2", w_path_unlink_file(3, S("hard2")));
    /* readdir with a small buffer, resuming from cookies */
    uint8_t rbuf[80];
    uint64_t cookie = 0;
    int seen = 0, calls = 0;
    for (;;) {
        calls++;
        if (w_fd_readdir(3, rbuf, sizeof(rbuf), cookie, &used) != 0)
            break;
        uint32_t off = 0;
        while (off + 24 <= used) {
            uint32_t nl = u32_at(rbuf + off + 16);
            if (off + 24 + nl > used)
                break; /* cut entry: fetch it again from its cookie */
            if (nl == 10 && memcmp(rbuf + off + 24, "direct.txt", 10) == 0)
                seen++;
            cookie = u64_at(rbuf + off);
            off += 24 + nl;
        }
        if (used < sizeof(rbuf))
            break;
    }
    printf("readdir found direct.txt %d time(s), several calls: %s\n", seen,
           calls > 1 ? "yes" : "no");
    SHOW("path_unlink_file", w_path_unlink_file(3, S("direct.txt")));
}

static void poll_calls(void)
{
    uint8_t subs[2 * 48] = {0}, events[2 * 32] = {0};
    uint32_t n = 0;
    SHOW("poll_oneoff no subscriptions", w_poll_oneoff(subs, events, 0, &n));
    uint64_t ud1 = 11, ud2 = 22, t1 = 5000000, t2 = 10000000000ull;
    uint32_t mono = 1;
    memcpy(subs, &ud1, 8);
    memcpy(subs + 16, &mono, 4);
    memcpy(subs + 24, &t1, 8);
    memcpy(subs + 48, &ud2, 8);
    memcpy(subs + 48 + 16, &mono, 4);
    memcpy(subs + 48 + 24, &t2, 8);
    SHOW("poll_oneoff two clocks", w_poll_oneoff(subs, events, 2, &n));
    printf("events=%u userdata=%llu error=%u type=%u\n", n, (unsigned long long)u64_at(events),
           events[8], events[10]);
    /* wasi_unstable: identifier u64 @16, clock id @24, timeout @32, precision @40, flags @48 */
    uint8_t usub[56] = {0};
    uint64_t ud3 = 33, t3 = 1000000;
    memcpy(usub, &ud3, 8);
    memcpy(usub + 24, &mono, 4);
    memcpy(usub + 32, &t3, 8);
    SHOW("unstable poll_oneoff", u_poll_oneoff(usub, events, 1, &n));
    printf("unstable events=%u userdata=%llu\n", n, (unsigned long long)u64_at(events));
    /* fd subscription on stdout (writable) */
    uint8_t fsub[48] = {0};
    uint64_t ud4 = 44;
    uint32_t out = 1;
    memcpy(fsub, &ud4, 8);
    fsub[8] = 2;
    memcpy(fsub + 16, &out, 4);
    SHOW("poll_oneoff stdout writable", w_poll_oneoff(fsub, events, 1, &n));
    printf("fd events=%u userdata=%llu type=%u\n", n, (unsigned long long)u64_at(events),
           events[10]);
}

static void socket_calls(void)
{
    uint32_t n = 0, fd = 0;
    uint16_t of = 0;
    uint32_t iov[2] = {(uint32_t)(uintptr_t) "x", 1};
    printf("sock_recv on a file: %s\n", w_sock_recv(3, iov, 1, 0, &n, &of) != 0 ? "error" : "ok");
    printf("sock_send on a file: %s\n", w_sock_send(3, iov, 1, 0, &n) != 0 ? "error" : "ok");
    printf("sock_shutdown on a file: %s\n", w_sock_shutdown(3, 2) != 0 ? "error" : "ok");
    printf("sock_accept on a file: %s\n", w_sock_accept(3, 0, &fd) != 0 ? "error" : "ok");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    clocks_and_random();
    file_calls();
    path_calls();
    poll_calls();
    socket_calls();
    SHOW("proc_raise bad signal", w_proc_raise(99));
    printf("exiting with 3\n");
    w_proc_exit(3);
}
