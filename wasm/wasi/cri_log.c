/* CRI log writer (see cri_log.h for the format and the guarantees).
 *
 * Design: each stream owns a CRI_LOG_MAX_LINE buffer holding the line being built. Bytes are
 * copied in until a newline (emit an F record) or until the buffer is full and more bytes of the
 * same line follow (emit a P record, keep going). A record is assembled in the stream's buffer
 * (its timestamp and tags in the HEAD_MAX bytes kept free before the line, its newline after)
 * and written with one write(2) on an O_APPEND fd, so concurrent readers never see half a record
 * and the two streams interleave at line granularity. Reopen opens the path again and puts the new
 * file in place of the old under the same descriptor number (dup3), so it takes no lock and a
 * write goes whole to one file or the other.
 * A new stream name (e.g. a third stream) would need a name in stream_names[] and a buffer slot.
 */
#include "cri_log.h"

#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pages.h"

#define TS_MAX 40
/* Room for a record's head before its line: timestamp, stream and tag. A scratch buffer for the
 * whole record was a third page touched in a worker's first write (issue 18), and a copy. */
#define HEAD_MAX (TS_MAX + 16)

static const char *const stream_names[] = {"stdout", "stderr"};

struct cri_log {
    pthread_mutex_t lock;
    int fd;
    char *path;
    size_t pending_len[2];
    char line[2][HEAD_MAX + CRI_LOG_MAX_LINE + 1]; /* head room, the line, its newline */
};

/* The stream's line being built. */
static char *pending(cri_log *log, cri_log_stream stream)
{
    return log->line[stream] + HEAD_MAX;
}

/* n decimal digits of v at p, zero-padded; the end. */
static char *put_digits(char *p, unsigned long v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + n;
}

/* Digits put by hand, not by snprintf: a worker's first log line was its first snprintf, whose
 * code and locale pages cost a first touch each on a container's start (issue 14). A time before
 * 1970, or a buffer too small, is snprintf's (ns as a long long ends in 2262: four digits). */
size_t cri_log_format_time(long long ns, char *buf, size_t cap)
{
    time_t secs = (time_t)(ns / 1000000000LL);
    long frac = (long)(ns % 1000000000LL);
    struct tm tm;
    gmtime_r(&secs, &tm);
    int year = tm.tm_year + 1900;
    if (ns < 0 || cap < 31) {
        int n = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", year, tm.tm_mon + 1,
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
        return n < 0 ? 0 : (size_t)n;
    }
    char *p = put_digits(buf, (unsigned long)year, 4);
    *p++ = '-';
    p = put_digits(p, (unsigned long)tm.tm_mon + 1, 2);
    *p++ = '-';
    p = put_digits(p, (unsigned long)tm.tm_mday, 2);
    *p++ = 'T';
    p = put_digits(p, (unsigned long)tm.tm_hour, 2);
    *p++ = ':';
    p = put_digits(p, (unsigned long)tm.tm_min, 2);
    *p++ = ':';
    p = put_digits(p, (unsigned long)tm.tm_sec, 2);
    *p++ = '.';
    p = put_digits(p, (unsigned long)frac, 9);
    *p++ = 'Z';
    *p = '\0';
    return (size_t)(p - buf);
}

static int open_file(const char *path, int *ret_fd, wc_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
    if (fd < 0)
        return wc_error_set_errno(err, -errno, "open container log %s", path);
    *ret_fd = fd;
    return 0;
}

