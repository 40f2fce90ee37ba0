/* WASI calls on an open fd: fd_read/write/pread/pwrite, seek/tell, fdstat, filestat, advise,
 * allocate, sync, close, renumber, prestat, readdir.
 *
 * Guest iovecs become host iovecs pointing straight into linear memory (after bounds checks), so
 * reads and writes copy nothing. stdout/stderr of a container are WASI_FD_LOG entries and go to
 * cri_log_write. Writes through an fd from a read-only mount were never possible (the host fd was
 * opened read-only); metadata changes check `readonly` explicitly and answer EROFS. The
 * wasi_unstable ABI differs only in the filestat layout and the whence numbering: the *_unstable
 * entry points pass `legacy`.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_impl.h"

wasi_errno wasi_map_iovs(const wasi_mem *m, uint32_t iovs, uint32_t n, struct iovec *out,
                         size_t *ret_total)
{
    if (n > WASI_MAX_IOVS)
        return WASI_EINVAL;
    uint8_t *raw = mem_at(m, iovs, (uint64_t)n * WASI_IOVEC_SIZE);
    if (raw == NULL)
        return WASI_EFAULT;
    size_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t buf, len;
        memcpy(&buf, raw + i * WASI_IOVEC_SIZE, 4);
        memcpy(&len, raw + i * WASI_IOVEC_SIZE + 4, 4);
        out[i].iov_base = mem_at(m, buf, len);
        out[i].iov_len = len;
        if (out[i].iov_base == NULL)
            return WASI_EFAULT;
        total += len;
    }
    *ret_total = total;
    return WASI_ESUCCESS;
}

static wasi_errno finish_io(const wasi_mem *m, ssize_t n, uint32_t ret_ptr)
{
    if (n < 0)
        return wasi_errno_from_host(errno);
    return mem_store_u32(m, ret_ptr, (uint32_t)n) ? WASI_ESUCCESS : WASI_EFAULT;
}

static wasi_errno do_io(wasi_ctx *c, wasi_mem *m, const uint64_t *a, bool write, bool positioned)
{
    uint64_t rights =
        (write ? WASI_RIGHT_FD_WRITE : WASI_RIGHT_FD_READ) | (positioned ? WASI_RIGHT_FD_SEEK : 0);
    wasi_fd *e;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], rights, &e);
    if (r != WASI_ESUCCESS)
        return r;
    struct iovec iov[WASI_MAX_IOVS];
    size_t total;
    uint32_t niov = (uint32_t)a[2];
    r = wasi_map_iovs(m, (uint32_t)a[1], niov, iov, &total);
    if (r != WASI_ESUCCESS)
        return r;
    uint32_t ret_ptr = (uint32_t)a[positioned ? 4 : 3];
    if (e->kind == WASI_FD_LOG) {
        for (uint32_t i = 0; i < niov; i++)
            if ((c->terminal ? cri_log_write_through : cri_log_write)(
                    c->log, e->stream, iov[i].iov_base, iov[i].iov_len, NULL) < 0)
                return WASI_EIO;
        return finish_io(m, (ssize_t)total, ret_ptr);
    }
    if (e->kind == WASI_FD_DIR)
        return WASI_EISDIR;
    ssize_t n;
    off_t off = (off_t)a[3];
    if (positioned && off < 0)
        return WASI_EINVAL;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = niov};
    do {
        if (write && e->kind == WASI_FD_SOCKET && !positioned)
            n = sendmsg(e->host, &msg, MSG_NOSIGNAL); /* a closed peer is EPIPE, not SIGPIPE */
        else if (write)
            n = positioned ? pwritev(e->host, iov, (int)niov, off)
                           : writev(e->host, iov, (int)niov);
        else
            n = positioned ? preadv(e->host, iov, (int)niov, off) : readv(e->host, iov, (int)niov);
    } while (n < 0 && errno == EINTR);
    return finish_io(m, n, ret_ptr);
}

wasi_errno wasi_fd_read(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return do_io(c, m, a, false, false);
}
wasi_errno wasi_fd_write(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return do_io(c, m, a, true, false);
}
wasi_errno wasi_fd_pread(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return do_io(c, m, a, false, true);
}
wasi_errno wasi_fd_pwrite(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return do_io(c, m, a, true, true);
}

