/* stream_backlog (stream_backlog.h): one buffer, consumed from the front and compacted when
 * more comes. */
#include "stream_backlog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int stream_backlog_add(stream_backlog *b, const unsigned char *buf, size_t n, size_t max)
{
    if (b->n - b->off + n > max)
        return -1;
    if (b->off > 0) {
        memmove(b->buf, b->buf + b->off, b->n - b->off);
        b->n -= b->off;
        b->off = 0;
    }
    unsigned char *grown = realloc(b->buf, b->n + n);
    if (grown == NULL)
        return -1;
    memcpy(grown + b->n, buf, n);
    b->buf = grown;
    b->n += n;
    return 0;
}

size_t stream_backlog_len(const stream_backlog *b)
{
    return b->n - b->off;
}

int stream_backlog_send(stream_backlog *b, int fd,
                        long (*send_fn)(int fd, const void *buf, size_t n))
{
    while (b->off < b->n) {
        long n = send_fn(fd, b->buf + b->off, b->n - b->off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : EPIPE;
        b->off += (size_t)n;
    }
    return 0;
}

void stream_backlog_free(stream_backlog *b)
{
    free(b->buf);
    *b = (stream_backlog){0};
}