int cri_log_open(const char *path, cri_log **ret_log, wc_error *err)
{
    /* A mapping of its own, zeroed as mapped: zeroing its 32 KiB made each idle worker (one log
     * each) carry 8 pages of zeros (issue 18), and on the heap, mostly unwritten, it lay between
     * a worker's small allocations, which took that many pages more (a fault each). */
    cri_log *log =
        mmap(NULL, sizeof(*log), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (log == MAP_FAILED)
        return wc_error_set(err, -ENOMEM, "open container log %s: out of memory", path);
    /* its first page (the state, the start of stdout's line) is written now: populated in one
     * call, where a fault cost ~20-30 us on a paravirtualised guest (best effort) */
    wc_populate(log, wc_page_size(), true);
    log->path = strdup(path);
    if (log->path == NULL) {
        munmap(log, sizeof(*log));
        return wc_error_set(err, -ENOMEM, "open container log %s: out of memory", path);
    }
    int r = open_file(path, &log->fd, err);
    if (r < 0) {
        free(log->path);
        munmap(log, sizeof(*log));
        return r;
    }
    pthread_mutex_init(&log->lock, NULL);
    *ret_log = log;
    return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Writes one record with the stream's pending bytes and empties the buffer. Lock held. */
static int emit(cri_log *log, cri_log_stream stream, char tag, wc_error *err)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char head[HEAD_MAX];
    size_t n =
        cri_log_format_time((long long)now.tv_sec * 1000000000LL + now.tv_nsec, head, TS_MAX);
    const char *name = stream_names[stream];
    size_t len = strlen(name);
    head[n++] = ' ';
    memcpy(head + n, name, len);
    n += len;
    head[n++] = ' ';
    head[n++] = tag;
    head[n++] = ' ';
    char *record = pending(log, stream) - n;
    memcpy(record, head, n);
    n += log->pending_len[stream];
    record[n++] = '\n';
    log->pending_len[stream] = 0;
    int r = write_all(log->fd, record, n);
    if (r < 0)
        return wc_error_set_errno(err, r, "write container log %s", log->path);
    return 0;
}

static int write_locked(cri_log *log, cri_log_stream stream, const char *data, size_t len,
                        wc_error *err)
{
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t seg = nl != NULL ? (size_t)(nl - data) : len;
        while (seg > 0) {
            if (log->pending_len[stream] == CRI_LOG_MAX_LINE) {
                int r = emit(log, stream, 'P', err);
                if (r < 0)
                    return r;
            }
            size_t room = CRI_LOG_MAX_LINE - log->pending_len[stream];
            size_t take = seg < room ? seg : room;
            memcpy(pending(log, stream) + log->pending_len[stream], data, take);
            log->pending_len[stream] += take;
            data += take;
            len -= take;
            seg -= take;
        }
        if (nl != NULL) {
            int r = emit(log, stream, 'F', err);
            if (r < 0)
                return r;
            data++;
            len--;
        }
    }
    return 0;
}

int cri_log_write(cri_log *log, cri_log_stream stream, const void *data, size_t len, wc_error *err)
{
    if (stream != CRI_LOG_STDOUT && stream != CRI_LOG_STDERR)
        return wc_error_set(err, -EINVAL, "write container log: unknown stream %d", (int)stream);
    pthread_mutex_lock(&log->lock);
    int r = write_locked(log, stream, data, len, err);
    pthread_mutex_unlock(&log->lock);
    return r;
}

int cri_log_write_through(cri_log *log, cri_log_stream stream, const void *data, size_t len,
                          wc_error *err)
{
    if (stream != CRI_LOG_STDOUT && stream != CRI_LOG_STDERR)
        return wc_error_set(err, -EINVAL, "write container log: unknown stream %d", (int)stream);
    pthread_mutex_lock(&log->lock);
    int r = write_locked(log, stream, data, len, err);
    if (r == 0 && log->pending_len[stream] > 0)
        r = emit(log, stream, 'P', err);
    pthread_mutex_unlock(&log->lock);
    return r;
}

int cri_log_flush(cri_log *log, wc_error *err)
{
    int r = 0;
    pthread_mutex_lock(&log->lock);
    for (int s = CRI_LOG_STDOUT; s <= CRI_LOG_STDERR && r == 0; s++)
        if (log->pending_len[s] > 0)
            r = emit(log, (cri_log_stream)s, 'F', err);
    pthread_mutex_unlock(&log->lock);
    return r;
}

int cri_log_reopen(cri_log *log, wc_error *err)
{
    int fd = -1;
    int r = open_file(log->path, &fd, err);
    if (r == 0 && dup3(fd, log->fd, O_CLOEXEC) < 0)
        r = wc_error_set_errno(err, -errno, "reopen container log %s", log->path);
    if (fd >= 0)
        close(fd);
    if (r < 0 && err != NULL)
        return wc_error_wrap(err, "reopen container log");
    return r;
}

int cri_log_replace_fd(cri_log *log, int fd)
{
    int r = dup3(fd, log->fd, O_CLOEXEC) < 0 ? -errno : 0;
    close(fd);
    return r;
}

void cri_log_close(cri_log *log)
{
    if (log == NULL)
        return;
    cri_log_flush(log, NULL);
    close(log->fd);
    pthread_mutex_destroy(&log->lock);
    free(log->path);
    munmap(log, sizeof(*log));
}