static wasi_errno seek(wasi_ctx *c, wasi_mem *m, const uint64_t *a, bool legacy)
{
    int64_t offset = (int64_t)a[1];
    uint8_t whence = (uint8_t)a[2];
    /* wasi_unstable numbered whence CUR=0, END=1, SET=2 */
    static const int preview1[] = {SEEK_SET, SEEK_CUR, SEEK_END};
    static const int unstable[] = {SEEK_CUR, SEEK_END, SEEK_SET};
    if (whence > 2)
        return WASI_EINVAL;
    int how = legacy ? unstable[whence] : preview1[whence];
    uint64_t right = (offset == 0 && how == SEEK_CUR) ? WASI_RIGHT_FD_TELL : WASI_RIGHT_FD_SEEK;
    wasi_fd *e;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], right, &e);
    if (r != WASI_ESUCCESS)
        return r;
    off_t pos = lseek(e->host, offset, how);
    if (pos < 0)
        return wasi_errno_from_host(errno);
    return mem_store_u64(m, (uint32_t)a[3], (uint64_t)pos) ? WASI_ESUCCESS : WASI_EFAULT;
}

wasi_errno wasi_fd_seek(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return seek(c, m, a, false);
}
wasi_errno wasi_unstable_fd_seek(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return seek(c, m, a, true);
}

wasi_errno wasi_fd_tell(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    wasi_fd *e;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], WASI_RIGHT_FD_TELL, &e);
    if (r != WASI_ESUCCESS)
        return r;
    off_t pos = lseek(e->host, 0, SEEK_CUR);
    if (pos < 0)
        return wasi_errno_from_host(errno);
    return mem_store_u64(m, (uint32_t)a[1], (uint64_t)pos) ? WASI_ESUCCESS : WASI_EFAULT;
}

wasi_errno wasi_fd_fdstat_get(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    wasi_fd *e;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], 0, &e);
    if (r != WASI_ESUCCESS)
        return r;
    uint16_t flags = 0;
    if (e->host >= 0) {
        int fl = fcntl(e->host, F_GETFL);
        if (fl < 0)
            return wasi_errno_from_host(errno);
        flags = (uint16_t)(((fl & O_APPEND) ? WASI_FDFLAG_APPEND : 0) |
                           ((fl & O_NONBLOCK) ? WASI_FDFLAG_NONBLOCK : 0) |
                           ((fl & O_SYNC) == O_SYNC ? WASI_FDFLAG_SYNC : 0) |
                           ((fl & O_DSYNC) ? WASI_FDFLAG_DSYNC : 0) |
                           ((fl & O_RSYNC) == O_RSYNC && (fl & O_SYNC) == O_SYNC ? WASI_FDFLAG_RSYNC
                                                                                 : 0));
    }
    uint32_t p = (uint32_t)a[1];
    uint8_t *out = mem_at(m, p, WASI_FDSTAT_SIZE);
    if (out == NULL)
        return WASI_EFAULT;
    memset(out, 0, WASI_FDSTAT_SIZE);
    out[0] = e->filetype;
    memcpy(out + 2, &flags, 2);
    memcpy(out + 8, &e->rights_base, 8);
    memcpy(out + 16, &e->rights_inheriting, 8);
    return WASI_ESUCCESS;
}

wasi_errno wasi_fd_fdstat_set_flags(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    wasi_fd *e;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], WASI_RIGHT_FD_FDSTAT_SET_FLAGS, &e);
    if (r != WASI_ESUCCESS)
        return r;
    uint16_t want = (uint16_t)a[1];
    if (want & (WASI_FDFLAG_DSYNC | WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC))
        return WASI_ENOTSUP; /* Linux cannot change these on an open fd */
    if (e->host < 0)
        return WASI_ESUCCESS;
    int fl = fcntl(e->host, F_GETFL);
    if (fl < 0)
        return wasi_errno_from_host(errno);
    fl &= ~(O_APPEND | O_NONBLOCK);
    fl |= ((want & WASI_FDFLAG_APPEND) ? O_APPEND : 0) |
          ((want & WASI_FDFLAG_NONBLOCK) ? O_NONBLOCK : 0);
    return fcntl(e->host, F_SETFL, fl) < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
}

wasi_errno wasi_fd_fdstat_set_rights(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    wasi_fd *e;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], 0, &e);
    if (r != WASI_ESUCCESS)
        return r;
    uint64_t base = a[1], inh = a[2];
    if ((base & ~e->rights_base) != 0 || (inh & ~e->rights_inheriting) != 0)
        return WASI_ENOTCAPABLE; /* rights can only shrink */
    e->rights_base = base;
    e->rights_inheriting = inh;
    return WASI_ESUCCESS;
}

static uint64_t ts_ns(struct timespec ts)
{
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

wasi_errno wasi_store_filestat(const wasi_mem *m, uint32_t p, const struct stat *st, bool legacy)
{
    size_t size = legacy ? 56 : WASI_FILESTAT_SIZE;
    uint8_t *out = mem_at(m, p, size);
    if (out == NULL)
        return WASI_EFAULT;
    memset(out, 0, size);
    uint64_t dev = st->st_dev, ino = st->st_ino, nlink = st->st_nlink, sz = (uint64_t)st->st_size;
    uint64_t at = ts_ns(st->st_atim), mt = ts_ns(st->st_mtim), ct = ts_ns(st->st_ctim);
    memcpy(out, &dev, 8);
    memcpy(out + 8, &ino, 8);
    out[16] = wasi_filetype_from_mode(st->st_mode);
    if (legacy) { /* wasi_unstable: nlink u32 @20, size @24, atim @32, mtim @40, ctim @48 */
        uint32_t nl = (uint32_t)nlink;
        memcpy(out + 20, &nl, 4);
        memcpy(out + 24, &sz, 8);
        memcpy(out + 32, &at, 8);
        memcpy(out + 40, &mt, 8);
        memcpy(out + 48, &ct, 8);
    } else {
        memcpy(out + 24, &nlink, 8);
        memcpy(out + 32, &sz, 8);
        memcpy(out + 40, &at, 8);
        memcpy(out + 48, &mt, 8);
        memcpy(out + 56, &ct, 8);
    }
    return WASI_ESUCCESS;
}

static wasi_errno filestat_get(wasi_ctx *c, wasi_mem *m, const uint64_t *a, bool legacy)
{
    wasi_fd *e;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], WASI_RIGHT_FD_FILESTAT_GET, &e);
    if (r != WASI_ESUCCESS)
        return r;
    struct stat st = {0};
    if (e->host >= 0 && fstat(e->host, &st) < 0)
        return wasi_errno_from_host(errno);
    r = wasi_store_filestat(m, (uint32_t)a[1], &st, legacy);
    if (r == WASI_ESUCCESS && e->kind == WASI_FD_LOG)
        mem_store_u8(m, (uint32_t)a[1] + 16, WASI_FILETYPE_UNKNOWN);
    return r;
}

wasi_errno wasi_fd_filestat_get(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return filestat_get(c, m, a, false);
}
wasi_errno wasi_unstable_fd_filestat_get(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    return filestat_get(c, m, a, true);
}

wasi_errno wasi_fd_filestat_set_size(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    wasi_fd *e;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], WASI_RIGHT_FD_FILESTAT_SET_SIZE, &e);
    if (r != WASI_ESUCCESS)
        return r;
    if (e->readonly)
        return WASI_EROFS;
    if ((int64_t)a[1] < 0)
        return WASI_EINVAL;
    return ftruncate(e->host, (off_t)a[1]) < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
}

wasi_errno wasi_times_from_fst(uint64_t atim, uint64_t mtim, uint16_t fst, struct timespec ts[2])
{
    if (((fst & WASI_FST_ATIM) && (fst & WASI_FST_ATIM_NOW)) ||
        ((fst & WASI_FST_MTIM) && (fst & WASI_FST_MTIM_NOW)) || fst > 0xF)
        return WASI_EINVAL;
    uint64_t ns[2] = {atim, mtim};
    for (int i = 0; i < 2; i++) {
        uint16_t set = i == 0 ? WASI_FST_ATIM : WASI_FST_MTIM;
        uint16_t now = i == 0 ? WASI_FST_ATIM_NOW : WASI_FST_MTIM_NOW;
        if (fst & set)
            ts[i] = (struct timespec){.tv_sec = (time_t)(ns[i] / 1000000000ull),
                                      .tv_nsec = (long)(ns[i] % 1000000000ull)};
        else
            ts[i] = (struct timespec){.tv_nsec = (fst & now) ? UTIME_NOW : UTIME_OMIT};
    }
    return WASI_ESUCCESS;
}

wasi_errno wasi_fd_filestat_set_times(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    wasi_fd *e;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], WASI_RIGHT_FD_FILESTAT_SET_TIMES, &e);
    if (r != WASI_ESUCCESS)
        return r;
    struct timespec ts[2];
    r = wasi_times_from_fst(a[1], a[2], (uint16_t)a[3], ts);
    if (r != WASI_ESUCCESS)
        return r;
    if (e->readonly)
        return WASI_EROFS;
    if (e->host < 0)
        return WASI_EBADF;
    return futimens(e->host, ts) < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
}

wasi_errno wasi_fd_advise(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    wasi_fd *e;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], WASI_RIGHT_FD_ADVISE, &e);
    if (r != WASI_ESUCCESS)
        return r;
    static const int advice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                 POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
    uint8_t adv = (uint8_t)a[3];
    if (adv > 5 || (int64_t)a[1] < 0 || (int64_t)a[2] < 0)
        return WASI_EINVAL;
    if (e->kind == WASI_FD_DIR)
        return WASI_ESUCCESS; /* advice is only a hint */
    int err = posix_fadvise(e->host, (off_t)a[1], (off_t)a[2], advice[adv]);
    return err == ESPIPE ? WASI_ESPIPE : wasi_errno_from_host(err);
}

wasi_errno wasi_fd_allocate(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    wasi_fd *e;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], WASI_RIGHT_FD_ALLOCATE, &e);
    if (r != WASI_ESUCCESS)
        return r;
    if (e->readonly)
        return WASI_EROFS;
    if ((int64_t)a[1] < 0 || (int64_t)a[2] <= 0)
        return WASI_EINVAL;
    return wasi_errno_from_host(posix_fallocate(e->host, (off_t)a[1], (off_t)a[2]));
}

static wasi_errno sync_fd(wasi_ctx *c, const uint64_t *a, uint64_t right, int (*fn)(int))
{
    wasi_fd *e;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], right, &e);
    if (r != WASI_ESUCCESS)
        return r;
    if (e->kind == WASI_FD_LOG)
        return WASI_ESUCCESS;
    return fn(e->host) < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
}

wasi_errno wasi_fd_sync(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    return sync_fd(c, a, WASI_RIGHT_FD_SYNC, fsync);
}
wasi_errno wasi_fd_datasync(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    return sync_fd(c, a, WASI_RIGHT_FD_DATASYNC, fdatasync);
}

wasi_errno wasi_fd_close(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    wasi_fd *e;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], 0, &e);
    if (r != WASI_ESUCCESS)
        return r;
    fdt_release(e);
    return WASI_ESUCCESS;
}

wasi_errno wasi_fd_renumber(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    (void)m;
    wasi_fd *from, *to;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], 0, &from);
    if (r == WASI_ESUCCESS)
        r = fdt_get(c, (uint32_t)a[1], 0, &to);
    if (r != WASI_ESUCCESS)
        return r;
    if (from == to)
        return WASI_ESUCCESS;
    fdt_release(to);
    *to = *from;
    memset(from, 0, sizeof(*from));
    return WASI_ESUCCESS;
}

/* The preopen at fd, for fd_prestat_*: EBADF for any other fd. */
static wasi_errno get_preopen(wasi_ctx *c, uint32_t fd, wasi_fd **ret)
{
    wasi_errno r = fdt_get(c, fd, 0, ret);
    return r != WASI_ESUCCESS ? r : (*ret)->preopen == NULL ? WASI_EBADF : WASI_ESUCCESS;
}

/* A directory's prestat, or for a preopened socket tag WASI_PREOPENTYPE_SOCKET and no name:
 * preopen scans (wasi-libc, Go) skip a tag they do not know and go on to the directories after
 * it, where EBADF would end the scan and any other error abort it. */
wasi_errno wasi_fd_prestat_get(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    wasi_fd *e;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], 0, &e);
    bool socket = r == WASI_ESUCCESS && e->preopened_socket;
    if (!socket)
        r = get_preopen(c, (uint32_t)a[0], &e);
    if (r != WASI_ESUCCESS)
        return r;
    uint32_t p = (uint32_t)a[1];
    if (!mem_store_u32(m, p, socket ? WASI_PREOPENTYPE_SOCKET : WASI_PREOPENTYPE_DIR) ||
        !mem_store_u32(m, p + 4, socket ? 0 : (uint32_t)strlen(e->preopen)))
        return WASI_EFAULT;
    return WASI_ESUCCESS;
}

wasi_errno wasi_fd_prestat_dir_name(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    wasi_fd *e;
    wasi_errno r = get_preopen(c, (uint32_t)a[0], &e);
    if (r != WASI_ESUCCESS)
        return r;
    size_t len = strlen(e->preopen);
    if ((uint32_t)a[2] < len)
        return WASI_ENAMETOOLONG;
    uint8_t *out = mem_at(m, (uint32_t)a[1], len);
    if (out == NULL)
        return WASI_EFAULT;
    memcpy(out, e->preopen, len);
    return WASI_ESUCCESS;
}

static uint8_t dirent_type(unsigned char t)
{
    switch (t) {
    case DT_REG:
        return WASI_FILETYPE_REGULAR_FILE;
    case DT_DIR:
        return WASI_FILETYPE_DIRECTORY;
    case DT_LNK:
        return WASI_FILETYPE_SYMBOLIC_LINK;
    case DT_CHR:
        return WASI_FILETYPE_CHARACTER_DEVICE;
    case DT_BLK:
        return WASI_FILETYPE_BLOCK_DEVICE;
    case DT_SOCK:
        return WASI_FILETYPE_SOCKET_STREAM;
    default:
        return WASI_FILETYPE_UNKNOWN;
    }
}

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* fd_readdir: the cookie is the kernel's d_off of the previous entry (0 = start), so the guest can
 * resume anywhere; entries are copied until buf is full (the last may be cut, as the ABI says). */
wasi_errno wasi_fd_readdir(wasi_ctx *c, wasi_mem *m, const uint64_t *a)
{
    wasi_fd *e;
    wasi_errno r = fdt_get(c, (uint32_t)a[0], WASI_RIGHT_FD_READDIR, &e);
    if (r != WASI_ESUCCESS)
        return r;
    if (e->kind != WASI_FD_DIR || e->file_name != NULL)
        return WASI_ENOTDIR;
    uint32_t buf = (uint32_t)a[1], buf_len = (uint32_t)a[2];
    uint8_t *out = mem_at(m, buf, buf_len);
    if (out == NULL || mem_at(m, (uint32_t)a[4], 4) == NULL)
        return WASI_EFAULT;
    if (lseek(e->host, (off_t)a[3], SEEK_SET) < 0)
        return wasi_errno_from_host(errno);
    char kbuf[8192] __attribute__((aligned(8)));
    uint32_t used = 0;
    while (used < buf_len) {
        long n = syscall(SYS_getdents64, e->host, kbuf, sizeof(kbuf));
        if (n < 0)
            return wasi_errno_from_host(errno);
        if (n == 0)
            break;
        for (long off = 0; off < n && used < buf_len;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(kbuf + off);
            off += d->d_reclen;
            uint8_t hdr[WASI_DIRENT_SIZE] = {0};
            uint64_t next = (uint64_t)d->d_off;
            uint32_t namlen = (uint32_t)strlen(d->d_name);
            memcpy(hdr, &next, 8);
            memcpy(hdr + 8, &d->d_ino, 8);
            memcpy(hdr + 16, &namlen, 4);
            hdr[20] = dirent_type(d->d_type);
            uint32_t n1 = buf_len - used < WASI_DIRENT_SIZE ? buf_len - used : WASI_DIRENT_SIZE;
            memcpy(out + used, hdr, n1);
            used += n1;
            uint32_t n2 = buf_len - used < namlen ? buf_len - used : namlen;
            memcpy(out + used, d->d_name, n2);
            used += n2;
        }
    }
    mem_store_u32(m, (uint32_t)a[4], used);
    return WASI_ESUCCESS;
}
